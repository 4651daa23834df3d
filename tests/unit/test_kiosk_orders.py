"""Order rules at the kiosk with in-memory ports: paid means issued once, anything else issues nothing."""

from __future__ import annotations

import base64
import dataclasses
import io
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from infra.seed.kiosk import family_registers, resident_record
from madoguchi.kiosk import service
from madoguchi.kiosk.certificate import koseki_pdf, wareki
from madoguchi.kiosk.models import (
    KioskOrder,
    KioskSession,
    NoFamilyRegister,
    NoTerminal,
    OrderKeyReused,
    OrderRequest,
    RecordUnavailable,
    SessionExpired,
    SessionNotAuthenticated,
)
from madoguchi.procedures.models import Procedure
from madoguchi.procedures.service import ProcedureDeps
from madoguchi.shared.auth import Caller, DeviceKind, Role
from madoguchi.shared.errors import Forbidden, InvalidInput, NotFound
from madoguchi.shared.i18n import message
from madoguchi.shared.settings import settings
from tests.fakes.certificates import MemoryCertificateRegistry
from tests.fakes.kiosk import (
    MemoryFamilyRegisters,
    MemoryKioskOrders,
    MemoryKioskSessions,
    MemoryResidentRecords,
    MemoryTerminal,
)
from tests.fakes.procedures import MemoryProcedureStore

SEED = Path(__file__).resolve().parents[2] / "infra" / "seed"
KIOSK = Caller(sub="kiosk-1", role=Role.DEVICE, device_kind=DeviceKind.KIOSK)
OTHER_KIOSK = Caller(sub="kiosk-2", role=Role.DEVICE, device_kind=DeviceKind.KIOSK)
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
ONE = OrderRequest(certificate="juminhyo", copies=1, scope="self")


@pytest.fixture
def deps() -> service.OrderDeps:
    return order_deps()


def order_deps() -> service.OrderDeps:
    """A kiosk with one terminal, an authenticated session of resident-1 and the seed's records and fees."""
    residents = json.loads((SEED / "residents.json").read_text(encoding="utf-8"))
    procedures = [Procedure.model_validate(p) for p in json.loads((SEED / "procedures.json").read_text("utf-8"))]
    sessions = MemoryKioskSessions()
    for sid, state, kiosk in (("A" * 22, "authenticated", "kiosk-1"), ("B" * 22, "challenged", "kiosk-1")):
        sessions.sessions[sid] = KioskSession(
            id=sid,
            kiosk=kiosk,
            challenge="x",
            state=state,  # type: ignore[arg-type]
            created_at=NOW,
            challenge_expires_at=NOW + timedelta(minutes=2),
            expires_at=NOW + timedelta(minutes=15),
            resident_id="resident-1" if state == "authenticated" else None,
        )
    return service.OrderDeps(
        sessions=sessions,
        orders=MemoryKioskOrders(),
        records=MemoryResidentRecords({r["id"]: resident_record(r) for r in residents}),
        registers=MemoryFamilyRegisters(family_registers()),
        terminal=MemoryTerminal({"kiosk-1": "tmr_1"}),
        procedures=ProcedureDeps(store=MemoryProcedureStore(procedures)),
    )


SESSION = "A" * 22


def terminal(deps: service.OrderDeps) -> MemoryTerminal:
    assert isinstance(deps.terminal, MemoryTerminal)
    return deps.terminal


def test_paid_order_is_issued_once_with_one_number(deps: service.OrderDeps) -> None:
    placed = service.place_order(SESSION, ONE, "key-1", KIOSK, deps, NOW)
    assert (placed.state, placed.amount) == ("awaiting_payment", 300)
    order = deps.orders.get(placed.order_id)
    assert order is not None and order.payment_intent_id
    terminal(deps).settle(order.payment_intent_id, paid=True)
    first = service.get_order(SESSION, placed.order_id, KIOSK, deps, NOW)
    second = service.get_order(SESSION, placed.order_id, KIOSK, deps, NOW + timedelta(seconds=2))
    assert first.state == second.state == "issued"
    assert first.issue_number == second.issue_number == "K2026-000001"
    assert first.pdf is not None
    text = PdfReader(io.BytesIO(base64.b64decode(first.pdf))).pages[0].extract_text()
    assert "市民 一郎" in text and "市民 桜" not in text  # scope self: the holder only


