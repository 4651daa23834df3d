"""A resident applies online with a photo, (pays,) and sees the status change after staff approve; in Japanese
and in Portuguese. axe-core finds no violation on any page visited."""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
import requests
from PIL import Image
from playwright.sync_api import Page, Route, expect

from tests.browser.question_pages import answer_question_pages

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("applications")]

TEXT = {
    "ja": {
        "user": "ユーザー",
        "signin": "サインイン",
        "submit": "申請する",
        "pay": "申請して手数料を支払う",
        "received": "受付済み",
        "approved": "承認",
        "valid": "受け付けました",
        "refresh": "最新の状況を見る",
        "kodomo": "子ども医療費助成の申請",
        "review": "入力内容を確認する",
        "reviewHeading": "申請内容の確認",
        "juminhyo": "住民票の写し",
    },
    "pt": {
        "user": None,
        "signin": None,
        "submit": "Enviar pedido",
        "pay": "Enviar e pagar a taxa",
        "received": "Recebido",
        "approved": "Aprovado",
        "valid": "Aceito",
        "refresh": "Atualizar situação",
        "kodomo": None,
        "review": "Revisar",
        "reviewHeading": "Confira antes de enviar",
        "juminhyo": None,
    },
}


def photo(tmp_path: Path) -> Path:
    path = tmp_path / "card.jpg"
    out = io.BytesIO()
    Image.new("RGB", (320, 200), (30, 90, 160)).save(out, "JPEG")
    path.write_bytes(out.getvalue())
    return path


def start(page: Page, procedure_name_pattern: str) -> None:
    page.get_by_role("button", name=re.compile(procedure_name_pattern)).click()
    expect(page.locator("#application-code")).to_be_visible()


def fill_and_attach(page: Page, answers: dict[str, str], attachment: str, file: Path, lang: str) -> None:
    answer_question_pages(page, answers, {attachment: file}, valid=TEXT[lang]["valid"], last=TEXT[lang]["review"])


@pytest.mark.parametrize(("lang", "user"), [("ja", "resident-1"), ("pt", "resident-pt")])
def test_resident_applies_with_a_photo_and_sees_the_approval(
    page: Page,
    stack_url: str,
    axe_violations: Callable[[], str],
    console_errors: list[str],
    tmp_path: Path,
    lang: str,
    user: str,
    sign_in,
    sign_out,
):
    sign_in(page, user, f"{stack_url}/apply/?lang={lang}")
    assert axe_violations() == "", "apply: start"
    start(page, "子ども医療費助成" if lang == "ja" else "Subsídio de Despesas Médicas")
    # What the city knows is already there and cannot be changed
    expect(page.locator("#answer-applicant_name")).to_have_attribute("readonly", "")
    fill_and_attach(
        page,
        {"child_name": "市民 太郎", "child_date_of_birth": "2020-05-05", "insurance_type": "kokuho"},
        "insurance_card",
        photo(tmp_path),
        lang,
    )
    assert axe_violations() == "", "apply: form"
    page.get_by_role("button", name=TEXT[lang]["review"]).click()
    expect(page.get_by_role("heading", name=TEXT[lang]["reviewHeading"])).to_be_visible()
    assert axe_violations() == "", "apply: review"
    page.get_by_role("button", name=TEXT[lang]["submit"], exact=True).click()
    expect(page.locator("#application-status")).to_contain_text(TEXT[lang]["received"])
    expect(page.locator(".qr svg")).to_be_visible()
    assert axe_violations() == "", "apply: received"
    code = page.locator("#application-code").inner_text()

    # Staff of こども未来課 open it from the inbox and approve
    staff = page.context.new_page()
    sign_in(staff, "staff-kodomo", f"{stack_url}/staff/applications/?lang=ja")
    staff.locator("#bycode-input").fill(code)
    staff.get_by_role("button", name="開く").click()
    expect(staff.locator("#detail-status")).to_contain_text("受付済み")
    staff.locator("#approve-button").click()
    expect(staff.locator("#detail-status")).to_contain_text("承認")
    staff.close()

    # The resident sees the change
    page.get_by_role("button", name=TEXT[lang]["refresh"]).click()
    expect(page.locator("#application-status")).to_contain_text(TEXT[lang]["approved"])
    assert axe_violations() == "", "apply: approved"
    assert console_errors == []

    # The resident signs out: the page offers sign-in again
    sign_out(page)
    page.goto(f"{stack_url}/apply/?lang={lang}")
    expect(page.locator("#signin-button")).to_be_visible()


