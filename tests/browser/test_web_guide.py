"""The procedure guide in a real browser: a death in the family, in Japanese, with its checklist and .ics."""

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_guide_for_a_death_lists_procedures_with_deadlines_and_passes_axe(
    page: Page, stack_url: str, axe_violations: Callable[[], str], console_errors: list[str]
):
    # Given a resident whose father died on 20 November 2026 and who had National Health Insurance and a house
    page.goto(f"{stack_url}/guide/?event=death")
    expect(page.locator("h1.page-title")).to_have_text("手続きガイド")
    expect(page.get_by_label("ライフイベント")).to_have_value("death")
    page.get_by_label("亡くなった日（死亡を知った日）").fill("2026-11-20")
    page.get_by_label("亡くなった方は国民健康保険に加入していましたか。").check()
    page.get_by_label("市内に土地や家屋を持っていましたか。").check()
    page.get_by_label("世帯主でしたか。").select_option("alone")
    assert axe_violations() == "", "axe violations on the questionnaire"

    # When they ask for the checklist
    page.get_by_role("button", name="手続きの一覧を作る").click()

    # Then the death notification comes first, due 26 November, at the Citizens Division on the 1st floor
    result = page.locator("#guide-result")
    expect(result.get_by_role("heading", level=2)).to_contain_text("死亡（おくやみ）の手続き")
    first = result.locator(".checklist-item").first
    expect(first.get_by_role("heading", level=3)).to_have_text("死亡届")
    expect(first).to_contain_text("2026年11月26日")
    expect(first).to_contain_text("本庁舎1階")
    expect(first).to_contain_text("死亡診断書")
    expect(result).to_contain_text("国民健康保険の資格喪失")
    expect(result).to_contain_text("相続登記（土地・建物）")
    expect(result).to_contain_text("水道の名義変更・使用中止")
    expect(result).not_to_contain_text("児童手当")
    expect(result.get_by_role("link", name="事前登録へ")).to_have_attribute("href", "/preregister/")
    assert axe_violations() == "", "axe violations on the checklist"

    # And the deadlines download as an .ics file
    with page.expect_download() as download:
        page.get_by_role("button", name="期限をカレンダーに追加（.ics）").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert "BEGIN:VCALENDAR" in text and "SUMMARY:死亡届" in text and "DTSTART;VALUE=DATE:20261126" in text
    assert console_errors == []


def test_staff_intake_navigation_shows_checks_by_department(page: Page, stack_url: str, axe_violations, sign_in):
    page.goto(f"{stack_url}/staff/guide/?event=death")
    sign_in(page, "staff-onestop")
    page.get_by_label("亡くなった方は国民健康保険に加入していましたか。").check()
    page.get_by_role("button", name="案内する手続きを表示").click()
    expect(page.get_by_role("heading", name="保険年金課 (本庁舎1階 10〜14番窓口)")).to_be_visible()
    expect(page.locator("main")).to_contain_text("保険証（資格確認書）の回収")
    assert axe_violations() == ""
