"""One contract for CaseStore and TaskStore, run against the in-memory fakes and the DynamoDB adapters (moto,
tables from the catalogue): conditional writes, all-or-nothing changes with their audit entry, ordering and
pagination, so the fakes the unit tests use can never drift from the rules of the real stores."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from infra import catalogue
from infra.local.provision import table_spec
from madoguchi.cases.models import (
    AuditEntry,
    Case,
    CaseStep,
    IdentityRecord,
    Task,
    ThreadMessage,
    Verification,
)
from madoguchi.cases.store import CaseStore, TaskStore
from madoguchi.effects.models import Effect
from madoguchi.shared.errors import Conflict
from tests.fakes.cases import MemoryCaseStore, MemoryTaskStore
from tests.integration.ports.emulated_table import emulated_table

NOW = datetime(2030, 5, 1, 1, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", "dynamodb"])
def store(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[CaseStore]:
    if request.param == "memory":
        yield MemoryCaseStore()
        return
    from madoguchi.cases.dynamodb import DynamoCaseStore

    with emulated_table(monkeypatch, "cases") as name:
        yield DynamoCaseStore(name)


@pytest.fixture(params=["memory", "dynamodb"])
def tasks(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[TaskStore]:
    if request.param == "memory":
        yield MemoryTaskStore()
        return
    from madoguchi.cases.dynamodb import DynamoTaskStore

    with emulated_table(monkeypatch, "tasks") as name:
        # the outbox beside it (same moto): a decision and the answer it owes are one transaction across both
        spec = table_spec(catalogue.table("outbox"))
        spec["TableName"] = f"{name}-outbox"
        boto3.client("dynamodb").create_table(**spec)
        yield DynamoTaskStore(name, spec["TableName"])


def owed(tasks: TaskStore) -> list[str]:
    """The ids of the effects the task store's transactions put into the outbox."""
    if isinstance(tasks, MemoryTaskStore):
        return [e.id for e in tasks.events]
    items = boto3.resource("dynamodb").Table(tasks._outbox).scan()["Items"]  # type: ignore[attr-defined]
    return sorted(str(i["pk"]) for i in items if "queue" in i)


def answer(task_id: str) -> Effect:
    return Effect(
        id=f"cases:{task_id}:answer_task", kind="cases.answer_task", payload={"task_id": task_id}, created_at=NOW
    )


def at(minutes: int) -> datetime:
    return NOW + timedelta(minutes=minutes)


def audit(action: str, minutes: int = 0) -> AuditEntry:
    return AuditEntry(at=at(minutes), actor="staff-onestop", action=action, department="onestop")


def a_case(case_id: str = "c-1", status: str = "open") -> Case:
    return Case.model_validate(
        {
            "id": case_id,
            "event": "bereavement",
            "status": status,
            "opened_by": "staff-onestop",
            "opened_at": NOW,
            "answers": {"had_kokuho": True},
            "steps": [
                CaseStep(department="hoken", procedures=["kokuho-soshitsu"]),
                CaseStep(department="zei", procedures=[]),
            ],
        }
    )


# --- CaseStore ----------------------------------------------------------------------------------------------


def test_a_created_case_reads_back_with_its_audit_entry_and_is_created_once(store: CaseStore) -> None:
    case = a_case()
    store.create(case, audit("case_opened"))
    assert store.get("c-1") == case
    record = store.record("c-1")
    assert record is not None and record.case == case
    assert [a.action for a in record.timeline] == ["case_opened"]
    with pytest.raises(Conflict):
        store.create(a_case(), audit("case_opened", 1))
    assert [a.action for a in store.record("c-1").timeline] == ["case_opened"]  # type: ignore[union-attr]


def test_a_case_code_points_to_its_case_and_is_never_given_twice(store: CaseStore) -> None:
    first = a_case("c-1").model_copy(update={"code": "ABCD2345"})
    store.create(first, audit("case_opened"))
    assert store.by_code("ABCD2345") == "c-1"
    assert store.by_code("ZZZZ2345") is None
    with pytest.raises(Conflict):  # the same code for another case: neither the case nor its audit is written
        store.create(a_case("c-2").model_copy(update={"code": "ABCD2345"}), audit("case_opened", 1))
    assert store.get("c-2") is None and store.record("c-2") is None
    assert store.by_code("ABCD2345") == "c-1"


def test_an_unknown_case_is_none(store: CaseStore) -> None:
    assert store.get("c-none") is None and store.record("c-none") is None