def test_a_payment_for_another_amount_issues_nothing(deps: service.OrderDeps) -> None:
    placed = service.place_order(SESSION, ONE, "key-1", KIOSK, deps, NOW)
    order = deps.orders.get(placed.order_id)
    assert order is not None and order.payment_intent_id
    terminal(deps).settle(order.payment_intent_id, paid=True, amount=1)
    assert service.get_order(SESSION, placed.order_id, KIOSK, deps, NOW).state == "awaiting_payment"


def test_a_decline_cancels_the_payment_and_issues_nothing(deps: service.OrderDeps) -> None:
    placed = service.place_order(SESSION, ONE, "key-1", KIOSK, deps, NOW)
    order = deps.orders.get(placed.order_id)
    assert order is not None and order.payment_intent_id
    terminal(deps).settle(order.payment_intent_id, paid=False)
    view = service.get_order(SESSION, placed.order_id, KIOSK, deps, NOW)
    assert (view.state, view.decline_code, view.pdf, view.issue_number) == ("declined", "generic_decline", None, None)
    assert terminal(deps).payments[order.payment_intent_id].status == "canceled"


def test_a_retry_after_the_provider_failed_makes_one_payment(deps: service.OrderDeps) -> None:
    terminal(deps).fail_next_start = True
    with pytest.raises(TimeoutError):
        service.place_order(SESSION, ONE, "key-1", KIOSK, deps, NOW)
    retried = service.place_order(SESSION, ONE, "key-1", KIOSK, deps, NOW)
    again = service.place_order(SESSION, ONE, "key-1", KIOSK, deps, NOW)
    assert retried.order_id == again.order_id
    assert len(terminal(deps).payments) == 1
    with pytest.raises(OrderKeyReused):
        service.place_order(
            SESSION, OrderRequest(certificate="juminhyo", copies=2, scope="self"), "key-1", KIOSK, deps, NOW
        )


def test_refusals_write_nothing(deps: service.OrderDeps) -> None:
    resident = Caller(sub="resident-1", role=Role.RESIDENT)
    refusals: list[tuple[Callable[[], object], type[Exception]]] = [
        (lambda: service.place_order(SESSION, ONE, None, KIOSK, deps, NOW), InvalidInput),
        (lambda: service.place_order(SESSION, ONE, "k", resident, deps, NOW), Forbidden),
        (lambda: service.place_order(SESSION, ONE, "k", OTHER_KIOSK, deps, NOW), NotFound),
        (lambda: service.place_order("B" * 22, ONE, "k", KIOSK, deps, NOW), SessionNotAuthenticated),
        (lambda: service.place_order(SESSION, ONE, "k", KIOSK, deps, NOW + timedelta(minutes=16)), SessionExpired),
        (lambda: service.get_order(SESSION, "../" * 8, KIOSK, deps, NOW), NotFound),
    ]
    for call, error in refusals:
        with pytest.raises(error):
            call()
    terminal(deps).readers.clear()
    with pytest.raises(NoTerminal):
        service.place_order(SESSION, ONE, "k", KIOSK, deps, NOW)
    assert isinstance(deps.records, MemoryResidentRecords)
    deps.records.records.clear()
    with pytest.raises(RecordUnavailable):
        service.place_order(SESSION, ONE, "k", KIOSK, deps, NOW)
    assert isinstance(deps.orders, MemoryKioskOrders)
    assert deps.orders.orders == {} and terminal(deps).payments == {}


@pytest.mark.parametrize(
    ("day", "written"),
    [
        ("1985-04-12", "昭和60年4月12日"),
        ("1989-01-07", "昭和64年1月7日"),
        ("1989-01-08", "平成元年1月8日"),
        ("2019-04-30", "平成31年4月30日"),
        ("2019-05-01", "令和元年5月1日"),
        ("2026-12-01", "令和8年12月1日"),
    ],
)
def test_dates_are_written_in_the_japanese_era_calendar(day: str, written: str) -> None:
    assert wareki(datetime.fromisoformat(day).date()) == written


