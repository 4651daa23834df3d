"""Resident flows (issue 16, faults 4, 5 and 8) on the in-memory fakes: drafts resumed rather than multiplied and
deletable by their resident only; a step checked before "check your answers"; translated upload reasons; a fee
receipt for every application fee; booking e-mails (confirmed, cancelled, refund) in the resident's language
with a link to the booking; the refund stated before a cancellation is confirmed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from infra.seed import procedures
from infra.seed.facilities import facilities
from madoguchi.applications import service as applications
from madoguchi.applications.models import (
    Attachment,
    CreateApplication,
    SubmitRequest,
    UpdateAnswers,
)
from madoguchi.reservations import service as reservations
from madoguchi.reservations.models import CancelRequest, CheckoutRequest, HoldRequest, SlotRef
from madoguchi.reservations.store import Contact
from madoguchi.shared.auth import Caller, Role
from madoguchi.shared.errors import Forbidden, InvalidInput, NotFound, Unauthorized
from madoguchi.shared.i18n import message
from madoguchi.shared.settings import settings
from tests.fakes.applications import (
    EffectsWorker,
    MemoryApplicationStore,
    MemoryAttachments,
    MemoryMailer,
    resident_one,
)
from tests.fakes.payments import MemoryPayments
from tests.fakes.procedures import MemoryProcedureStore
from tests.fakes.reservations import MemoryContacts, MemoryReservationStore, ReservationOutbox

NOW = datetime(2030, 5, 1, 1, 0, tzinfo=UTC)  # Wednesday 1 May 2030, 10:00 in Tokyo
RESIDENT = Caller(sub="resident-1", role=Role.RESIDENT)
OTHER = Caller(sub="resident-2", role=Role.RESIDENT)
SHIMIN = Caller(sub="staff-shimin", role=Role.STAFF, department="shimin")
JUMINHYO = {"subject": "self", "copies": 1, "purpose": "bank", "delivery": "pickup"}


@pytest.fixture(autouse=True)
def site(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("SITE_URL", "https://city.example")
    settings.cache_clear()
    yield
    settings.cache_clear()


@pytest.fixture
def world() -> dict[str, Any]:
    store = MemoryApplicationStore()
    store.put_resident(resident_one(lang="pt"))
    catalogue = MemoryProcedureStore(procedures())
    w: dict[str, Any] = {"store": store, "files": MemoryAttachments(), "mail": MemoryMailer(), "pay": MemoryPayments()}
    w["deps"] = applications.ApplicationDeps(store, catalogue, w["files"], lambda: w["pay"])
    w["worker"] = EffectsWorker(store, w["files"], w["mail"], lambda: w["pay"], lambda: NOW)
    return w


def start(w: dict[str, Any], procedure: str = "juminhyo", caller: Caller = RESIDENT) -> Any:
    return applications.create(CreateApplication(procedure=procedure), caller, w["deps"], NOW, lang="ja")


def attach(w: dict[str, Any], application_id: str, status: str = "valid", reason: str | None = None) -> None:
    w["store"].add_attachment(
        application_id,
        Attachment(
            id=f"f-{status}",
            kind="identity_document",
            content_type="image/jpeg",
            status=status,
            reason=reason,
            key=f"files/{application_id}/{status}",
            created_at=NOW,
        ),
    )


# --- fault 8: drafts ---------------------------------------------------------------------------------------------


def test_choosing_a_procedure_again_resumes_its_open_draft(world):
    first = start(world)
    assert start(world).id == first.id  # the same draft, not a second one
    assert start(world, "inkan-toroku-shomei").id != first.id  # another procedure: its own draft
    mine = applications.mine(None, RESIDENT, world["deps"], NOW, lang="en").applications
    assert sorted(a.procedure for a in mine) == ["inkan-toroku-shomei", "juminhyo"]
    assert all(a.created_at == NOW and a.updated_at == NOW for a in mine)  # dated


def test_a_submitted_application_is_not_resumed_a_new_draft_starts(world):
    first = start(world)
    applications.update_answers(first.id, UpdateAnswers(answers=JUMINHYO), RESIDENT, world["deps"], NOW)
    attach(world, first.id)
    applications.submit(first.id, SubmitRequest(), RESIDENT, world["deps"], NOW)
    assert start(world).id != first.id


def test_the_resident_deletes_their_draft_with_its_files(world):
    a = start(world)
    attach(world, a.id)
    applications.delete_draft(a.id, RESIDENT, world["deps"], NOW)
    assert world["store"].get(a.id) is None and world["store"].by_code(a.code) is None
    assert f"files/{a.id}/valid" not in world["files"].objects
    with pytest.raises(NotFound):  # gone
        applications.delete_draft(a.id, RESIDENT, world["deps"], NOW)


@pytest.mark.parametrize(
    ("caller", "error"),
    [(OTHER, NotFound), (None, Unauthorized), (SHIMIN, Forbidden)],
    ids=["other resident", "stranger", "staff"],
)
def test_nobody_else_deletes_a_draft(world, caller, error):
    a = start(world)
    with pytest.raises(error):
        applications.delete_draft(a.id, caller, world["deps"], NOW)
    assert world["store"].get(a.id) is not None


def test_a_submitted_application_cannot_be_deleted(world):
    a = start(world)
    applications.update_answers(a.id, UpdateAnswers(answers=JUMINHYO), RESIDENT, world["deps"], NOW)
    attach(world, a.id)
    applications.submit(a.id, SubmitRequest(), RESIDENT, world["deps"], NOW)
    with pytest.raises(applications.NotDeletable) as e:
        applications.delete_draft(a.id, RESIDENT, world["deps"], NOW)
    assert e.value.status == 409
    assert world["store"].get(a.id) is not None
    assert "excluído" in message("application_not_deletable", "pt")


# --- fault 5: the step is checked before "check your answers" ---------------------------------------------------


def test_an_empty_step_lists_every_missing_answer_and_file_and_saves_nothing(world):
    a = start(world)
    with pytest.raises(InvalidInput) as e:
        applications.update_answers(a.id, UpdateAnswers(answers={}, complete=True), RESIDENT, world["deps"], NOW)
    paths = [tuple(path[1:]) for path, _ in e.value.fields]
    assert ("answers", "subject") in paths and ("answers", "copies") in paths
    assert ("attachments", "identity_document") in paths
    assert world["store"].get(a.id).version == a.version  # nothing written


def test_a_rejected_photo_is_named_with_its_reason_translated(world):
    a = start(world)
    attach(world, a.id, status="rejected", reason="file_type_mismatch")
    with pytest.raises(InvalidInput) as e:
        applications.update_answers(a.id, UpdateAnswers(answers=JUMINHYO, complete=True), RESIDENT, world["deps"], NOW)
    assert e.value.fields == [(["body", "attachments", "identity_document"], "file_type_mismatch")]
    record = applications.get(a.id, RESIDENT, world["deps"], NOW)
    view = applications.application_view(record, world["deps"], lang="pt")
    [shown] = view.attachments
    assert shown.reason_text == message("file_type_mismatch", "pt") and "file_type_mismatch" not in shown.reason_text


def test_a_complete_step_is_saved(world):
    a = start(world)
    attach(world, a.id)
    saved = applications.update_answers(
        a.id, UpdateAnswers(answers=JUMINHYO, complete=True), RESIDENT, world["deps"], NOW
    )
    assert saved.answers["copies"] == 1 and saved.version == a.version + 1


def test_a_question_page_checks_only_its_own_questions_and_saves_its_answer(world):
    a = start(world)
    with pytest.raises(InvalidInput) as e:
        applications.update_answers(a.id, UpdateAnswers(answers={}, step=["copies"]), RESIDENT, world["deps"], NOW)
    assert e.value.fields == [(["body", "answers", "copies"], "field_missing")]  # not the other pages' questions
    assert world["store"].get(a.id).version == a.version  # nothing written
    saved = applications.update_answers(
        a.id, UpdateAnswers(answers={"copies": 2}, step=["copies"]), RESIDENT, world["deps"], NOW
    )
    assert saved.answers == {**a.answers, "copies": 2}


def test_a_file_page_is_checked_for_its_file(world):
    a = start(world)
    with pytest.raises(InvalidInput) as e:
        applications.update_answers(
            a.id, UpdateAnswers(answers={}, step=["identity_document"]), RESIDENT, world["deps"], NOW
        )
    assert e.value.fields == [(["body", "attachments", "identity_document"], "attachment_missing")]
    attach(world, a.id)
    applications.update_answers(
        a.id, UpdateAnswers(answers={}, step=["identity_document"]), RESIDENT, world["deps"], NOW
    )


def test_a_page_naming_a_question_the_form_does_not_have_is_refused(world):
    a = start(world)
    with pytest.raises(InvalidInput) as e:
        applications.update_answers(a.id, UpdateAnswers(answers={}, step=["nope"]), RESIDENT, world["deps"], NOW)
    assert e.value.fields == [(["body", "step", 0], "field_unknown")]


# --- fault 8: a receipt for every application fee; fault 4: payment e-mails --------------------------------------


def paid_application(w: dict[str, Any]) -> Any:
    a = start(w)
    applications.update_answers(a.id, UpdateAnswers(answers=JUMINHYO), RESIDENT, w["deps"], NOW)
    attach(w, a.id)
    applications.submit(a.id, SubmitRequest(), RESIDENT, w["deps"], NOW)
    [session] = w["pay"].sessions.values()
    w["pay"].pay(session.session_id)
    return applications.confirm_payment(a.id, RESIDENT, w["deps"], NOW)


def test_a_paid_fee_has_a_receipt_for_its_resident_only(world):
    a = paid_application(world)
    receipt = applications.receipt(a.id, RESIDENT, world["deps"], lang="pt")
    assert receipt.amount == 300 and receipt.code == a.code and receipt.refunded == 0
    assert receipt.number == f"A20300501-{a.code}" and receipt.paid_at == NOW
    for caller, error in ((OTHER, NotFound), (None, Unauthorized), (SHIMIN, Forbidden)):
        with pytest.raises(error):
            applications.receipt(a.id, caller, world["deps"], lang="ja")


def test_an_unpaid_application_has_no_receipt(world):
    with pytest.raises(NotFound):
        applications.receipt(start(world).id, RESIDENT, world["deps"], lang="ja")


def test_payment_e_mails_link_to_the_application_in_the_residents_language(world):
    a = paid_application(world)
    world["worker"].deliver()  # the outbox worker sends what each change owed, in order
    (to1, subject1, waiting), (to2, subject2, received) = world["mail"].sent
    assert to1 == to2 == "ichiro@example.jp"
    assert message("application_status_awaiting_payment", "pt") in subject1
    assert waiting.splitlines()[-1] == f"https://city.example/apply/?id={a.id}&lang=pt"
    assert message("application_status_received", "pt") in subject2
    assert "¥300" in received and received.splitlines()[-1] == f"https://city.example/apply/?id={a.id}&lang=pt"
    assert "市民" not in waiting + received and "諏訪町" not in waiting + received  # no personal data


# --- fault 4 and 8: bookings ------------------------------------------------------------------------------------


@pytest.fixture
def booking() -> dict[str, Any]:
    store = MemoryReservationStore()
    for facility in facilities():
        store.put_facility(facility)
    mail = MemoryMailer()
    pay = MemoryPayments()
    contacts = MemoryContacts({"resident-1": Contact(email="ichiro@example.jp", lang="vi")})
    return {
        "store": store,
        "mail": mail,
        "pay": pay,
        "contacts": contacts,
        "deps": reservations.ReservationDeps(store=store, payments=pay),
        # booking e-mails are effects the change owes; the outbox worker sends them
        "outbox": ReservationOutbox(store, pay, mail, contacts),
    }


def paid_booking(b: dict[str, Any], day: date = date(2030, 5, 20)) -> Any:
    body = HoldRequest(facility_id="kasumi-tennis", date=day, slots=[SlotRef(unit_id="court-1", start="09:00")])
    held = reservations.hold(body, RESIDENT, b["deps"], NOW, hold_minutes=15)
    answer = reservations.checkout(held.id, CheckoutRequest(), RESIDENT, b["deps"], NOW, lang="vi")
    assert answer.checkout_url
    b["pay"].pay(held.checkout_session_id or answer.reservation.checkout_session_id)
    state = b["pay"].checkout_state(answer.reservation.checkout_session_id)
    return reservations.settle(state, b["deps"], NOW)


def test_a_confirmed_booking_is_e_mailed_in_the_residents_language_with_its_link(booking):
    r = paid_booking(booking)
    assert booking["mail"].sent == []  # owed with the confirmation, sent by the worker
    booking["outbox"].deliver(NOW)
    booking["outbox"].deliver(NOW)  # delivered again: not sent again
    [(to, subject, body)] = booking["mail"].sent
    assert to == "ichiro@example.jp"
    assert message("reservation_mail_subject", "vi") in subject
    assert message("reservation_mail_confirmed", "vi").format(yen=f"{r.amount:,}") in body
    assert "2030-05-20" in body and "09:00" in body
    assert body.splitlines()[-1] == f"https://city.example/reservations/?id={r.id}&lang=vi"


def test_the_refund_is_stated_before_cancelling_and_the_cancellation_e_mail_says_the_same(booking):
    r = paid_booking(booking)
    quote = reservations.quote(r.id, RESIDENT, booking["deps"], NOW)
    assert quote.cancellable and quote.paid == r.amount and quote.refund_percent == 100 and quote.refund == r.amount
    assert quote.full_refund_until == date(2030, 5, 13)
    with pytest.raises(NotFound):
        reservations.quote(r.id, OTHER, booking["deps"], NOW)
    answer = reservations.cancel(r.id, CancelRequest(), RESIDENT, booking["deps"], NOW)
    assert answer.refund == quote.refund
    booking["outbox"].deliver(NOW)
    _, subject, body = booking["mail"].sent[-1]
    assert message("reservation_mail_cancelled", "vi") in subject
    assert message("reservation_mail_refund", "vi").format(yen=f"{quote.refund:,}") in body
    assert body.splitlines()[-1] == f"https://city.example/reservations/?id={r.id}&lang=vi"
    assert not reservations.quote(r.id, RESIDENT, booking["deps"], NOW).cancellable


def test_the_e_mail_speaks_the_language_the_resident_booked_in(booking):
    body = HoldRequest(
        facility_id="kasumi-tennis", date=date(2030, 5, 21), slots=[SlotRef(unit_id="court-2", start="09:00")]
    )
    held = reservations.hold(body, RESIDENT, booking["deps"], NOW, hold_minutes=15, lang="en")
    reservations.cancel(held.id, CancelRequest(), RESIDENT, booking["deps"], NOW)
    booking["outbox"].deliver(NOW)
    _, subject, text = booking["mail"].sent[-1]
    assert subject.startswith(message("reservation_mail_subject", "en")) and text.endswith(f"id={held.id}&lang=en\n")
    assert message("reservation_mail_refund", "en").split("{")[0] not in text  # nothing was paid: no refund line


def test_a_late_cancellation_states_no_refund(booking):
    r = paid_booking(booking, day=date(2030, 5, 2))  # tomorrow: half back
    assert reservations.quote(r.id, RESIDENT, booking["deps"], NOW).refund_percent == 50


def test_a_failing_mail_service_never_undoes_a_booking_and_the_e_mail_goes_later_once(booking):
    class Flaky(MemoryMailer):
        down = True

        def send(self, to: str, subject: str, body: str) -> None:
            if self.down:
                raise RuntimeError("SES down")
            super().send(to, subject, body)

    mail = Flaky()
    outbox = ReservationOutbox(booking["store"], booking["pay"], mail, booking["contacts"])
    r = paid_booking(booking)
    assert r.status.value == "confirmed"
    effect = f"reservations:{r.id}:notify:confirmed"
    assert outbox.deliver(NOW)[effect] == "retry" and mail.sent == []
    assert booking["store"].get(r.id).status.value == "confirmed"
    mail.down = False
    assert outbox.redrive(NOW + timedelta(minutes=5))["done"] == 1
    assert outbox.redrive(NOW + timedelta(hours=5))["done"] == 0
    [(to, subject, _)] = mail.sent
    assert to == "ichiro@example.jp" and message("reservation_mail_confirmed_free", "vi") in subject