def test_identity_opens_an_awaiting_case_once(store: CaseStore) -> None:
    store.create(a_case(status="awaiting_identity"), audit("case_opened"))
    identity = IdentityRecord(method="passport", verified_by="staff-onestop", verified_at=at(1))
    store.record_identity("c-1", identity, audit("identity_verified", 1))
    case = store.get("c-1")
    assert case is not None and case.status == "open" and case.identity == identity
    with pytest.raises(Conflict):
        store.record_identity("c-1", identity, audit("identity_verified", 2))
    with pytest.raises(Conflict):
        store.record_identity("c-none", identity, audit("identity_verified", 2))
    assert [a.action for a in store.record("c-1").timeline] == ["case_opened", "identity_verified"]  # type: ignore[union-attr]


def test_a_step_changes_only_if_the_case_has_it(store: CaseStore) -> None:
    store.create(a_case(), audit("case_opened"))
    store.update_step("c-1", "hoken", {"status": "waiting", "task_id": "t-1"}, audit("step_waiting", 1))
    step = store.get("c-1").step("hoken")  # type: ignore[union-attr]
    assert step is not None and (step.status, step.task_id) == ("waiting", "t-1")
    for case_id, department in (("c-1", "kodomo"), ("c-none", "hoken")):
        with pytest.raises(Conflict):
            store.update_step(case_id, department, {"status": "approved"}, audit("step_approved", 2))
    assert [a.action for a in store.record("c-1").timeline] == ["case_opened", "step_waiting"]  # type: ignore[union-attr]


def test_only_an_open_case_closes(store: CaseStore) -> None:
    store.create(a_case(), audit("case_opened"))
    store.create(a_case("c-2", status="awaiting_identity"), audit("case_opened"))
    store.close("c-1", audit("case_closed", 5))
    closed = store.get("c-1")
    assert closed is not None and closed.status == "closed" and closed.closed_at == at(5)
    for case_id in ("c-1", "c-2", "c-none"):
        with pytest.raises(Conflict):
            store.close(case_id, audit("case_closed", 6))


def test_thread_verifications_and_timeline_read_oldest_first(store: CaseStore) -> None:
    store.create(a_case(), audit("case_opened"))
    for minute in (3, 1, 2):  # written out of order
        message = ThreadMessage(
            id=f"m-{minute}", by="s", department="hoken", to_department="zei", text="?", at=at(minute)
        )
        store.add_message("c-1", message, audit("message_posted", minute))
        verification = Verification(
            id=f"v-{minute}",
            asked_by="s",
            asked_department="hoken",
            department="zei",
            question="?",
            asked_at=at(minute),
        )
        store.add_verification("c-1", verification, audit("verification_asked", minute))
    record = store.record("c-1")
    assert record is not None
    assert [m.id for m in record.thread] == ["m-1", "m-2", "m-3"]
    assert [v.id for v in record.verifications] == ["v-1", "v-2", "v-3"]
    assert [a.at for a in record.timeline] == sorted(a.at for a in record.timeline)


def test_nothing_is_filed_under_a_case_that_does_not_exist(store: CaseStore) -> None:
    message = ThreadMessage(id="m-1", by="s", department="hoken", to_department="zei", text="?", at=NOW)
    verification = Verification(
        id="v-1", asked_by="s", asked_department="hoken", department="zei", question="?", asked_at=NOW
    )
    with pytest.raises(Conflict):
        store.add_message("c-none", message, audit("message_posted"))
    with pytest.raises(Conflict):
        store.add_verification("c-none", verification, audit("verification_asked"))
    with pytest.raises(Conflict):
        store.audit("c-none", audit("case_viewed"))
    assert store.record("c-none") is None


def test_a_message_or_a_verification_is_filed_once_under_its_id(store: CaseStore) -> None:
    # A retry (the same id from the same Idempotency-Key) a few seconds later files nothing more
    store.create(a_case(), audit("case_opened"))
    message = ThreadMessage(id="m-1", by="s", department="hoken", to_department="zei", text="?", at=NOW)
    asked = Verification(id="v-1", asked_by="s", asked_department="hoken", department="zei", question="?", asked_at=NOW)
    store.add_message("c-1", message, audit("message_posted"))
    store.add_verification("c-1", asked, audit("verification_asked"))
    with pytest.raises(Conflict):
        store.add_message("c-1", message.model_copy(update={"at": at(1)}), audit("message_posted", 1))
    with pytest.raises(Conflict):
        store.add_verification("c-1", asked.model_copy(update={"asked_at": at(1)}), audit("verification_asked", 1))
    record = store.record("c-1")
    assert record is not None
    assert [m.at for m in record.thread] == [NOW] and [v.asked_at for v in record.verifications] == [NOW]
    assert sorted(a.action for a in record.timeline) == ["case_opened", "message_posted", "verification_asked"]
    assert store.pending_verification_count("zei") == 1
    assert [v.id for _, v in store.pending_verifications("zei", 10)[0]] == ["v-1"]