def test_a_busy_reader_ends_the_order_and_cancels_its_payment(deps: service.OrderDeps) -> None:
    terminal(deps).busy = True
    with pytest.raises(NoTerminal):
        service.place_order(SESSION, ONE, "key-1", KIOSK, deps, NOW)
    (order,) = deps.orders.orders.values() if isinstance(deps.orders, MemoryKioskOrders) else ()
    assert order.state == "canceled"
    assert [p.status for p in terminal(deps).payments.values()] == ["canceled"]


def orders(deps: service.OrderDeps) -> MemoryKioskOrders:
    assert isinstance(deps.orders, MemoryKioskOrders)
    return deps.orders


def test_an_issued_order_emits_received_and_completed_once_on_the_kiosk_channel(deps: service.OrderDeps) -> None:
    placed = service.place_order(SESSION, ONE, "key-1", KIOSK, deps, NOW)
    assert orders(deps).events == []  # placing is not yet a receipt: nothing paid, nothing issued
    order = deps.orders.get(placed.order_id)
    assert order is not None and order.payment_intent_id
    terminal(deps).settle(order.payment_intent_id, paid=True)
    issued_at = NOW + timedelta(minutes=2)
    service.get_order(SESSION, placed.order_id, KIOSK, deps, issued_at)
    service.get_order(SESSION, placed.order_id, KIOSK, deps, issued_at + timedelta(seconds=5))  # no second issue
    received, completed, paid = orders(deps).events
    assert (paid.type, paid.channel, paid.procedure_id, paid.occurred_at) == (
        "payment_succeeded",
        "kiosk",
        "juminhyo",
        issued_at,
    )
    assert (received.type, received.channel, received.procedure_id, received.occurred_at) == (
        "received",
        "kiosk",
        "juminhyo",
        NOW,
    )
    assert (completed.type, completed.occurred_at, completed.received_at, completed.handling_started_at) == (
        "completed",
        issued_at,
        NOW,
        NOW,
    )
    assert completed.lead_minutes() == 2
    assert {received.id, completed.id} == {f"kiosk:{placed.order_id}:received", f"kiosk:{placed.order_id}:issued"}
    # no personal data: the event names the order, never the resident
    assert "resident-1" not in received.model_dump_json() + completed.model_dump_json()


def test_declined_orders_emit_a_failed_payment_and_cancelled_ones_nothing(deps: service.OrderDeps) -> None:
    declined = service.place_order(SESSION, ONE, "key-1", KIOSK, deps, NOW)
    order = deps.orders.get(declined.order_id)
    assert order is not None and order.payment_intent_id
    terminal(deps).settle(order.payment_intent_id, paid=False)
    assert service.get_order(SESSION, declined.order_id, KIOSK, deps, NOW).state == "declined"
    cancelled = service.place_order(SESSION, ONE, "key-2", KIOSK, deps, NOW)
    assert service.cancel_order(SESSION, cancelled.order_id, KIOSK, deps, NOW).state == "canceled"
    assert service.get_order(SESSION, declined.order_id, KIOSK, deps, NOW).state == "declined"  # polled again
    [failed] = orders(deps).events  # no receipt: nothing was asked of the city; the card's decline counts once
    assert (failed.type, failed.channel, failed.procedure_id, failed.id) == (
        "payment_failed",
        "kiosk",
        "juminhyo",
        f"kiosk:{declined.order_id}:payment_failed",
    )


KOSEKI = OrderRequest(certificate="koseki-shomei", copies=1)


