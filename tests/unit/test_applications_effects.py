"""Issue 13, nothing lost under faults, for applications: each change that makes an application received owes its
files' tags, a change that decides a refund owes the refund, and each change of status owes its e-mail — all
written in the change's own transaction and carried out by the outbox worker (madoguchi.applications.effects),
with the fakes and the worker's own code (MemoryEffectQueue)."""

from __future__ import annotations

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
)
from madoguchi.applications.service.owed import NOTIFY, REFUND, TAG_FILES
from madoguchi.effects.models import FIRST_REDRIVE
from madoguchi.shared.auth import Caller, Role
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

NOW = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
LATER = NOW + FIRST_REDRIVE + timedelta(hours=1)  # past the first backoff
RESIDENT = Caller(sub="resident-1", role=Role.RESIDENT)
SHIMIN = Caller(sub="staff-shimin", role=Role.STAFF, department="shimin")
JUMINHYO = {"subject": "self", "copies": 2, "purpose": "bank", "delivery": "post"}


class CountingPayments(MemoryPayments):
    """The fake gateway (one refund per key, as Stripe), counting every refund call and failing while told to."""

    def __init__(self) -> None:
        super().__init__()
        self.refund_calls = 0
        self.failing = False

    def refund(self, payment_intent_id: str, amount: int, reference: str, idempotency_key: str) -> str:
        self.refund_calls += 1
        if self.failing:
            raise ConnectionError("stripe down")
        return super().refund(payment_intent_id, amount, reference, idempotency_key)