def test_a_verification_is_answered_once(store: CaseStore) -> None:
    store.create(a_case(), audit("case_opened"))
    asked = Verification(id="v-1", asked_by="s", asked_department="hoken", department="zei", question="?", asked_at=NOW)
    store.add_verification("c-1", asked, audit("verification_asked"))
    answered = asked.model_copy(update={"answer": "はい", "answered_by": "staff-zei", "answered_at": at(1)})
    store.answer_verification("c-1", answered, audit("verification_answered", 1))
    again = asked.model_copy(update={"answer": "いいえ", "answered_by": "staff-zei", "answered_at": at(2)})
    with pytest.raises(Conflict):
        store.answer_verification("c-1", again, audit("verification_answered", 2))
    with pytest.raises(Conflict):
        store.answer_verification("c-1", again.model_copy(update={"id": "v-none"}), audit("verification_answered", 2))
    [stored] = store.record("c-1").verifications  # type: ignore[union-attr]
    assert (stored.answer, stored.answered_by, stored.answered_at) == ("はい", "staff-zei", at(1))
    assert [a.action for a in store.record("c-1").timeline].count("verification_answered") == 1  # type: ignore[union-attr]


def test_open_verifications_are_listed_and_counted_per_department_until_answered(store: CaseStore) -> None:
    store.create(a_case(), audit("case_opened"))
    store.create(a_case("c-2"), audit("case_opened"))
    asked = [
        Verification(
            id=f"v-{n}", asked_by="s", asked_department="onestop", department=dept, question="?", asked_at=at(n)
        )
        for n, dept in enumerate(["zei", "zei", "hoken", "zei"])
    ]
    for n, verification in enumerate(asked):
        store.add_verification("c-1" if n % 2 == 0 else "c-2", verification, audit("verification_asked", n))
    first, cursor = store.pending_verifications("zei", 2)
    rest, end = store.pending_verifications("zei", 2, cursor)
    assert [(c, v.id) for c, v in first + rest] == [("c-1", "v-0"), ("c-2", "v-1"), ("c-2", "v-3")]
    assert end is None or store.pending_verifications("zei", 2, end)[0] == []
    assert (store.pending_verification_count("zei"), store.pending_verification_count("hoken")) == (3, 1)
    # Answered: it leaves the list and the count, in the same write; a refused second answer moves nothing
    answered = asked[1].model_copy(update={"answer": "はい", "answered_by": "staff-zei", "answered_at": at(9)})
    store.answer_verification("c-2", answered, audit("verification_answered", 9))
    with pytest.raises(Conflict):
        store.answer_verification("c-2", answered, audit("verification_answered", 10))
    assert [v.id for _, v in store.pending_verifications("zei", 10)[0]] == ["v-0", "v-3"]
    assert store.pending_verification_count("zei") == 2 and store.pending_verification_count("shimin") == 0


# --- TaskStore ----------------------------------------------------------------------------------------------


def a_task(task_id: str, department: str = "hoken", minutes: int = 0) -> Task:
    return Task(
        id=task_id,
        department=department,
        step="case",
        execution="arn:exec",
        token=f"token-{task_id}",
        case_id="c-1",
        created_at=at(minutes),
        expires_at=int(at(minutes + 60 * 24 * 30).timestamp()),
    )


def test_a_task_is_added_once_and_keeps_its_token(tasks: TaskStore) -> None:
    tasks.add(a_task("t-1"))
    with pytest.raises(Conflict):
        tasks.add(a_task("t-1", department="zei"))
    stored = tasks.get("t-1")
    assert stored is not None and stored.token == "token-t-1" and stored.department == "hoken"
    assert tasks.get("t-none") is None