@pytest.fixture
def site(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The deployment's SITE_URL: where the printed QR code points (settings are cached: cleared both ways)."""
    monkeypatch.setenv("SITE_URL", "https://city.example")
    settings.cache_clear()
    yield
    settings.cache_clear()


@pytest.mark.usefixtures("site")
def test_a_family_register_certificate_is_made_from_the_register_and_registered(deps: service.OrderDeps) -> None:
    registry = MemoryCertificateRegistry()
    deps = dataclasses.replace(deps, certificates=registry)
    placed = service.place_order(SESSION, KOSEKI, "key-1", KIOSK, deps, NOW)
    assert (placed.state, placed.amount) == ("awaiting_payment", 450)  # the catalogue's fee for koseki-shomei
    order = deps.orders.get(placed.order_id)
    assert order is not None and order.payment_intent_id
    terminal(deps).settle(order.payment_intent_id, paid=True)
    issued = service.get_order(SESSION, placed.order_id, KIOSK, deps, NOW)
    assert issued.state == "issued" and issued.pdf is not None and issued.issue_number
    text = PdfReader(io.BytesIO(base64.b64decode(issued.pdf))).pages[0].extract_text()
    for shown in (
        "戸籍全部事項証明書",
        "本籍　三重県四日市市諏訪町1番地",
        "氏名　市民 一郎",
        "【生年月日】昭和60年4月12日",
        "【婚姻日】平成26年6月1日",
        "市民 美咲",
        "市民 桜",
        "これは、戸籍に記録されている事項の全部を証明した書面である。",
        "照合番号",
    ):
        assert shown in text, shown
    registered = registry.get(issued.issue_number)
    assert registered is not None
    assert (registered.kind, registered.title, registered.channel) == ("koseki-shomei", "戸籍全部事項証明書", "kiosk")


@pytest.mark.parametrize("resident", ["resident-2", "resident-pt"])  # 本籍 elsewhere; a foreign resident (no 戸籍)
def test_a_register_the_city_does_not_keep_is_refused_before_payment(deps: service.OrderDeps, resident: str) -> None:
    assert isinstance(deps.sessions, MemoryKioskSessions)
    theirs = "C" * 22
    deps.sessions.sessions[theirs] = deps.sessions.sessions[SESSION].model_copy(
        update={"id": theirs, "resident_id": resident}
    )
    with pytest.raises(NoFamilyRegister) as refused:
        service.place_order(theirs, KOSEKI, "key-1", KIOSK, deps, NOW)
    assert refused.value.status == 409
    assert isinstance(deps.orders, MemoryKioskOrders)
    assert deps.orders.orders == {} and terminal(deps).payments == {}  # nothing recorded, the terminal never asked
    assert "本籍地の市区町村に請求してください" in message(refused.value.code, "ja")
    assert "domicílio registrado (honseki)" in message(refused.value.code, "pt")


def test_a_register_no_longer_kept_issues_no_pdf(deps: service.OrderDeps) -> None:
    placed = service.place_order(SESSION, KOSEKI, "key-1", KIOSK, deps, NOW)
    order = deps.orders.get(placed.order_id)
    assert order is not None and order.payment_intent_id
    terminal(deps).settle(order.payment_intent_id, paid=True)
    assert isinstance(deps.registers, MemoryFamilyRegisters)
    deps.registers.registers.clear()  # 転籍 between the order and the print
    with pytest.raises(RecordUnavailable):
        service.get_order(SESSION, placed.order_id, KIOSK, deps, NOW)


def test_a_register_longer_than_a_page_continues_with_the_attestation_last() -> None:
    register = family_registers()["resident-1"]
    many = register.model_copy(update={"members": register.members * 4})  # 12 members: three pages or so
    order = KioskOrder(
        id="x" * 22,
        session_id=SESSION,
        kiosk="kiosk-1",
        resident_id="resident-1",
        certificate="koseki-shomei",
        copies=1,
        scope="self",
        amount=450,
        state="issued",
        created_at=NOW,
        issue_number="K2026-000001",
        verification_code="ABCDEF123456",
        issued_at=NOW,
    )
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(koseki_pdf(order, many))).pages]
    assert len(pages) > 1
    assert sum(page.count("戸籍に記録されている者") for page in pages) == 12
    assert "事項の全部を証明した書面" in pages[-1] and all("全部を証明" not in page for page in pages[:-1])
    assert all("（続き）交付番号 K2026-000001" in page for page in pages[1:])
