"""Application logic with in-memory fakes: fees through the payment port, idempotency, visits, proxy input,
notifications that carry no personal data, and who may do what."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from infra.seed import procedures
from madoguchi.applications import service as logic
from madoguchi.applications.models import (
    Attachment,
    CreateApplication,
    DecisionRequest,
    SubmitRequest,
    UpdateAnswers,
    UploadRequest,
    VisitRequest,
)
from madoguchi.shared.auth import Caller, DeviceKind, Role
from madoguchi.shared.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from madoguchi.shared.settings import settings
from tests.fakes.applications import (
    EffectsWorker,
    MemoryApplicationStore,
    MemoryAttachments,
    MemoryMailer,
    resident_one,
)
from tests.fakes.certificates import MemoryCertificateRegistry, certificate_sources
from tests.fakes.payments import MemoryPayments
from tests.fakes.procedures import MemoryProcedureStore

NOW = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
RESIDENT = Caller(sub="resident-1", role=Role.RESIDENT)
OTHER = Caller(sub="resident-2", role=Role.RESIDENT)
SHIMIN = Caller(sub="staff-shimin", role=Role.STAFF, department="shimin")
KODOMO = Caller(sub="staff-kodomo", role=Role.STAFF, department="kodomo")
KIOSK = Caller(sub="kiosk-1", role=Role.DEVICE, device_kind=DeviceKind.KIOSK)
TICKET = Caller(sub="ticket-1", role=Role.DEVICE, device_kind=DeviceKind.TICKET_MACHINE)
JUMINHYO = {"subject": "self", "copies": 2, "purpose": "bank", "delivery": "post"}


@pytest.fixture(autouse=True)
def site(monkeypatch: pytest.MonkeyPatch) -> Any:
    # Links are built from the deployment's SITE_URL only; do not leave these settings cached for other tests.
    monkeypatch.setenv("SITE_URL", "https://city.example")
    settings.cache_clear()
    yield
    settings.cache_clear()


@pytest.fixture
def world() -> dict[str, Any]:
    store = MemoryApplicationStore()
    store.put_resident(resident_one(lang="pt"))
    catalogue = MemoryProcedureStore(procedures())
    w: dict[str, Any] = {
        "store": store,
        "procedures": catalogue,
        "files": MemoryAttachments(),
        "mail": MemoryMailer(),
        "pay": MemoryPayments(),
    }
    w["registry"] = MemoryCertificateRegistry()
    w["deps"] = logic.ApplicationDeps(
        store, catalogue, w["files"], lambda: w["pay"], issuing=certificate_sources(w["registry"])
    )
    w["worker"] = EffectsWorker(store, w["files"], w["mail"], lambda: w["pay"], lambda: NOW)
    return w


def draft(
    w: dict[str, Any],
    procedure: str = "juminhyo",
    answers: dict[str, Any] | None = None,
    caller: Caller = RESIDENT,
    **extra: Any,
):
    request = CreateApplication(procedure=procedure, answers=answers if answers is not None else JUMINHYO, **extra)
    return logic.create(request, caller, w["deps"], NOW, lang="ja")


def attach_valid(w: dict[str, Any], application_id: str, kind: str = "identity_document") -> None:
    w["store"].add_attachment(
        application_id,
        Attachment(
            id=f"f-{kind}",
            kind=kind,
            content_type="image/jpeg",
            status="valid",
            key=f"files/{application_id}/x",
            created_at=NOW,
        ),
    )


def submit(w: dict[str, Any], application_id: str, caller: Caller = RESIDENT, key: str | None = None):
    request = SubmitRequest(return_url="https://city.example/apply/")
    return logic.submit(application_id, request, caller, w["deps"], NOW, idempotency_key=key)


def test_prefill_from_city_records_and_never_asked_again(world):
    a = draft(world)
    assert a.answers["applicant_name"] == "市民 一郎" and "applicant_name" in a.prefilled
    with pytest.raises(InvalidInput) as e:
        draft(world, answers={**JUMINHYO, "applicant_address": "elsewhere"})
    assert e.value.fields == [(["body", "answers", "applicant_address"], "field_prefilled")]


def test_fee_goes_through_the_payment_port_and_the_gateway_decides(world):
    a = draft(world)
    attach_valid(world, a.id)
    waiting = submit(world, a.id)
    assert waiting.status == "awaiting_payment" and waiting.payment is not None
    [session] = world["pay"].sessions.values()
    assert waiting.fee_yen == 600 and session.amount == 600
    assert session.reference == f"application:{a.id}"
    assert world["pay"].locales[session.session_id] == "pt"  # the resident's language

    # Coming back without paying changes nothing; after paying, the gateway's word receives it
    def back(caller: Caller) -> Any:
        return logic.confirm_payment(a.id, caller, world["deps"], NOW)

    assert back(RESIDENT).status == "awaiting_payment"
    world["pay"].pay(session.session_id)
    received = back(RESIDENT)
    assert received.status == "received" and received.payment and received.payment.paid
    assert back(RESIDENT).status == "received"  # idempotent
    with pytest.raises(NotFound):
        back(OTHER)


def test_free_procedure_skips_payment(world):
    answers = {"child_name": "市民 次郎", "child_date_of_birth": "2021-01-01", "insurance_type": "kokuho"}
    a = draft(world, "kodomo-iryohi-josei", answers)
    attach_valid(world, a.id, "insurance_card")
    assert submit(world, a.id).status == "received" and not world["pay"].sessions


def test_same_idempotency_key_creates_and_submits_once(world):
    request = CreateApplication(procedure="juminhyo", answers=JUMINHYO)
    first = logic.create(request, RESIDENT, world["deps"], NOW, lang="ja", idempotency_key="k1")
    second = logic.create(request, RESIDENT, world["deps"], NOW, lang="ja", idempotency_key="k1")
    assert first.id == second.id and len(world["store"].applications) == 1
    attach_valid(world, first.id)
    a = submit(world, first.id, key="s1")
    b = submit(world, first.id, key="s1")
    assert a.status == b.status == "awaiting_payment" and len(world["pay"].sessions) == 1


def test_a_retried_upload_request_with_the_same_key_is_the_same_attachment_until_its_file_is_checked(world):
    a = draft(world)
    photo = UploadRequest(kind="identity_document", content_type="image/jpeg")
    first = logic.request_upload(a.id, photo, RESIDENT, world["deps"], NOW, idempotency_key="u1")
    later = NOW + timedelta(minutes=1)
    again = logic.request_upload(a.id, photo, RESIDENT, world["deps"], later, idempotency_key="u1")
    assert again.attachment_id == first.attachment_id and again.fields == first.fields
    assert list(world["store"].attachments[a.id]) == [first.attachment_id]
    assert [e.action for e in world["store"].audits[a.id]].count("upload_requested") == 1
    # Another key, or none, is another attachment
    other = logic.request_upload(a.id, photo, RESIDENT, world["deps"], NOW, idempotency_key="u2")
    fresh = logic.request_upload(a.id, photo, RESIDENT, world["deps"], NOW)
    assert len({first.attachment_id, other.attachment_id, fresh.attachment_id}) == 3
    # Once the file has arrived and been checked, the first answer did arrive: the same key is refused
    pending = world["store"].attachment(a.id, first.attachment_id)
    world["store"].mark_attachment(a.id, pending.model_copy(update={"status": "valid", "checked_at": NOW}))
    with pytest.raises(Conflict):
        logic.request_upload(a.id, photo, RESIDENT, world["deps"], later, idempotency_key="u1")
    assert world["store"].attachment(a.id, first.attachment_id).status == "valid"


def test_a_failed_write_leaves_nothing(world, monkeypatch):
    answers = {"child_name": "市民 次郎", "child_date_of_birth": "2021-01-01", "insurance_type": "kokuho"}
    a = draft(world, "kodomo-iryohi-josei", answers)
    attach_valid(world, a.id, "insurance_card")

    def lost_race(*args: Any, **kwargs: Any) -> None:
        raise Conflict()

    monkeypatch.setattr(world["store"], "save", lost_race)
    with pytest.raises(Conflict):
        submit(world, a.id)
    assert world["store"].applications[a.id].status == "draft"
    # Nothing is owed either: the effects are written in the change's transaction, or not at all.
    assert not world["store"].effects and not world["store"].verifications


def test_invalid_or_pending_attachments_block_submit(world):
    a = draft(world)
    world["store"].add_attachment(
        a.id, Attachment(id="f-1", kind="identity_document", content_type="image/jpeg", key="uploads/x", created_at=NOW)
    )
    with pytest.raises(logic.AttachmentNotValid):
        submit(world, a.id)
    b = draft(world)
    with pytest.raises(InvalidInput) as e:
        submit(world, b.id)
    assert e.value.fields == [(["body", "attachments", "identity_document"], "attachment_missing")]


def test_notifications_carry_the_number_status_and_link_only(world):
    answers = {"child_name": "市民 次郎", "child_date_of_birth": "2021-01-01", "insurance_type": "kokuho"}
    a = draft(world, "kodomo-iryohi-josei", answers)
    attach_valid(world, a.id, "insurance_card")
    submit(world, a.id)
    logic.decide(
        a.id,
        DecisionRequest(decision="return", reason="保険証が不鮮明"),
        KODOMO,
        world["deps"],
        NOW,
    )
    assert world["mail"].sent == []  # owed with each change, sent by the outbox worker
    world["worker"].deliver()
    assert len(world["mail"].sent) == 2
    for effect in world["store"].effects:  # the outbox holds ids and amounts, nothing personal
        for private in ("ichiro@example.jp", "市民", "2021-01-01", "保険証が不鮮明"):
            assert private not in effect.model_dump_json()
    for to, subject, body in world["mail"].sent:
        assert to == "ichiro@example.jp" and a.code in subject
        for private in ("市民 一郎", "市民 次郎", "2021-01-01", "諏訪町", "保険証が不鮮明", "059"):
            assert private not in subject + body
    assert "Seu pedido foi recebido." in world["mail"].sent[0][1]  # the resident's language (pt)
    assert f"/apply/?id={a.id}" in world["mail"].sent[1][2]


def test_visit_prefills_and_expires(world):
    visit = logic.open_visit(
        VisitRequest(name="四日 市子", address="四日市市", date_of_birth="1970-01-02", sex="female"),
        KIOSK,
        world["deps"],
        NOW,
    )
    a = draft(world, caller=KIOSK, visit_id=visit.id)
    assert a.answers["applicant_name"] == "四日 市子" and a.channel == "kiosk"
    later = NOW + timedelta(minutes=logic.VISIT_MINUTES + 1)
    with pytest.raises(logic.VisitExpired):
        logic.create(CreateApplication(procedure="juminhyo", visit_id=visit.id), KIOSK, world["deps"], later, lang="ja")


def test_proxy_input_records_who_typed_and_who_confirmed(world):
    a = draft(world, caller=SHIMIN, for_resident="resident-1")
    attach_valid(world, a.id)
    handed = submit(world, a.id, caller=SHIMIN)
    assert handed.status == "awaiting_confirmation"
    with pytest.raises(NotFound):
        logic.confirm(a.id, OTHER, world["deps"], NOW)
    done = logic.confirm(a.id, RESIDENT, world["deps"], NOW)
    assert (done.status, done.typed_by, done.confirmed_by) == ("received", "staff-shimin", "resident-1")


@pytest.mark.parametrize(
    ("caller", "error"),
    [(None, Unauthorized), (TICKET, Forbidden), (KODOMO, Forbidden)],
)
def test_who_may_not_start_a_juminhyo(world, caller, error):
    with pytest.raises(error):
        draft(world, caller=caller) if caller is not None else logic.create(
            CreateApplication(procedure="juminhyo"), None, world["deps"], NOW, lang="ja"
        )


def test_kiosk_only_makes_certificate_requests(world):
    visit = logic.open_visit(
        VisitRequest(name="a", address="b", date_of_birth="1970-01-02", sex="male"), KIOSK, world["deps"], NOW
    )
    with pytest.raises(Forbidden):
        draft(world, "jido-teate", {}, caller=KIOSK, visit_id=visit.id)
    with pytest.raises(Forbidden):
        logic.open_visit(
            VisitRequest(name="a", address="b", date_of_birth="1970-01-02", sex="male"), TICKET, world["deps"], NOW
        )


def test_others_cannot_read_or_decide(world):
    a = draft(world)
    with pytest.raises(NotFound):
        logic.get(a.id, OTHER, world["deps"], NOW)
    with pytest.raises(Forbidden):
        logic.get(a.id, KODOMO, world["deps"], NOW)
    with pytest.raises(Forbidden):
        logic.get(a.id, KIOSK, world["deps"], NOW)
    with pytest.raises(Forbidden):
        logic.decide(a.id, DecisionRequest(decision="approve"), RESIDENT, world["deps"], NOW)
    logic.get(a.id, SHIMIN, world["deps"], NOW)
    assert [(e.actor, e.action) for e in world["store"].audits[a.id]][-1] == ("staff-shimin", "viewed")


def test_reconciliation_receives_a_paid_fee_whose_webhook_was_lost(world):
    # Given two applications waiting for their fee; one is paid, but its webhook never arrived
    paid, unpaid = draft(world), draft(world, answers={**JUMINHYO, "copies": 1})
    for a in (paid, unpaid):
        attach_valid(world, a.id)
        submit(world, a.id)
    [session] = [s for s in world["pay"].sessions.values() if s.reference == f"application:{paid.id}"]
    world["pay"].pay(session.session_id)

    # When reconciliation runs too early, nothing is asked yet; after the wait, the gateway's word decides
    def reconcile(at: datetime) -> dict[str, int]:
        return logic.reconcile_payments(world["deps"], at, after_minutes=5)

    early = reconcile(NOW)
    assert early == {"checked": 0, "received": 0, "reopened": 0}
    later = NOW + timedelta(minutes=6)
    assert reconcile(later) == {"checked": 2, "received": 1, "reopened": 0}
    assert world["store"].get(paid.id).status == "received"
    assert world["store"].get(unpaid.id).status == "awaiting_payment"
    # and a second run asks only about what still waits
    again = reconcile(later)
    assert again == {"checked": 1, "received": 0, "reopened": 0}


# --- issue 13 ---------------------------------------------------------------------------------------------------


def snapshot(w: dict[str, Any], application_id: str) -> tuple[Any, ...]:
    record = w["store"].record(application_id)
    return (record.application, len(record.verifications), len(w["pay"].sessions), list(w["pay"].refunds))


@pytest.mark.parametrize(
    "return_url",
    ["https://city.example@evil.example/apply/", "https://city.example.evil.example/", "//evil.example/", "/apply/"],
)
def test_flaw2_a_return_url_off_the_site_is_refused_and_nothing_changes(world, return_url):
    a = draft(world)
    attach_valid(world, a.id)
    before = snapshot(world, a.id)
    with pytest.raises(InvalidInput) as e:
        logic.submit(a.id, SubmitRequest(return_url=return_url), RESIDENT, world["deps"], NOW)
    assert e.value.fields == [(["body", "return_url"], "field_invalid")]
    assert snapshot(world, a.id) == before and not world["mail"].sent


def test_flaw2_e_mail_links_point_at_the_application_page_of_the_site(world):
    a = draft(world)
    attach_valid(world, a.id)
    logic.submit(a.id, SubmitRequest(return_url="https://city.example/apply/?lang=pt"), RESIDENT, world["deps"], NOW)
    world["worker"].deliver()
    [(_, _, body)] = world["mail"].sent
    assert body.splitlines()[-1] == f"https://city.example/apply/?id={a.id}&lang=pt"


def pay_all(w: dict[str, Any], application_id: str) -> None:
    for session in list(w["pay"].sessions.values()):
        if session.reference == f"application:{application_id}" and session.status == "open":
            w["pay"].pay(session.session_id)
    logic.confirm_payment(application_id, RESIDENT, w["deps"], NOW)


def returned_after_paying(w: dict[str, Any], copies: int) -> Any:
    a = draft(w, answers={**JUMINHYO, "copies": copies})
    attach_valid(w, a.id)
    submit(w, a.id)
    pay_all(w, a.id)
    assert w["store"].get(a.id).status == "received"
    logic.decide(a.id, DecisionRequest(decision="return", reason="r"), SHIMIN, w["deps"], NOW)
    return a


def test_flaw3_more_copies_after_paying_charge_the_difference(world):
    a = returned_after_paying(world, 1)
    logic.update_answers(a.id, UpdateAnswers(answers={"copies": 10}), RESIDENT, world["deps"], NOW)
    waiting = submit(world, a.id)
    assert waiting.status == "awaiting_payment" and waiting.fee_yen == 3000
    assert waiting.payment is not None and waiting.payment.amount_yen == 2700 and not waiting.payment.paid
    # the certificate cannot be issued on the old payment
    world["store"].applications[a.id] = waiting.model_copy(update={"status": "approved"})
    with pytest.raises(logic.FeeUnpaid):
        logic.issue_certificate(a.id, SHIMIN, world["deps"], NOW)
    world["store"].applications[a.id] = waiting
    pay_all(world, a.id)
    received = world["store"].get(a.id)
    assert received.status == "received" and [c.amount_yen for c in received.charges] == [300, 2700]


def test_flaw3_fewer_copies_refund_the_surplus_once(world):
    a = returned_after_paying(world, 3)
    logic.update_answers(a.id, UpdateAnswers(answers={"copies": 1}), RESIDENT, world["deps"], NOW)
    received = submit(world, a.id, key="again")
    assert received.status == "received" and received.fee_yen == 300
    assert [r.amount_yen for r in received.refunds] == [600] and world["pay"].refunds == []  # owed, not sent
    assert submit(world, a.id, key="again").version == received.version  # a retry owes nothing more
    world["worker"].deliver()
    assert [amount for _, amount, _ in world["pay"].refunds] == [600]
    world["worker"].deliver()
    assert [amount for _, amount, _ in world["pay"].refunds] == [600]


def test_flaw3_rejecting_a_paid_application_refunds_it_once(world):
    a = returned_after_paying(world, 2)
    submit(world, a.id)
    decision = DecisionRequest(decision="reject", reason="不備")
    rejected = logic.decide(a.id, decision, SHIMIN, world["deps"], NOW)
    assert rejected.status == "rejected" and rejected.charges[0].refunded_yen == 600
    world["worker"].deliver()
    assert [amount for _, amount, _ in world["pay"].refunds] == [600]
    with pytest.raises(logic.NotEditable):
        logic.decide(a.id, decision, SHIMIN, world["deps"], NOW)
    world["worker"].deliver()
    assert len(world["pay"].refunds) == 1


def test_flaw5_one_staff_account_cannot_type_confirm_approve_and_issue(world):
    typed = draft(world, caller=SHIMIN, for_resident="resident-1")
    attach_valid(world, typed.id)
    assert submit(world, typed.id, caller=SHIMIN).status == "awaiting_confirmation"
    before = snapshot(world, typed.id)
    with pytest.raises(logic.ResidentMustConfirm):
        logic.confirm(typed.id, SHIMIN, world["deps"], NOW)
    assert snapshot(world, typed.id) == before
    logic.confirm(typed.id, RESIDENT, world["deps"], NOW)
    received = snapshot(world, typed.id)
    with pytest.raises(logic.FourEyes):
        logic.decide(typed.id, DecisionRequest(decision="approve"), SHIMIN, world["deps"], NOW)
    assert snapshot(world, typed.id) == received
    other = Caller(sub="staff-shimin-2", role=Role.STAFF, department="shimin")
    assert logic.decide(typed.id, DecisionRequest(decision="approve"), other, world["deps"], NOW).status == "approved"


def test_flaw8_an_expired_checkout_gives_the_application_back(world):
    a = draft(world)
    attach_valid(world, a.id)
    first = submit(world, a.id)
    assert first.payment is not None
    world["pay"].expire_checkout(first.payment.session_id)
    # the resident coming back finds it editable again, and the next submit makes a fresh checkout
    back = logic.confirm_payment(a.id, RESIDENT, world["deps"], NOW)
    assert back.status == "draft" and back.payment is None
    again = submit(world, a.id)
    assert again.status == "awaiting_payment" and again.payment.session_id != first.payment.session_id


def test_flaw8_editing_while_waiting_closes_the_checkout_first(world):
    a = draft(world)
    attach_valid(world, a.id)
    first = submit(world, a.id)
    changed = logic.update_answers(a.id, UpdateAnswers(answers={"copies": 3}), RESIDENT, world["deps"], NOW)
    assert changed.status == "draft" and changed.answers["copies"] == 3
    assert world["pay"].sessions[first.payment.session_id].status == "expired"  # the old amount cannot be paid


def test_flaw8_editing_a_checkout_paid_meanwhile_receives_it_and_refuses_the_edit(world):
    a = draft(world)
    attach_valid(world, a.id)
    first = submit(world, a.id)
    world["pay"].pay(first.payment.session_id)
    with pytest.raises(logic.NotEditable):
        logic.update_answers(a.id, UpdateAnswers(answers={"copies": 3}), RESIDENT, world["deps"], NOW)
    assert world["store"].get(a.id).status == "received" and world["store"].get(a.id).answers["copies"] == 2


def test_flaw8_reconciliation_pages_past_the_first_hundred_and_reopens_expired(world):
    ids = []
    for _ in range(7):
        a = draft(world)
        attach_valid(world, a.id)
        ids.append(submit(world, a.id))
    for waiting in ids[:6]:
        world["pay"].expire_checkout(waiting.payment.session_id)  # abandoned
    world["pay"].pay(ids[6].payment.session_id)
    later = NOW + timedelta(minutes=6)
    counts = logic.reconcile_payments(world["deps"], later, after_minutes=5, page=2)
    assert counts == {"checked": 7, "received": 1, "reopened": 6}
    assert world["store"].get(ids[6].id).status == "received"
    assert {world["store"].get(w.id).status for w in ids[:6]} == {"draft"}


# --- domain events (the outbox; docs/metrics.md) ----------------------------------------------------------------


def test_events_one_receipt_a_return_and_one_completion_at_the_certificates_issue(world):
    # Given a paid online residence certificate, returned once and resubmitted
    a = returned_after_paying(world, 1)
    logic.update_answers(a.id, UpdateAnswers(answers={"copies": 1}), RESIDENT, world["deps"], NOW)
    later = NOW + timedelta(hours=2)
    logic.submit(a.id, SubmitRequest(return_url="https://city.example/apply/"), RESIDENT, world["deps"], later)
    # When staff review it, approve it and issue the certificate (twice: a copy is no second completion)
    review = later + timedelta(hours=1)
    logic.decide(a.id, DecisionRequest(decision="start_review"), SHIMIN, world["deps"], review)
    logic.decide(a.id, DecisionRequest(decision="approve"), SHIMIN, world["deps"], review + timedelta(minutes=5))
    done = review + timedelta(minutes=10)
    logic.issue_certificate(a.id, SHIMIN, world["deps"], done)
    logic.issue_certificate(a.id, SHIMIN, world["deps"], done)

    # Then: one receipt (the resubmission keeps the first), one return, one completion at the issue
    events = [e for e in world["store"].events if e.aggregate_id == a.id and not e.type.startswith("payment_")]
    assert [e.type for e in events] == ["received", "returned", "completed"]
    received, _, completed = events
    assert (received.channel, received.procedure_id, received.occurred_at) == ("online", "juminhyo", NOW)
    assert completed.received_at == NOW and completed.handling_started_at == review
    assert completed.occurred_at == done and completed.lead_minutes() == 190
    assert len({e.id for e in events}) == 3


def test_events_approval_completes_a_procedure_without_certificate(world):
    a = draft(world, "kodomo-iryohi-josei", {"child_name": "市民 太郎", "child_date_of_birth": "2020-05-05",
                                             "insurance_type": "kokuho"})  # fmt: skip
    attach_valid(world, a.id, "insurance_card")
    submit(world, a.id)
    logic.decide(a.id, DecisionRequest(decision="approve"), KODOMO, world["deps"], NOW + timedelta(days=2))
    events = [e for e in world["store"].events if e.aggregate_id == a.id]
    assert [e.type for e in events] == ["received", "completed"]
    assert events[1].lead_minutes() == 2 * 24 * 60 and events[1].handling_started_at is None


def test_events_a_failed_write_writes_no_event(world, monkeypatch):
    a = draft(world)
    attach_valid(world, a.id)

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise Conflict()

    monkeypatch.setattr(world["store"], "save", refuse)
    with pytest.raises(Conflict):
        submit(world, a.id)
    assert world["store"].events == []


# --- the certificate: the city's record, registered for checking (docs/certificates.md) -------------------------


def approved_juminhyo(w: dict[str, Any], answers: dict[str, Any] | None = None) -> Any:
    a = draft(w, answers=answers or {**JUMINHYO, "copies": 1})
    attach_valid(w, a.id)
    submit(w, a.id)
    pay_all(w, a.id)
    logic.decide(a.id, DecisionRequest(decision="approve"), SHIMIN, w["deps"], NOW)
    return a


def test_certificate_states_the_record_not_the_form_and_is_registered(world):
    from io import BytesIO

    from pypdf import PdfReader

    # Given an approved application whose form says an address the record writes differently
    a = approved_juminhyo(world)
    assert world["store"].get(a.id).answers["applicant_address"] == "四日市市諏訪町1番5号"
    # When staff issue the certificate
    issued, pdf = logic.issue_certificate(a.id, SHIMIN, world["deps"], NOW)
    text = "".join(p.extract_text() or "" for p in PdfReader(BytesIO(pdf)).pages)
    # Then it states the record (address, 和暦 birth date), not the form (phone, purpose) …
    assert "三重県四日市市諏訪町1番5号" in text and "昭和60年4月12日" in text
    assert "059-354-0001" not in text and "bank" not in text and "1985-04-12" not in text
    # … under a new issue number and code, registered with the PDF's hash and no personal data
    [entry] = world["registry"].certificates.values()
    assert entry.issue_number in text and re.search(r"照合番号 ([0-9A-F]{12})", text)
    assert entry.reference == f"application:{a.id}" and entry.department == "shimin" and entry.channel == "online"
    assert entry.pdf_sha256 == hashlib.sha256(pdf).hexdigest()
    assert "市民" not in entry.model_dump_json() and "諏訪" not in entry.model_dump_json()
    assert issued.status == "issued"
    audit = [e for e in world["store"].audits[a.id] if e.action == "issued"]
    assert audit and audit[0].detail == entry.issue_number
    # A second printing is a second certificate with its own number; the first stays valid
    _, again = logic.issue_certificate(a.id, SHIMIN, world["deps"], NOW)
    assert len(world["registry"].certificates) == 2 and again != pdf


def test_certificate_without_a_matching_record_is_refused_and_nothing_is_registered(world):
    a = approved_juminhyo(world)
    world["store"].applications[a.id] = (
        world["store"]
        .get(a.id)
        .model_copy(
            update={
                "owner": None,
                "answers": {
                    **JUMINHYO,
                    "applicant_name": "誰 か",
                    "applicant_address": "x",
                    "applicant_date_of_birth": "1970-01-01",
                },
            }
        )
    )
    with pytest.raises(logic.CertificateRecordUnavailable):
        logic.issue_certificate(a.id, SHIMIN, world["deps"], NOW)
    assert not world["registry"].certificates and world["store"].get(a.id).status == "approved"


def payments_of(world: dict[str, Any], application_id: str) -> list[tuple[str, str, str]]:
    return [
        (e.type, e.procedure_id, e.channel)
        for e in world["store"].events
        if e.aggregate_id == application_id and e.type.startswith("payment_")
    ]


def test_events_a_fee_paid_counts_one_success_whichever_path_learns_it_first(world):
    a = draft(world)
    attach_valid(world, a.id)
    waiting = submit(world, a.id)
    assert payments_of(world, a.id) == []  # a checkout opened is no outcome yet
    state = world["pay"].pay(waiting.payment.session_id)
    logic.record_payment(state, world["deps"], NOW)  # the webhook
    logic.record_payment(state, world["deps"], NOW)  # the same webhook redelivered
    logic.confirm_payment(a.id, RESIDENT, world["deps"], NOW)  # the resident coming back
    logic.reconcile_payments(world["deps"], NOW + timedelta(minutes=6), after_minutes=5)  # the reconciler
    assert payments_of(world, a.id) == [("payment_succeeded", "juminhyo", "online")]


def test_events_a_checkout_expired_unpaid_counts_one_failure(world):
    a = draft(world)
    attach_valid(world, a.id)
    waiting = submit(world, a.id)
    world["pay"].expire_checkout(waiting.payment.session_id)
    logic.confirm_payment(a.id, RESIDENT, world["deps"], NOW)
    logic.reconcile_payments(world["deps"], NOW + timedelta(minutes=6), after_minutes=5)  # finds nothing waiting
    assert payments_of(world, a.id) == [("payment_failed", "juminhyo", "online")]


@pytest.mark.parametrize(
    ("department", "channel"), [("onestop", "onestop"), ("chiku", "onestop"), ("shimin", "counter")]
)
def test_events_an_application_typed_at_the_one_stop_counter_is_received_on_the_onestop_channel(
    world, department, channel
):
    clerk = Caller(sub=f"staff-{department}", role=Role.STAFF, department=department)
    a = draft(world, caller=clerk, for_resident="resident-1")
    assert a.channel == "counter" and a.typed_at == department  # the application stays a counter application
    attach_valid(world, a.id)
    submit(world, a.id, caller=clerk)
    logic.confirm(a.id, RESIDENT, world["deps"], NOW)
    [received] = [e for e in world["store"].events if e.aggregate_id == a.id]
    assert (received.type, received.channel) == ("received", channel)
