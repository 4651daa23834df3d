"""Issue 13: a rejected paid application's refund is owed as an effect; while Stripe has not taken it the resident's
page says it is on its way (never "refunded"), in the resident's language, with no axe violation; once the outbox
worker has sent it the notice goes and the receipt counts it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.browser.test_web_resident_flows import tr
from tests.integration.test_applications_effects import effects_of, make_due
from tests.integration.test_applications_flow import Api, jpeg_with_location

pytestmark = [pytest.mark.browser, pytest.mark.faults, pytest.mark.xdist_group("faults")]


@pytest.fixture
def stripe_refusing_refunds(stack_url: str) -> Iterator[None]:
    body = {"provider": "stripe", "kind": "status", "status": 500, "match": "POST /v1/refunds", "count": 50}
    assert requests.post(f"{stack_url}/_local/faults", json=body, timeout=10).status_code == 200
    yield
    requests.delete(f"{stack_url}/_local/faults", timeout=10)


def rejected_after_paying(api: Api, local_stack: Any, user: str) -> dict[str, Any]:
    answers = {"subject": "self", "copies": 2, "purpose": "bank", "delivery": "pickup"}
    draft = api.ok("POST", "/applications", user, {"procedure": "juminhyo", "answers": answers})
    api.upload(draft["id"], user, jpeg_with_location(), kind="identity_document")
    waiting = api.ok("POST", f"/applications/{draft['id']}/submit", user, {})
    assert local_stack.stripe.pay(waiting["payment_url"].rstrip("/").rsplit("/", 1)[-1], "4242424242424242")[0]
    api.ok("POST", f"/applications/{draft['id']}/payment", user)
    reject = {"decision": "reject", "reason": "対象外"}
    return api.ok("POST", f"/staff/applications/{draft['id']}/decision", "staff-shimin", reject)


@pytest.mark.parametrize(("lang", "user"), [("pt", "resident-pt"), ("ja-easy", "resident-1")])
def test_a_refund_not_yet_taken_by_stripe_is_shown_on_its_way_then_refunded(
    page: Page,
    stack_url: str,
    local_stack: Any,
    auth_header: Callable[[str], dict[str, str]],
    axe_violations: Callable[[], str],
    sign_in: Callable[..., None],
    stripe_refusing_refunds: None,
    lang: str,
    user: str,
) -> None:
    rejected = rejected_after_paying(Api(stack_url, auth_header), local_stack, user)
    local_stack.streams.drain()  # the worker tried, Stripe refused: the refund stays owed
    sign_in(page, user, f"{stack_url}/apply/?id={rejected['id']}&lang={lang}")
    notice = page.locator("#refund-pending")
    expect(notice).to_have_text(tr(lang, "apply.refundPending", yen="600"))
    expect(page.locator("#fee-receipt")).to_be_visible()
    expect(page.locator("#fee-receipt")).not_to_contain_text(tr(lang, "receipt.refunded"))  # not yet
    assert axe_violations() == "", "apply: refund on its way"
    # Stripe back: the schedule sends the refund; the page no longer says it is on its way
    requests.delete(f"{stack_url}/_local/faults", timeout=10)
    [refund] = effects_of(rejected["id"], "refund")
    make_due(refund)
    local_stack.run_scheduled("outbox_effects")
    page.reload()
    expect(page.locator("#application-code")).to_have_text(rejected["code"])
    expect(notice).to_have_count(0)
    expect(page.locator("#fee-receipt")).to_contain_text(tr(lang, "receipt.refunded"))