def test_the_inbox_pages_a_departments_pending_tasks_oldest_first(tasks: TaskStore) -> None:
    for minute in (4, 0, 3, 1, 2):
        tasks.add(a_task(f"t-{minute}", minutes=minute))
    tasks.add(a_task("t-zei", department="zei"))
    tasks.decide("t-3", "approved", "staff-hoken", at(10))
    seen: list[str] = []
    cursor: str | None = None
    for _ in range(10):
        page, cursor = tasks.pending_for("hoken", 2, cursor)
        assert len(page) <= 2
        seen += [t.id for t in page]
        if cursor is None:
            break
    assert seen == ["t-0", "t-1", "t-2", "t-4"]


def test_a_task_is_decided_once(tasks: TaskStore) -> None:
    tasks.add(a_task("t-1"))
    decided = tasks.decide("t-1", "returned", "staff-hoken", at(1))
    assert (decided.status, decided.decided_by, decided.decided_at) == ("returned", "staff-hoken", at(1))
    assert tasks.get("t-1") == decided
    with pytest.raises(Conflict):
        tasks.decide("t-1", "approved", "staff-other", at(2))
    with pytest.raises(Conflict):
        tasks.decide("t-none", "approved", "staff-other", at(2))
    assert tasks.get("t-1") == decided


def test_a_decision_and_the_answer_it_owes_are_written_together_or_not_at_all(tasks: TaskStore) -> None:
    tasks.add(a_task("t-1"))
    tasks.decide("t-1", "approved", "staff-hoken", at(1), [answer("t-1")])
    assert owed(tasks) == ["cases:t-1:answer_task"]
    with pytest.raises(Conflict):  # decided already: the second decision owes nothing
        tasks.decide("t-1", "returned", "staff-other", at(2), [answer("t-1-again")])
    assert owed(tasks) == ["cases:t-1:answer_task"]


def test_a_task_store_without_an_outbox_refuses_a_decision_that_owes_an_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from madoguchi.cases.dynamodb import DynamoTaskStore

    with emulated_table(monkeypatch, "tasks") as name:
        tasks = DynamoTaskStore(name)  # no OUTBOX_TABLE
        tasks.add(a_task("t-1"))
        with pytest.raises(RuntimeError):
            tasks.decide("t-1", "approved", "staff-hoken", at(1), [answer("t-1")])
        assert tasks.get("t-1").status == "pending"  # type: ignore[union-attr]


def test_a_workflow_start_is_recorded_once_on_an_existing_case(store: CaseStore) -> None:
    store.create(a_case(), audit("case_opened"))
    store.workflow_started("c-1", audit("workflow_started", 1))
    case = store.get("c-1")
    assert case is not None and case.workflow_started_at == at(1)
    for case_id in ("c-1", "c-none"):
        with pytest.raises(Conflict):
            store.workflow_started(case_id, audit("workflow_started", 2))
    record = store.record("c-1")
    assert record is not None and [a.action for a in record.timeline] == ["case_opened", "workflow_started"]


def test_the_pending_count_moves_with_every_change_to_the_inbox(tasks: TaskStore) -> None:
    # Given five hoken tasks and one of zei
    for minute in range(5):
        tasks.add(a_task(f"t-{minute}", minutes=minute))
    tasks.add(a_task("t-zei", department="zei"))
    with pytest.raises(Conflict):  # a refused add counts nothing
        tasks.add(a_task("t-0"))
    assert (tasks.pending_count("hoken"), tasks.pending_count("zei"), tasks.pending_count("kodomo")) == (5, 1, 0)
    # When two are decided (one twice: refused)
    tasks.decide("t-0", "approved", "staff-hoken", at(10))
    tasks.decide("t-1", "returned", "staff-hoken", at(10))
    with pytest.raises(Conflict):
        tasks.decide("t-1", "approved", "staff-hoken", at(11))
    # Then the count is what the inbox lists
    assert tasks.pending_count("hoken") == 3 == len(tasks.pending_for("hoken", 50)[0])


def test_a_case_store_without_an_outbox_refuses_a_change_that_owes_a_workflow_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from madoguchi.cases.dynamodb import DynamoCaseStore

    with emulated_table(monkeypatch, "cases") as name:
        store = DynamoCaseStore(name)  # no OUTBOX_TABLE: events go uncounted, an effect is never dropped
        start = Effect(id="cases:c-1:start_workflow", kind="cases.start_workflow", created_at=NOW)
        with pytest.raises(RuntimeError):
            store.create(a_case(), audit("case_opened"), [start])
        assert store.get("c-1") is None