@pytest.fixture(autouse=True)
def site(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("SITE_URL", "https://city.example")
    settings.cache_clear()
    yield
    settings.cache_clear()


@pytest.fixture
def world() -> dict[str, Any]:
    store = MemoryApplicationStore()
    store.put_resident(resident_one(lang="en"))
    catalogue = MemoryProcedureStore(procedures())
    w: dict[str, Any] = {
        "store": store,
        "files": MemoryAttachments(),
        "mail": MemoryMailer(),
        "pay": CountingPayments(),
    }
    w["deps"] = logic.ApplicationDeps(store, catalogue, w["files"], lambda: w["pay"])
    w["worker"] = EffectsWorker(store, w["files"], w["mail"], lambda: w["pay"], lambda: NOW)
    return w


def draft(w: dict[str, Any], copies: int = 2, caller: Caller = RESIDENT, **extra: Any) -> Any:
    request = CreateApplication(procedure="juminhyo", answers={**JUMINHYO, "copies": copies}, **extra)
    a = logic.create(request, caller, w["deps"], NOW, lang="en")
    w["store"].add_attachment(
        a.id,
        Attachment(
            id="f-identity",
            kind="identity_document",
            content_type="image/jpeg",
            status="valid",
            key=f"files/{a.id}/f-identity",
            created_at=NOW,
        ),
    )
    return a


def submit(w: dict[str, Any], application_id: str, caller: Caller = RESIDENT) -> Any:
    return logic.submit(application_id, SubmitRequest(), caller, w["deps"], NOW)


def pay(w: dict[str, Any], application_id: str) -> Any:
    for session in list(w["pay"].sessions.values()):
        if session.reference == f"application:{application_id}" and session.status == "open":
            w["pay"].pay(session.session_id)
    return logic.confirm_payment(application_id, RESIDENT, w["deps"], NOW)


def owed(w: dict[str, Any], kind: str) -> list[Any]:
    return [e for e in w["store"].effects if e.kind == kind]


def pending(w: dict[str, Any], effect_id: str) -> int | None:
    w["worker"].owe()
    return w["worker"].queue.pending(effect_id)


# --- tags -------------------------------------------------------------------------------------------------------
def test_a_received_application_owes_its_tags_and_the_worker_tags_its_files(world):
    a = draft(world, copies=1)
    received = pay(world, submit(world, a.id).id)
    [tag] = owed(world, TAG_FILES)
    assert tag.id == f"applications:{a.id}:tag_files:v{received.version}"
    assert tag.payload == {"application_id": a.id, "version": received.version}
    assert world["files"].tagged == []  # nothing is called in the request
    world["worker"].deliver()
    assert world["files"].tagged == [f"files/{a.id}/f-identity"]


def test_s3_failing_leaves_the_application_received_and_the_tags_owed_until_the_schedule(world):
    a = draft(world)
    received = pay(world, submit(world, a.id).id)
    world["files"].failing = True
    [tag] = owed(world, TAG_FILES)
    assert world["worker"].deliver()[tag.id] == "retry"
    assert world["store"].get(a.id).status == "received" and pending(world, tag.id) == 1
    # S3 back: the schedule takes it up after its backoff, once
    world["files"].failing = False
    assert world["worker"].redrive(NOW)["done"] == 0  # not due yet
    assert world["worker"].redrive(LATER)["done"] >= 1
    assert world["files"].tagged == [f"files/{a.id}/f-identity"] and pending(world, tag.id) is None
    assert received.status == "received"


def test_proxy_input_confirmed_by_the_resident_owes_its_tags(world):
    typed = draft(world, caller=SHIMIN, for_resident="resident-1")
    assert submit(world, typed.id, caller=SHIMIN).status == "awaiting_confirmation"
    assert owed(world, TAG_FILES) == []
    confirmed = logic.confirm(typed.id, RESIDENT, world["deps"], NOW)
    [tag] = owed(world, TAG_FILES)
    assert tag.payload["version"] == confirmed.version
    world["worker"].deliver()
    assert world["files"].tagged == [f"files/{typed.id}/f-identity"]


def test_a_tag_effect_run_twice_tags_the_same_file_the_same_way(world):
    a = draft(world)
    pay(world, submit(world, a.id).id)
    [tag] = owed(world, TAG_FILES)
    world["worker"].deliver()
    world["worker"].handlers[TAG_FILES](tag)  # the stream redelivers it
    assert world["files"].referenced == {f"files/{a.id}/f-identity"}


# --- refunds ----------------------------------------------------------------------------------------------------
def returned_after_paying(w: dict[str, Any], copies: int) -> Any:
    a = draft(w, copies=copies)
    pay(w, submit(w, a.id).id)
    logic.decide(a.id, DecisionRequest(decision="return", reason="r"), SHIMIN, w["deps"], NOW)
    return a


def test_stripe_failing_on_a_refund_leaves_the_rejection_and_the_refund_owed_then_refunds_once(world):
    a = returned_after_paying(world, 2)
    submit(world, a.id)
    world["pay"].failing = True
    rejected = logic.decide(a.id, DecisionRequest(decision="reject", reason="不備"), SHIMIN, world["deps"], NOW)
    # The rejection stands, with the refund it owes recorded on the application
    [refund] = rejected.refunds
    assert rejected.status == "rejected" and refund.amount_yen == 600 and refund.sent_at is None
    [effect] = owed(world, REFUND)
    assert effect.payload == {
        "application_id": a.id,
        "version": rejected.version,
        "refunds": [refund.key],
        "amount_yen": 600,
    }
    world["worker"].deliver()
    assert world["pay"].refunds == [] and pending(world, effect.id) == 1
    # The resident sees it on its way, not refunded
    view = logic.application_view(logic.get(a.id, RESIDENT, world["deps"], NOW), world["deps"], lang="en")
    assert view.refund_pending_yen == 600 and view.refunded_yen == 0
    assert logic.receipt(a.id, RESIDENT, world["deps"], lang="en").refunded == 0
    # Stripe back: the schedule sends it, once, and marks it sent
    world["pay"].failing = False
    world["worker"].redrive(LATER)
    assert [amount for _, amount, _ in world["pay"].refunds] == [600] and pending(world, effect.id) is None
    done = world["store"].get(a.id)
    assert done.status == "rejected" and done.refunds[0].sent_at == NOW
    view = logic.application_view(logic.get(a.id, RESIDENT, world["deps"], NOW), world["deps"], lang="en")
    assert view.refund_pending_yen == 0 and view.refunded_yen == 600
    assert logic.receipt(a.id, RESIDENT, world["deps"], lang="en").refunded == 600
    assert world["store"].audits[a.id][-1].action == "refund_sent"


def test_a_refund_effect_run_again_after_it_was_marked_calls_stripe_no_more(world):
    a = returned_after_paying(world, 3)
    logic.update_answers(a.id, UpdateAnswers(answers={"copies": 1}), RESIDENT, world["deps"], NOW)
    received = submit(world, a.id)
    assert received.status == "received" and [r.amount_yen for r in received.refunds] == [600]
    [effect] = owed(world, REFUND)
    world["worker"].deliver()
    calls = world["pay"].refund_calls
    world["worker"].handlers[REFUND](effect)  # the stream and the schedule meet
    assert world["pay"].refund_calls == calls and [amount for _, amount, _ in world["pay"].refunds] == [600]


def test_a_staff_change_between_the_refund_and_its_mark_is_read_again(world, monkeypatch):
    a = returned_after_paying(world, 2)
    submit(world, a.id)
    logic.decide(a.id, DecisionRequest(decision="reject", reason="不備"), SHIMIN, world["deps"], NOW)
    [effect] = owed(world, REFUND)
    store = world["store"]
    real_get = store.get
    raced = []

    def get_then_change(application_id: str) -> Any:
        found = real_get(application_id)
        if not raced and found is not None:  # another write lands after this read
            raced.append(1)
            store.audit(application_id, store.audits[application_id][-1])
            store.applications[application_id] = found.model_copy(update={"version": found.version + 1})
        return found

    monkeypatch.setattr(store, "get", get_then_change)
    world["worker"].handlers[REFUND](effect)
    assert store.applications[a.id].refunds[0].sent_at == NOW and len(world["pay"].refunds) == 1


def test_a_refund_that_never_reaches_stripe_is_never_shown_as_refunded(world):
    a = returned_after_paying(world, 2)
    submit(world, a.id)
    world["pay"].failing = True
    logic.decide(a.id, DecisionRequest(decision="reject", reason="x"), SHIMIN, world["deps"], NOW)
    for hour in range(1, 5):
        world["worker"].redrive(LATER + timedelta(hours=hour))
    assert world["store"].get(a.id).refunds[0].sent_at is None and world["pay"].refund_calls >= 2


# --- e-mails ----------------------------------------------------------------------------------------------------
def test_ses_failing_sends_the_e_mail_later_once_to_the_address_held_then(world):
    a = draft(world)
    submit(world, a.id)
    [mail] = owed(world, NOTIFY)
    assert mail.payload == {
        "application_id": a.id,
        "version": 1,
        "status": "awaiting_payment",
        "paid_yen": 0,
        "refund_yen": 0,
    }
    world["mail"].failing = True
    world["worker"].deliver()
    assert world["mail"].sent == [] and pending(world, mail.id) == 1
    # the resident changes their address meanwhile: the e-mail goes where they read now
    current = world["store"].applications[a.id]
    world["store"].applications[a.id] = current.model_copy(update={"email": "new@example.jp"})
    world["mail"].failing = False
    world["worker"].redrive(LATER)
    world["worker"].redrive(LATER + timedelta(hours=2))
    [(to, subject, _)] = world["mail"].sent
    assert to == "new@example.jp" and a.code in subject and "new@example.jp" not in mail.model_dump_json()


def test_the_e_mail_announces_the_status_of_its_change_with_what_was_paid_and_refunded(world):
    a = returned_after_paying(world, 2)
    submit(world, a.id)
    logic.decide(a.id, DecisionRequest(decision="reject", reason="不備"), SHIMIN, world["deps"], NOW)
    world["worker"].deliver()
    subjects = [subject for _, subject, _ in world["mail"].sent]
    assert len(subjects) == 5  # awaiting payment, received (paid), returned, received again, rejected
    paid, rejected = world["mail"].sent[1][2], world["mail"].sent[-1][2]
    assert "¥600" in paid and "not accepted" in world["mail"].sent[-1][1] and "¥600 will be refunded" in rejected


def test_an_application_without_an_address_owes_no_e_mail(world):
    a = draft(world)
    world["store"].applications[a.id] = world["store"].applications[a.id].model_copy(update={"email": None})
    submit(world, a.id)
    assert owed(world, NOTIFY) == [] and [e.kind for e in world["store"].effects] == []
