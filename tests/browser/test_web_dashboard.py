"""The management dashboard: charts with their tables, the R8 gap list, CSV downloads, axe-clean."""

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_a_manager_sees_the_charts_the_gap_list_and_downloads_a_csv(
    page: Page, sign_in: Callable[..., None], axe_violations: Callable[[], str]
):
    # Given the manager signed in on the dashboard (the stack is seeded with a year of figures)
    sign_in(page, "staff-kanri", url="/staff/dashboard/?lang=en")

    # Then the R8 gap list names the signed-only procedures received over 1,000 times a year
    gaps = page.get_by_role("table", name="R8 target gaps: procedures received 1,000+ a year not yet online here")
    expect(gaps).to_contain_text("Long-term care needs certification", timeout=30_000)  # twelve months load
    expect(gaps).to_contain_text("Moving-out notification")
    expect(gaps).not_to_contain_text("Copy of Resident Record")

    # And every chart is drawn, each followed by its table
    for title in ("Online share per procedure (12 months)", "Receipts per month by channel"):
        section = page.get_by_role("region", name=title)
        expect(section.locator(".chart-holder svg").first).to_be_visible()
        expect(section.get_by_role("table", name=title)).to_be_visible()
    trend = page.get_by_role("table", name="Receipts per month by channel")
    expect(trend.get_by_role("row")).to_have_count(13)  # header + twelve months
    share = page.get_by_role("table", name="Online share per procedure (12 months)")
    expect(share.get_by_role("row").filter(has_text="National Health Insurance")).to_have_count(2)

    # When they download the monthly table as CSV
    with page.expect_download() as download:
        page.get_by_role("region", name="Receipts per month by channel").get_by_role(
            "button", name="Download CSV"
        ).click()
    text = download.value.path().read_text(encoding="utf-8-sig")

    # Then it holds the same rows as the table
    lines = text.strip().splitlines()
    assert lines[0].startswith("Month,Online") and len(lines) == 13

    # And FAQ hand-offs to a person by month and payment success per procedure are charted, each with its table
    handoffs_title, payments_title = (
        "FAQ questions handed to a person, by month",
        "Payment success rate per procedure (12 months)",
    )
    for title in (handoffs_title, payments_title):
        expect(page.get_by_role("region", name=title).locator(".chart-holder svg").first).to_be_visible()
    handoffs = page.get_by_role("table", name=handoffs_title)
    expect(handoffs.get_by_role("row")).to_have_count(13)  # header + twelve months
    expect(handoffs.get_by_role("columnheader", name="Site chat")).to_be_visible()
    expect(handoffs.get_by_role("columnheader", name="LINE")).to_be_visible()
    payments = page.get_by_role("table", name=payments_title)
    resident_record = payments.get_by_role("row").filter(has_text="Copy of Resident Record")
    expect(resident_record).to_contain_text("%")
    expect(payments.get_by_role("row").filter(has_text="Long-term care needs certification")).to_have_count(0)  # no fee
    with page.expect_download() as download:
        page.get_by_role("region", name=payments_title).get_by_role("button", name="Download CSV").click()
    paid = download.value.path().read_text(encoding="utf-8-sig").strip().splitlines()
    assert paid[0] == "Procedure,Payments succeeded,Payments failed,Success rate"
    assert any(line.startswith("Copy of Resident Record,") and line.endswith("%") for line in paid)

    # And the page passes axe
    assert axe_violations() == ""


def test_other_staff_are_told_the_dashboard_is_for_management(page: Page, sign_in: Callable[..., None]):
    sign_in(page, "staff-shimin", url="/staff/dashboard/?lang=en")
    expect(page.get_by_text("This page is for counter management staff only.")).to_be_visible()
    expect(page.locator(".chart-holder")).to_have_count(0)


def test_busiest_counters_and_hours_come_from_the_queues_events(
    page: Page, sign_in: Callable[..., None], axe_violations: Callable[[], str], local_stack
):
    # Given last month's ticket events folded by the aggregator (as the outbox's consumer does): the certificates
    # counter issued three tickets at 09:xx and served two, the tax counter one at 14:xx
    from datetime import datetime, timedelta

    from infra import catalogue
    from madoguchi.metrics.dynamodb import DynamoMetricsStore
    from madoguchi.metrics.models import TOKYO, DomainEvent
    from madoguchi.metrics.service import record
    from madoguchi.shared.clock import now

    first = now().astimezone(TOKYO).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    last_month = (first - timedelta(days=1)).replace(day=10)
    events = []
    for counter, service, hour, tickets, served in (("shimin_cert", "juminhyo", 9, 3, 2), ("zei", "shotoku", 14, 1, 0)):
        for i in range(tickets):
            issued: datetime = last_month.replace(hour=hour, minute=i)
            common = {"context": "queue", "aggregate_id": f"browser-{counter}-{i}", "procedure_id": service,
                      "channel": "counter", "counter_id": counter}  # fmt: skip
            events.append(DomainEvent(id=f"queue:browser-{counter}-{i}:issued", type="received", occurred_at=issued,
                                      **common))  # fmt: skip
            if i < served:
                events.append(DomainEvent(id=f"queue:browser-{counter}-{i}:done", type="completed",
                                          occurred_at=issued + timedelta(minutes=25), received_at=issued,
                                          handling_started_at=issued + timedelta(minutes=20), **common))  # fmt: skip
    record(events, DynamoMetricsStore(catalogue.table("metrics").local_name))

    # When the manager opens the dashboard
    sign_in(page, "staff-kanri", url="/staff/dashboard/?lang=en")

    # Then the busiest counters come first, with tickets, served and waits, and the busy hours are charted
    month = last_month.strftime("%Y-%m")
    title = f"Busiest counters ({month}, by tickets issued)"
    counters = page.get_by_role("table", name=title)
    expect(counters).to_be_visible(timeout=30_000)
    expect(counters.get_by_role("row").nth(1)).to_contain_text("Certificates")
    expect(counters.get_by_role("row").nth(1)).to_contain_text("within 20 min")
    expect(page.get_by_role("region", name=title).locator(".chart-holder svg").first).to_be_visible()
    hours = page.get_by_role("table", name="Tickets issued by hour of the day (twelve months)")
    expect(hours.get_by_role("row").filter(has_text="09:00")).to_be_visible()
    expect(hours.get_by_role("row").filter(has_text="14:00")).to_be_visible()
    assert axe_violations() == ""
