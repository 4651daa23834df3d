"""The kiosk end to end in a real browser: the emulated My Number card over PC/SC (pcscd + vpcd) through the
unchanged card bridge, the kiosk API of the local stack, and the stand-in's simulated Stripe Terminal reader.
A resident gets a 住民票の写し (the PDF carries the record's name) and, in Portuguese, a 所得課税証明書 of a chosen
年度; a declined card issues and charges nothing; an idle screen is wiped."""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Callable
from typing import Any

import boto3
import pytest
import requests
import stripe
from cryptography.hazmat.primitives.serialization import Encoding
from playwright.sync_api import Page, Response, Route, expect
from pypdf import PdfReader

from infra import catalogue
from infra.local.jpki import LocalJpki
from tests.browser.conftest import axe_violations, console_errors, page  # noqa: F401 - fixtures
from tests.devices.conftest import PIN, resident
from tests.devices.mynumber_card import CardData, VirtualCardSlot
from tests.devices.test_cardbridge_http import BridgeProcess
from tests.devices.test_cardbridge_http import start_bridge as start_bridge  # the fixture

pytestmark = [pytest.mark.pcsc, pytest.mark.browser, pytest.mark.xdist_group("pcsc")]


@pytest.fixture
def card_of_resident_1(local_stack: Any) -> CardData:
    """resident-1's card, its user certificate issued by the local stack's test JPKI CA (as J-LIS issues them)."""
    jpki: LocalJpki = local_stack.jpki
    issued = jpki.issue()
    person = resident("resident-1")
    return CardData(
        name=person["name"],
        address=person["address"],
        date_of_birth=person["date_of_birth"],
        sex=person["sex"],
        individual_number="123456789018",
        auth_certificate_der=issued.certificate.public_bytes(Encoding.DER),
        auth_ca_certificate_der=jpki.certificate.public_bytes(Encoding.DER),
        auth_key=issued.key,
    )


# The kiosk the current test enrolled (its device id names its Stripe reader).
ENROLLED: dict[str, str] = {}


@pytest.fixture
def kiosk_page(
    page: Page,  # noqa: F811
    stack_url: str,
    local_stack: Any,
    start_bridge: Callable[..., BridgeProcess],
) -> Callable[[str], Page]:
    def open_kiosk(lang: str) -> Page:
        bridge = start_bridge("--origin", stack_url)
        # set once at enrolment on a real kiosk; the bridge listens on a free port here
        page.add_init_script(f"localStorage.setItem('madoguchi.cardbridge', {bridge.url!r})")
        page.context.grant_permissions(["local-network-access"], origin=stack_url)
        # a counter manager enrols this kiosk; the city registers its payment terminal with the kiosk's id
        manager = requests.post(f"{stack_url}/_local/token", json={"user": "staff-kanri"}, timeout=30).json()
        enrolment = requests.post(
            f"{stack_url}/staff/devices",
            json={"kind": "kiosk", "label": "test kiosk", "location": "1F"},
            headers={"Authorization": f"Bearer {manager['token']}"},
            timeout=30,
        )
        enrolment.raise_for_status()
        ENROLLED["kiosk"] = enrolment.json()["device"]["id"]
        local_stack.stripe.register_reader(ENROLLED["kiosk"])
        page.goto(enrolment.json()["enrol_url"].replace("/kiosk/", f"/kiosk/?lang={lang}"))
        return page

    return open_kiosk


def tap(local_stack: Any, number: str) -> None:
    """The resident's payment card on the kiosk's terminal: Stripe's test helper on the simulated reader."""
    client = stripe.StripeClient(local_stack.stripe.api_key, base_addresses={"api": local_stack.stripe.url})
    kiosk = ENROLLED["kiosk"]
    reader = next(r for r, v in local_stack.stripe.readers.items() if v["metadata"].get("kiosk") == kiosk)
    client.v1.test_helpers.terminal.readers.present_payment_method(
        reader, {"type": "card_present", "card_present": {"number": number}}
    )


def enter_pin(screen: Page, pin: str, ok: str) -> None:
    for digit in pin:
        screen.get_by_role("button", name=digit, exact=True).click()
    screen.get_by_role("button", name=ok, exact=True).click()


def is_order(response: Response, state: str) -> bool:
    return "/orders" in response.url and response.ok and f'"state":"{state}"' in response.text()