def test_staff_console_pages_have_no_axe_violations(
    page: Page,
    stack_url: str,
    axe_violations: Callable[[], str],
    sign_in,
):
    sign_in(page, "staff-zei", f"{stack_url}/staff/applications/")
    expect(page.get_by_role("heading", name="所属の申請")).to_be_visible()
    assert axe_violations() == "", "staff applications"
    page.goto(f"{stack_url}/confirm/")
    assert axe_violations() == "", "confirmation tablet"


@pytest.mark.parametrize(("lang", "user"), [("ja", "resident-2"), ("pt", "resident-pt")])
def test_juminhyo_with_a_photo_and_payment(
    page: Page,
    stack_url: str,
    axe_violations: Callable[[], str],
    tmp_path: Path,
    lang: str,
    user: str,
    sign_in,
):
    sign_in(page, user, f"{stack_url}/apply/?lang={lang}")
    start(page, "住民票" if lang == "ja" else "Juminhyo")
    fill_and_attach(
        page,
        {"subject": "self", "copies": "1", "purpose": "bank", "delivery": "pickup"},
        "identity_document",
        photo(tmp_path),
        lang,
    )
    page.get_by_role("button", name=TEXT[lang]["review"]).click()
    page.get_by_role("button", name=TEXT[lang]["pay"]).click()
    page.locator("#pay-link").click()
    page.locator("#card").fill("4242424242424242")
    page.locator("form button[type=submit]").click()
    expect(page.locator("#application-status")).to_contain_text(TEXT[lang]["received"])
    assert axe_violations() == ""


def test_an_upload_whose_slot_answer_was_lost_ends_with_one_attachment(
    page: Page,
    stack_url: str,
    token_for: Callable[[str], str],
    axe_violations: Callable[[], str],
    tmp_path: Path,
    sign_in,
):
    # Given a resident's application for the child medical subsidy, on the page that asks for the insurance card
    resident = {"Authorization": "Bearer " + token_for("resident-1")}
    started = requests.post(
        f"{stack_url}/applications?lang=ja",
        json={"procedure": "kodomo-iryohi-josei", "answers": {}},
        headers={**resident, "Idempotency-Key": str(uuid.uuid4())},
        timeout=10,
    )
    started.raise_for_status()
    application = started.json()

    def insurance_cards() -> list[dict[str, object]]:
        view = requests.get(f"{stack_url}/applications/{application['id']}?lang=ja", headers=resident, timeout=10)
        view.raise_for_status()
        return [a for a in view.json()["attachments"] if a["kind"] == "insurance_card"]

    before = len(insurance_cards())  # a draft left by another test is resumed, with what it holds
    sign_in(page, "resident-1", f"{stack_url}/apply/?lang=ja&id={application['id']}")
    answer_question_pages(
        page,
        {"child_name": "市民 太郎", "child_date_of_birth": "2020-05-05", "insurance_type": "kokuho"},
        {},
        valid=TEXT["ja"]["valid"],
        last=TEXT["ja"]["review"],
        until="#file-insurance_card",
    )

    # And a network that loses the answer to the first request for an upload slot (the server made the slot)
    keys: list[str | None] = []

    def lose_first_answer(route: Route) -> None:
        keys.append(route.request.headers.get("idempotency-key"))
        if len(keys) == 1:
            assert route.fetch().ok
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route(re.compile(r"/applications/[^/?]+/attachments(\?|$)"), lose_first_answer)

    # When the resident chooses the photo
    page.locator("#file-insurance_card").set_input_files(str(photo(tmp_path)))

    # Then the page asks again with the same key, the photo goes into the first slot and is accepted
    expect(page.locator("#attachment-insurance_card")).to_contain_text(TEXT["ja"]["valid"], timeout=15_000)
    assert len(keys) == 2 and keys[0] and keys[0] == keys[1], keys
    cards = insurance_cards()
    assert len(cards) == before + 1, cards
    assert [c["status"] for c in cards].count("pending") == 0, cards
    assert axe_violations() == "", "apply: upload retried"
    requests.delete(f"{stack_url}/applications/{application['id']}", headers=resident, timeout=10).raise_for_status()