def test_a_resident_gets_a_juminhyo_with_the_card_and_the_terminal(
    kiosk_page: Callable[[str], Page],
    insert_card: Callable[[CardData], VirtualCardSlot],
    card_of_resident_1: CardData,
    local_stack: Any,
    axe_violations: Callable[[], str],  # noqa: F811
) -> None:
    screen = kiosk_page("en")
    insert_card(card_of_resident_1)
    screen.get_by_role("button", name="Start (certificates)").click()
    expect(screen.get_by_role("heading", name="Enter your 4-digit PIN")).to_be_visible()
    expect(screen.get_by_text("Tries left before the card locks: 3")).to_be_visible()
    key = screen.get_by_role("button", name="5", exact=True)
    box = key.bounding_box()
    assert box and box["height"] >= 64 and box["width"] >= 64, "PIN keys are large touch targets"
    assert axe_violations() == ""

    enter_pin(screen, PIN, "OK")
    expect(screen.get_by_role("heading", name="Choose your certificate")).to_be_visible()
    expect(screen.get_by_text("For 市民 一郎")).to_be_visible()
    screen.get_by_label("Everyone in my household").check()
    screen.get_by_role("button", name="One copy more").click()
    expect(screen.get_by_text("Fee: ¥600")).to_be_visible()
    assert axe_violations() == ""

    with screen.expect_response(lambda r: is_order(r, "awaiting_payment")) as placed:
        screen.get_by_role("button", name="Pay by card").click()
    order_id = placed.value.json()["order_id"]
    expect(
        screen.get_by_text("Tap or insert your payment card on the terminal beside the screen. Amount: ¥600")
    ).to_be_visible()
    with screen.expect_response(lambda r: is_order(r, "issued"), timeout=30_000) as issued:
        tap(local_stack, "4242424242424242")
    expect(screen.get_by_role("heading", name="Your certificate is ready")).to_be_visible()
    pdf = base64.b64decode(issued.value.json()["pdf"])
    assert pdf.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "市民 一郎" in text and "市民 桜" in text  # from the resident record: the household
    expect(screen.get_by_role("link", name="Download (PDF)")).to_have_attribute("href", re.compile("^blob:"))
    expect(screen.get_by_text("Please take your My Number card and your payment card.")).to_be_visible()
    assert local_stack.stripe.charged(f"kiosk-order:{order_id}") == 600
    assert axe_violations() == ""

    screen.get_by_role("button", name="Finish").click()
    expect(screen.get_by_role("heading", name="Certificates with your My Number card")).to_be_visible()
    expect(screen.get_by_text("市民 一郎")).to_have_count(0)


def test_a_declined_card_issues_and_charges_nothing_and_an_idle_screen_is_wiped(
    kiosk_page: Callable[[str], Page],
    insert_card: Callable[[CardData], VirtualCardSlot],
    card_of_resident_1: CardData,
    local_stack: Any,
) -> None:
    screen = kiosk_page("ja")
    screen.clock.install()
    insert_card(card_of_resident_1)
    screen.get_by_role("button", name="はじめる（証明書の交付）").click()
    expect(screen.get_by_text("あと 3 回まちがえるとロックされます")).to_be_visible()
    enter_pin(screen, "9999", "確認する")  # a wrong PIN: the card counts it, the screen says how many are left
    expect(screen.get_by_role("alert")).to_contain_text("暗証番号が違います。あと 2 回")
    assert card_of_resident_1.helper_pin.tries_left == 2
    enter_pin(screen, PIN, "確認する")
    expect(screen.get_by_role("heading", name="証明書を選んでください")).to_be_visible()
    assert card_of_resident_1.helper_pin.tries_left == 3  # a right PIN resets the count

    with screen.expect_response(lambda r: is_order(r, "awaiting_payment")) as placed:
        screen.get_by_role("button", name="カードで支払う").click()
    order_id = placed.value.json()["order_id"]
    expect(screen.get_by_role("heading", name="決済端末でお支払いください")).to_be_visible()
    tap(local_stack, "4000000000000002")
    expect(screen.get_by_text("カードが使えませんでした。お支払いも交付もされていません。")).to_be_visible(
        timeout=30_000
    )
    table = boto3.resource("dynamodb").Table(catalogue.table("kiosk").local_name)
    order = table.get_item(Key={"pk": f"ORDER#{order_id}", "sk": "ORDER"})["Item"]
    assert order["state"] == "declined" and "issue_number" not in order
    assert local_stack.stripe.charged(f"kiosk-order:{order_id}") == 0
    assert local_stack.stripe.intents[order["payment_intent_id"]]["status"] == "canceled"

    # The resident tries another card, then walks away while the terminal waits: after the idle time the screen
    # is wiped, personal data included, and the waiting payment is cancelled
    with screen.expect_response(lambda r: is_order(r, "awaiting_payment")) as again:
        screen.get_by_role("button", name="別のカードで支払う").click()
    waiting_id = again.value.json()["order_id"]
    with screen.expect_response(lambda r: is_order(r, "canceled")):
        screen.clock.fast_forward("02:00")
    expect(screen.get_by_text("操作がなかったため、画面を消去しました。")).to_be_visible()
    waiting = table.get_item(Key={"pk": f"ORDER#{waiting_id}", "sk": "ORDER"})["Item"]
    assert waiting["state"] == "canceled"
    assert local_stack.stripe.intents[waiting["payment_intent_id"]]["status"] == "canceled"
    expect(screen.get_by_text("市民 一郎")).to_have_count(0)
    expect(screen.get_by_role("button", name="はじめる（証明書の交付）")).to_be_visible()


def test_a_resident_gets_an_income_certificate_of_a_chosen_year_in_portuguese(
    kiosk_page: Callable[[str], Page],
    insert_card: Callable[[CardData], VirtualCardSlot],
    card_of_resident_1: CardData,
    local_stack: Any,
    axe_violations: Callable[[], str],  # noqa: F811
) -> None:
    screen = kiosk_page("pt")
    insert_card(card_of_resident_1)
    screen.get_by_role("button", name="Começar (certidões)").click()
    expect(screen.get_by_role("heading", name="Digite sua senha de 4 dígitos")).to_be_visible()
    enter_pin(screen, PIN, "OK")
    screen.get_by_label("Certificado de renda e imposto (所得課税証明書)").check()
    expect(screen.get_by_text("Quem aparece")).to_have_count(0)  # only a 住民票 lists the household
    # the 年度 in 和暦 beside the western year; resident-1's demo record has 2025 and 2026
    screen.get_by_label(re.compile(r"Ano fiscal 2025 \(令和7年度\)")).check()
    expect(screen.get_by_text("Taxa: ¥300")).to_be_visible()
    assert axe_violations() == ""
    with screen.expect_response(lambda r: is_order(r, "awaiting_payment")) as placed:
        screen.get_by_role("button", name="Pagar com cartão").click()
    order_id = placed.value.json()["order_id"]
    with screen.expect_response(lambda r: is_order(r, "issued"), timeout=30_000) as issued:
        tap(local_stack, "4242424242424242")
    body = issued.value.json()
    assert (body["certificate"], body["fiscal_year"], body["amount"]) == ("shotoku-kazei-shomei", 2025, 300)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(base64.b64decode(body["pdf"]))).pages)
    assert "所得課税証明書" in text and "令和7年度" in text and "令和6年分" in text and "4,050,000円" in text
    assert local_stack.stripe.charged(f"kiosk-order:{order_id}") == 300
    expect(screen.get_by_role("link", name="Baixar (PDF)")).to_have_attribute(
        "download", re.compile(r"^shotoku-kazei-shomei-K\d{4}-\d{6}\.pdf$")
    )
    assert axe_violations() == ""
    screen.get_by_role("button", name="Terminar").click()
    expect(screen.get_by_text("市民 一郎")).to_have_count(0)


def test_a_session_whose_answer_was_lost_is_asked_for_again_with_its_key(
    kiosk_page: Callable[[str], Page],
    insert_card: Callable[[CardData], VirtualCardSlot],
    card_of_resident_1: CardData,
) -> None:
    # Given a network that loses the kiosk's session answers on the way back (the server opened the session)
    screen = kiosk_page("en")
    keys: list[str | None] = []
    sessions: list[str] = []
    lost = {"answers": 1}

    def lose_answers(route: Route) -> None:
        keys.append(route.request.headers.get("idempotency-key"))
        answer = route.fetch()
        if answer.ok:
            sessions.append(answer.json()["session_id"])
        if lost["answers"] > 0:
            lost["answers"] -= 1
            route.abort("connectionreset")
        else:
            route.fulfill(response=answer)

    screen.route(re.compile(r"/kiosk/sessions(\?|$)"), lose_answers)
    insert_card(card_of_resident_1)

    # When the resident enters the PIN and the first answer is lost
    screen.get_by_role("button", name="Start (certificates)").click()
    enter_pin(screen, PIN, "OK")

    # Then the page asks again with the same key, gets the same session and challenge, and the card signs in
    expect(screen.get_by_role("heading", name="Choose your certificate")).to_be_visible()
    assert len(keys) == 2 and keys[0] and keys[0] == keys[1], keys
    assert len(sessions) == 2 and sessions[0] == sessions[1], sessions
    screen.get_by_role("button", name="Cancel").click()

    # When both the answer and the page's own retry are lost, the screen stops; the resident starts again
    lost["answers"] = 2
    screen.get_by_role("button", name="Start (certificates)").click()
    enter_pin(screen, PIN, "OK")
    expect(screen.get_by_role("alert")).to_contain_text("Could not connect.")
    assert len(keys) == 4 and keys[2] != keys[0] and keys[2] == keys[3], keys
    screen.get_by_role("button", name="Finish").click()
    screen.get_by_role("button", name="Start (certificates)").click()
    enter_pin(screen, PIN, "OK")

    # Then the kiosk asks with the same key once more, and the session the server opened is the one signed in to
    expect(screen.get_by_role("heading", name="Choose your certificate")).to_be_visible()
    assert len(keys) == 5 and keys[4] == keys[2], keys
    assert sessions[2] == sessions[3] == sessions[4] != sessions[0], sessions
