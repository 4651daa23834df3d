"""Case and task logic with in-memory fakes of the stores and of Step Functions; the calls to Step Functions the
changes owe run through the outbox worker's own code (MemoryEffectQueue)."""

from datetime import UTC, datetime, timedelta

import pytest

from madoguchi.cases import effects as case_effects
from madoguchi.cases import service as cases
from madoguchi.cases import tasks
from madoguchi.cases.models import (
    Answer,
    Approve,
    Ask,
    CaseSubject,
    CaseView,
    IdentityInput,
    Message,
    OpenCase,
    RegisterTask,
    ResidentCaseView,
    Return,
)
from madoguchi.effects.models import Effect
from madoguchi.metrics.models import DomainEvent
from madoguchi.shared.auth import Caller, Role
from madoguchi.shared.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from tests.fakes.cases import MemoryCaseStore, MemoryTaskStore, MemoryWorkflows
from tests.fakes.effects import MemoryEffectQueue

NOW = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
ONESTOP = Caller(sub="staff-onestop", role=Role.STAFF, department="onestop")
HOKEN = Caller(sub="staff-hoken", role=Role.STAFF, department="hoken")
ZEI = Caller(sub="staff-zei", role=Role.STAFF, department="zei")
RESIDENT = Caller(sub="resident-1", role=Role.RESIDENT)
IDENTITY = IdentityInput(method="my_number_card")
BEREAVED = CaseSubject(
    person_name="四日市 一郎",
    event_date=NOW.date() - timedelta(days=3),
    applicant_name="四日市 花子",
    relationship="child",
    phone="059-354-0000",
)
MOVING = BEREAVED.model_copy(update={"person_name": "四日市 花子", "relationship": "self"})


def subject(event: str) -> CaseSubject:
    return BEREAVED if event == "bereavement" else MOVING


class World:
    def __init__(self) -> None:
        self.cases, self.tasks, self.workflows = MemoryCaseStore(), MemoryTaskStore(), MemoryWorkflows()
        self.deps = cases.CaseDeps(self.cases)
        self.task_deps = tasks.TaskDeps(self.tasks, self.cases)
        self.effects = MemoryEffectQueue()
        self.handlers = case_effects.handlers(
            self.cases, self.tasks, self.workflows, step_timeout=60, clock=lambda: NOW
        )
        self._owed = 0

    def owed(self):
        """Effects the stores' transactions wrote (the cases' and the tasks' outbox items), oldest first."""
        return [e for e in [*self.cases.events, *self.tasks.events] if isinstance(e, Effect)]

    def run_effects(self, at=NOW):
        """The outbox worker: what the stream delivers of the effects written since the last run."""
        owed = self.owed()
        self.effects.owe(owed[self._owed :])
        self._owed = len(owed)
        return self.effects.deliver(self.handlers, at)

    def open(self, answers, caller=ONESTOP, identity=IDENTITY, event="bereavement"):
        request = OpenCase(event=event, subject=subject(event), answers=answers, identity=identity)
        opened = cases.open_case(request, caller, self.deps, NOW)
        self.run_effects()
        return opened

    def wait(self, case_id, department, kind="review", token=None):
        request = RegisterTask(
            token=token or f"token-{department}-{kind}-{len(self.tasks._items)}",
            execution="arn:exec",
            department=department,
            kind=kind,
            case_id=case_id,
        )
        return tasks.register_task(request, self.task_deps, NOW, ttl_days=30)

    def step(self, case_id, department):
        return self.cases.get(case_id).step(department)


@pytest.fixture
def world():
    return World()


def test_staff_open_starts_the_events_workflow_with_the_departments_the_answers_call_for(world):
    case = world.open({"had_kokuho": True, "was_taxpayer": True})
    assert case.status == "open" and case.identity.verified_by == "staff-onestop"
    [(workflow, name, payload)] = world.workflows.started
    assert (workflow, name) == ("bereavement", case.id)
    assert payload == {"case_id": case.id, "step_timeout_seconds": 60, "departments": ["hoken", "zei"]}


def test_moving_in_puts_the_residence_registration_first(world):
    case = world.open({"has_children": True}, event="moving_in")
    payload = world.workflows.started[0][2]
    assert payload["first"] == ["shimin"] and payload["departments"] == ["kodomo"]
    assert [s.department for s in case.steps] == ["shimin", "kodomo"]


def test_a_residents_pre_registration_waits_for_identity_then_starts_once(world):
    case = world.open({"was_taxpayer": True}, caller=RESIDENT, identity=None)
    assert case.status == "awaiting_identity" and world.workflows.started == []
    with pytest.raises(Forbidden):
        cases.record_identity(case.id, IDENTITY, ZEI, world.deps, NOW)
    assert world.owed() == []  # a refused verification owes no start
    opened = cases.record_identity(case.id, IDENTITY, ONESTOP, world.deps, NOW)
    assert opened.status == "open" and world.workflows.started == []  # owed with the identity, not yet run
    world.run_effects()
    assert len(world.workflows.started) == 1
    with pytest.raises(Conflict):
        cases.record_identity(case.id, IDENTITY, ONESTOP, world.deps, NOW)
    assert [e.id for e in world.owed()] == [f"cases:{case.id}:start_workflow"]  # the second wrote nothing


@pytest.mark.parametrize(
    ("caller", "identity", "error"),
    [
        (None, IDENTITY, Unauthorized),
        (ZEI, IDENTITY, Forbidden),
        (Caller(sub="kiosk-1", role=Role.DEVICE), IDENTITY, Forbidden),
        (ONESTOP, None, InvalidInput),
        (RESIDENT, IDENTITY, InvalidInput),
    ],
)
def test_who_opens_a_case_and_how(world, caller, identity, error):
    with pytest.raises(error):
        world.open({"had_kokuho": True}, caller=caller, identity=identity)


def test_bad_answers_name_their_fields_and_nothing_to_do_is_refused(world):
    with pytest.raises(InvalidInput) as bad:
        world.open({"had_kokuho": "yes", "no_such": True})
    assert sorted(loc for loc, _ in bad.value.fields) == [
        ["body", "answers", "had_kokuho"],
        ["body", "answers", "no_such"],
    ]
    with pytest.raises(InvalidInput) as nothing:
        world.open({})
    assert nothing.value.fields == [(["body", "answers"], "nothing_applies")]


def test_approving_resumes_the_workflow_once_and_records_who(world):
    case = world.open({"had_kokuho": True})
    task = world.wait(case.id, "hoken")
    assert world.step(case.id, "hoken").status == "waiting"
    decided = tasks.approve(task.id, Approve(note="ok"), HOKEN, world.task_deps, NOW)
    assert decided.status == "approved" and decided.decided_by == "staff-hoken"
    assert world.workflows.answered == {}  # owed, not sent in the request
    assert world.run_effects() == {f"cases:{task.id}:answer_task": "done"}
    assert world.workflows.answered[task.token] == ("success", {"decision": "approved", "by": "staff-hoken"})
    assert world.step(case.id, "hoken").status == "approved"
    with pytest.raises(Conflict):
        tasks.approve(task.id, Approve(), HOKEN, world.task_deps, NOW)


def test_only_the_tasks_department_decides(world):
    case = world.open({"had_kokuho": True})
    task = world.wait(case.id, "hoken")
    for caller, error in ((ZEI, Forbidden), (RESIDENT, Forbidden), (None, Unauthorized)):
        with pytest.raises(error):
            tasks.approve(task.id, Approve(), caller, world.task_deps, NOW)
    with pytest.raises(NotFound):
        tasks.approve("nope", Approve(), HOKEN, world.task_deps, NOW)
    # Nothing changed and nothing is owed to the workflow
    assert world.tasks.get(task.id).status == "pending" and world.tasks.events == []


def test_a_return_fails_the_step_with_the_error_the_state_machine_catches_and_keeps_the_reason(world):
    case = world.open({"had_kokuho": True})
    task = world.wait(case.id, "hoken")
    tasks.give_back(task.id, Return(reason="保険証を持参"), HOKEN, world.task_deps, NOW)
    world.run_effects()
    assert world.workflows.answered[task.token] == ("failure", {"error": "Case.Returned", "cause": "returned"})
    awaiting = world.wait(case.id, "hoken", kind="awaiting_resident")
    view = cases.case_view(world.cases.record(case.id), "ja")
    assert view.status == "needs_resident" and view.steps[0].return_reason == "保険証を持参"
    with pytest.raises(Conflict):  # a step waiting on the resident is not returned again
        tasks.give_back(awaiting.id, Return(reason="x"), HOKEN, world.task_deps, NOW)
    tasks.approve(awaiting.id, Approve(), HOKEN, world.task_deps, NOW)
    assert world.step(case.id, "hoken").status == "waiting" and world.step(case.id, "hoken").return_reason is None
    assert cases.case_view(world.cases.record(case.id), "ja").status == "open"


def test_escalation_expires_the_dead_task_and_counts(world):
    case = world.open({"owned_property": True})
    first = world.wait(case.id, "shisan")
    assert tasks.escalate(case.id, "shisan", world.task_deps, NOW) == 1
    assert world.tasks.get(first.id).status == "expired"
    again = world.wait(case.id, "shisan")
    assert again.attempt == 2 and world.step(case.id, "shisan").task_id == again.id
    with pytest.raises(Conflict):
        tasks.approve(
            first.id,
            Approve(),
            Caller(sub="s", role=Role.STAFF, department="shisan"),
            world.task_deps,
            NOW,
        )


def test_closing_and_the_timeline(world):
    case = world.open({"owned_property": True})
    closed = cases.close_case(case.id, world.deps, NOW + timedelta(minutes=5))
    assert closed.status == "closed" and closed.closed_at == NOW + timedelta(minutes=5)
    with pytest.raises(Conflict):
        cases.close_case(case.id, world.deps, NOW)
    view = cases.get_case(case.id, ONESTOP, world.deps, NOW, lang="en")
    assert [a.action for a in view.timeline] == ["case_opened", "workflow_started", "case_closed"]  # reads: not shown
    assert any(a.action == "case_viewed" for a in world.cases.record(case.id).timeline)


def test_who_may_read_a_case(world):
    case = world.open({"owned_property": True})
    for caller in (ZEI, Caller(sub="kiosk-1", role=Role.DEVICE)):
        with pytest.raises(Forbidden):
            cases.get_case(case.id, caller, world.deps, NOW, lang="ja")
    own = world.open({"owned_property": True}, caller=RESIDENT, identity=None)
    assert cases.get_case(own.id, RESIDENT, world.deps, NOW, lang="ja").status == "awaiting_identity"
    with pytest.raises(NotFound):
        cases.get_case("c-none", ONESTOP, world.deps, NOW, lang="ja")


def test_a_department_asked_on_the_case_may_read_and_answer_it(world):
    case = world.open({"had_children_allowance": True})
    kodomo = Caller(sub="staff-kodomo", role=Role.STAFF, department="kodomo")
    cases.post_message(case.id, Message(to_department="zei", text="所得の確認"), kodomo, world.deps, NOW)
    asked = cases.ask_verification(case.id, Ask(department="zei", question="限度額未満？"), kodomo, world.deps, NOW)
    with pytest.raises(Forbidden):
        cases.answer_verification(case.id, asked.id, Answer(answer="はい"), kodomo, world.deps, NOW)
    answered = cases.answer_verification(case.id, asked.id, Answer(answer="未満です"), ZEI, world.deps, NOW)
    assert answered.answered_by == "staff-zei"
    with pytest.raises(Conflict):
        cases.answer_verification(case.id, asked.id, Answer(answer="again"), ZEI, world.deps, NOW)
    with pytest.raises(InvalidInput):
        cases.post_message(case.id, Message(to_department="nowhere", text="x"), kodomo, world.deps, NOW)


# --- issue 13, flaw 4: a resident reads their own view, never the staff's record ---------------------------


def test_a_resident_reads_what_was_done_what_remains_and_where_never_the_staff_record(world):
    # Given a pre-registered case whose identity was checked, with an internal thread and a verification
    own = world.open(
        {"was_taxpayer": True, "had_kokuho": True, "received_pension": True}, caller=RESIDENT, identity=None
    )
    cases.record_identity(
        own.id,
        IdentityInput(method="passport", note="写真照合済み 旅券番号TK1234567"),
        ONESTOP,
        world.deps,
        NOW,
    )
    cases.post_message(own.id, Message(to_department="zei", text="滞納 52,300円あり"), HOKEN, world.deps, NOW)
    asked = cases.ask_verification(own.id, Ask(department="zei", question="滞納額は？"), HOKEN, world.deps, NOW)
    cases.answer_verification(own.id, asked.id, Answer(answer="52,300円の滞納"), ZEI, world.deps, NOW)
    task = world.wait(own.id, "hoken")
    tasks.approve(task.id, Approve(note="内部メモ"), HOKEN, world.task_deps, NOW)
    # When the resident reads it
    view = cases.get_case(own.id, RESIDENT, world.deps, NOW, lang="en")
    # Then they see their own view: what was done, what remains and where, nothing internal
    assert isinstance(view, ResidentCaseView)
    body = view.model_dump_json()
    for secret in ("TK1234567", "52,300", "滞納", "staff-", "内部メモ", "passport", task.id):
        assert secret not in body
    assert view.done[0] == "Ending National Health Insurance coverage" and len(view.done) == len(
        view.steps[0].procedures
    )
    assert [(s.department, s.status) for s in view.steps] == [("hoken", "approved"), ("zei", "pending")]
    assert view.counter == "One-Stop Counter"
    assert view.remaining and all(r.where for r in view.remaining)
    # And staff still read the full record
    assert isinstance(cases.get_case(own.id, ONESTOP, world.deps, NOW, lang="en"), CaseView)


def test_another_residents_case_does_not_exist_for_them(world):
    own = world.open({"owned_property": True}, caller=RESIDENT, identity=None)
    counter = world.open({"owned_property": True})
    before = len(world.cases.record(own.id).timeline)
    for case_id in (own.id, counter.id, "c-none"):
        with pytest.raises(NotFound):
            cases.get_case(case_id, Caller(sub="resident-2", role=Role.RESIDENT), world.deps, NOW, lang="ja")
    assert len(world.cases.record(own.id).timeline) == before


def test_an_escalated_step_is_in_progress_for_the_resident(world):
    own = world.open({"owned_property": True}, caller=RESIDENT, identity=None)
    cases.record_identity(own.id, IDENTITY, ONESTOP, world.deps, NOW)
    world.wait(own.id, "shisan")
    tasks.escalate(own.id, "shisan", world.task_deps, NOW)
    view = cases.get_case(own.id, RESIDENT, world.deps, NOW, lang="ja")
    assert [s.status for s in view.steps] == ["waiting"] and "escalations" not in view.model_dump_json()


# --- issue 13, flaws 7 and 8: retried opens, and Step Functions calls that fail --------------------------------


def test_a_retried_open_with_the_same_key_returns_the_first_case_and_starts_one_workflow(world):
    request = OpenCase(event="bereavement", subject=BEREAVED, answers={"had_kokuho": True}, identity=IDENTITY)
    first = cases.open_case(request, ONESTOP, world.deps, NOW, idempotency_key="k-1")
    again = cases.open_case(request, ONESTOP, world.deps, NOW, idempotency_key="k-1")
    world.run_effects()
    assert again.id == first.id and len(world.workflows.started) == 1
    assert [a.action for a in world.cases.record(first.id).timeline] == ["case_opened", "workflow_started"]
    # The same key from someone else, or no key, is another case
    other = cases.open_case(
        request,
        Caller(sub="staff-2", role=Role.STAFF, department="onestop"),
        world.deps,
        NOW,
        idempotency_key="k-1",
    )
    fresh = cases.open_case(request, ONESTOP, world.deps, NOW)
    world.run_effects()
    assert len({first.id, other.id, fresh.id}) == 3 and len(world.workflows.started) == 3


def test_a_resident_retrying_a_pre_registration_gets_one_case(world):
    request = OpenCase(event="bereavement", subject=BEREAVED, answers={"was_taxpayer": True})
    first = cases.open_case(request, RESIDENT, world.deps, NOW, idempotency_key="k-2")
    again = cases.open_case(request, RESIDENT, world.deps, NOW, idempotency_key="k-2")
    assert again == first and world.workflows.started == []


def test_a_retried_message_or_question_with_the_same_key_is_filed_once(world):
    case = world.open({"had_children_allowance": True})
    kodomo = Caller(sub="staff-kodomo", role=Role.STAFF, department="kodomo")
    said = Message(to_department="zei", text="所得の確認")
    asked = Ask(department="zei", question="限度額未満？")
    first = cases.post_message(case.id, said, kodomo, world.deps, NOW, idempotency_key="k-3")
    again = cases.post_message(case.id, said, kodomo, world.deps, NOW + timedelta(seconds=5), idempotency_key="k-3")
    question = cases.ask_verification(case.id, asked, kodomo, world.deps, NOW, idempotency_key="k-4")
    repeated = cases.ask_verification(
        case.id, asked, kodomo, world.deps, NOW + timedelta(seconds=5), idempotency_key="k-4"
    )
    assert again == first and repeated == question
    record = world.cases.record(case.id)
    assert [m.id for m in record.thread] == [first.id] and [v.id for v in record.verifications] == [question.id]
    assert [a.action for a in record.timeline].count("message_posted") == 1
    assert world.cases.pending_verification_count("zei") == 1
    # The same key from another clerk, on another case, or no key at all, is another message
    other = cases.post_message(case.id, said, ZEI, world.deps, NOW, idempotency_key="k-3")
    elsewhere = world.open({"had_children_allowance": True})
    moved = cases.post_message(elsewhere.id, said, kodomo, world.deps, NOW, idempotency_key="k-3")
    fresh = cases.post_message(case.id, said, kodomo, world.deps, NOW)
    assert len({first.id, other.id, moved.id, fresh.id}) == 4
    assert cases.ask_verification(case.id, asked, kodomo, world.deps, NOW).id != question.id


def test_an_open_case_owes_its_start_in_its_own_write_and_shows_it_starting_until_run(world):
    # Given staff opening a case ("killed" before any worker ran: only the write happened)
    request = OpenCase(event="bereavement", subject=BEREAVED, answers={"had_kokuho": True}, identity=IDENTITY)
    case = cases.open_case(request, ONESTOP, world.deps, NOW)
    # Then the case is open, its start owed in the same write, nothing started yet, and staff see it starting
    [owed] = world.owed()
    assert (owed.id, owed.kind, owed.payload) == (
        f"cases:{case.id}:start_workflow",
        "cases.start_workflow",
        {"case_id": case.id},
    )
    assert world.cases.get(case.id).status == "open" and world.workflows.started == []
    assert cases.get_case(case.id, ONESTOP, world.deps, NOW, lang="en").workflow_starting is True
    # When the worker runs it, the execution starts, named after the case, and the view stops saying "starting"
    assert world.run_effects() == {owed.id: "done"}
    assert [name for _, name, _ in world.workflows.started] == [case.id]
    view = cases.get_case(case.id, ONESTOP, world.deps, NOW, lang="en")
    assert view.workflow_starting is False and "workflow_started" in [a.action for a in view.timeline]


def test_step_functions_refusing_a_start_leaves_the_case_open_and_the_effect_retried_until_it_starts_once(world):
    world.workflows.unavailable = 2  # Given Step Functions failing the next two calls
    request = OpenCase(event="bereavement", subject=BEREAVED, answers={"had_kokuho": True}, identity=IDENTITY)
    case = cases.open_case(request, ONESTOP, world.deps, NOW)  # no 503: the request only writes
    effect_id = f"cases:{case.id}:start_workflow"
    assert world.run_effects() == {effect_id: "retry"}
    assert world.cases.get(case.id).status == "open" and world.effects.items[effect_id].attempts == 1
    assert world.effects.items[effect_id].last_error == "WorkflowUnavailable"
    # The schedule tries it again after its backoff, until Step Functions takes it: one execution
    from madoguchi.effects import service as worker

    later = NOW + timedelta(hours=2)
    assert worker.redrive(world.handlers, world.effects, later) == {
        "done": 0,
        "retry": 1,
        "given_up": 0,
        "not_pending": 0,
        "deferred": 0,
    }
    assert worker.redrive(world.handlers, world.effects, later + timedelta(hours=2))["done"] == 1
    assert [name for _, name, _ in world.workflows.started] == [case.id]
    assert world.workflows.started[0][2]["departments"] == ["hoken"]
    # Run again (stream and schedule at once): not pending, nothing started twice
    assert worker.delivered(world.owed()[0], world.handlers, world.effects, later) == "not_pending"
    assert world.handlers["cases.start_workflow"](world.owed()[0]) is None  # ExecutionAlreadyExists is done
    assert len(world.workflows.started) == 1


def test_a_start_owed_for_a_case_closed_or_gone_is_moot(world):
    case = world.open({"had_kokuho": True})
    cases.close_case(case.id, world.deps, NOW)
    again = cases.start_workflow(case.id, NOW)
    world.handlers["cases.start_workflow"](again)
    world.handlers["cases.start_workflow"](cases.start_workflow("c-unknown", NOW))
    assert len(world.workflows.started) == 1  # only the first, from its opening


@pytest.mark.parametrize("decision", ["approve", "return"])
def test_a_decision_owes_its_answer_in_its_own_write_and_the_worker_retries_it_until_the_workflow_has_it(
    world, decision
):
    case = world.open({"had_kokuho": True})
    task = world.wait(case.id, "hoken")
    decide = (
        (lambda: tasks.approve(task.id, Approve(), HOKEN, world.task_deps, NOW))
        if decision == "approve"
        else (lambda: tasks.give_back(task.id, Return(reason="保険証"), HOKEN, world.task_deps, NOW))
    )
    # Given Step Functions failing the answer once
    world.workflows.unavailable = 1
    decided = decide()
    status = "approved" if decision == "approve" else "returned"
    # Then the decision stands (no 503, no release), the answer is owed with the token left in the task record
    assert decided.status == status and world.tasks.get(task.id).status == status
    [answer] = world.tasks.events
    assert answer.id == f"cases:{task.id}:answer_task" and answer.payload == {"task_id": task.id, "decision": status}
    assert task.token not in answer.model_dump_json()
    assert world.run_effects() == {answer.id: "retry"} and world.workflows.answered == {}
    # And the schedule's next try delivers it, once
    from madoguchi.effects import service as worker

    assert worker.redrive(world.handlers, world.effects, NOW + timedelta(hours=1))["done"] == 1
    outcome = "success" if decision == "approve" else "failure"
    assert world.workflows.answered[task.token][0] == outcome
    with pytest.raises(Conflict):  # decided once
        decide()


def test_an_answer_whose_token_no_longer_waits_is_moot(world):
    case = world.open({"had_kokuho": True})
    task = world.wait(case.id, "hoken")
    tasks.approve(task.id, Approve(), HOKEN, world.task_deps, NOW)
    world.workflows.dead_tokens.add(task.token)  # the step timed out and escalated meanwhile
    assert world.run_effects() == {f"cases:{task.id}:answer_task": "done"}
    world.handlers["cases.answer_task"](tasks.answer_task("t-gone", "approved", NOW))  # expired from the table
    assert world.workflows.answered == {}


# --- whose case it is, and finding it by its code ------------------------------------------------------------


def test_a_case_records_whose_it_is_and_the_department_inbox_tells_cases_apart(world):
    case = world.open({"had_kokuho": True})
    assert case.subject == BEREAVED and case.code and len(case.code) == 8
    world.wait(case.id, "hoken")
    row = tasks.inbox(None, HOKEN, world.task_deps).tasks
    assert [(r.case_summary.person_name, r.case_summary.event_date, r.case_summary.code) for r in row] == [
        ("四日市 一郎", BEREAVED.event_date, case.code)
    ]
    view = cases.get_case(case.id, HOKEN, world.deps, NOW, lang="en")
    assert isinstance(view, CaseView) and view.subject == BEREAVED and view.code == case.code


@pytest.mark.parametrize(
    ("event", "changes", "field", "problem"),
    [
        ("bereavement", {"event_date": NOW.date() + timedelta(days=1)}, "event_date", "date_in_future"),
        ("bereavement", {"event_date": NOW.date() - timedelta(days=400)}, "event_date", "date_too_old"),
        ("bereavement", {"relationship": "self"}, "relationship", "field_invalid"),
        ("moving_in", {"event_date": NOW.date() + timedelta(days=61)}, "event_date", "date_in_future"),
    ],
)
def test_dates_and_relationships_a_clerk_would_refuse(world, event, changes, field, problem):
    request = OpenCase(
        event=event,
        subject=subject(event).model_copy(update=changes),
        answers={"had_kokuho": True} if event == "bereavement" else {"has_children": True},
        identity=IDENTITY,
    )
    with pytest.raises(InvalidInput) as refused:
        cases.open_case(request, ONESTOP, world.deps, NOW)
    assert refused.value.fields == [(["body", "subject", field], problem)]
    assert world.workflows.started == []


def test_a_move_announced_ahead_is_accepted(world):
    ahead = MOVING.model_copy(update={"event_date": NOW.date() + timedelta(days=30)})
    request = OpenCase(event="moving_in", subject=ahead, answers={"has_children": True}, identity=IDENTITY)
    assert cases.open_case(request, ONESTOP, world.deps, NOW).subject == ahead


def test_the_front_counter_finds_a_pre_registration_by_its_code_and_the_lookup_is_audited(world):
    pre = world.open({"had_kokuho": True}, caller=RESIDENT, identity=None)
    mine = cases.get_case(pre.id, RESIDENT, world.deps, NOW, lang="vi")
    assert isinstance(mine, ResidentCaseView) and mine.code == pre.code
    assert mine.qr_svg and "<svg" in mine.qr_svg and mine.subject == BEREAVED
    assert cases.find_by_code(pre.code.lower(), ONESTOP, world.deps, NOW) == pre.id
    assert "case_found_by_code" in [a.action for a in world.cases.record(pre.id).timeline]
    for caller, error in [(HOKEN, Forbidden), (RESIDENT, Forbidden), (None, Unauthorized)]:
        with pytest.raises(error):
            cases.find_by_code(pre.code, caller, world.deps, NOW)
    with pytest.raises(NotFound):
        cases.find_by_code("ZZZZ9999", ONESTOP, world.deps, NOW)


# --- domain events (docs/metrics.md): a case counts as received when it opens and completed when it closes


def counted(world):
    return [(e.type, e.procedure_id, e.channel) for e in world.cases.events if isinstance(e, DomainEvent)]


def test_a_case_opened_and_closed_is_one_receipt_and_one_completion_on_the_onestop_channel(world):
    case = world.open({"owned_property": True})
    assert counted(world) == [("received", "onestop-bereavement", "onestop")]
    cases.close_case(case.id, world.deps, NOW + timedelta(days=2))
    with pytest.raises(Conflict):
        cases.close_case(case.id, world.deps, NOW + timedelta(days=3))  # a retried close counts nothing
    received, completed = [e for e in world.cases.events if isinstance(e, DomainEvent)]
    assert completed.type == "completed" and completed.lead_minutes() == 2 * 24 * 60
    assert {received.id, completed.id} == {f"cases:{case.id}:received", f"cases:{case.id}:completed"}
    assert "四日市" not in received.model_dump_json() + completed.model_dump_json()  # no personal data


def test_a_pre_registration_is_received_when_its_identity_is_verified_once(world):
    case = world.open({"has_children": True}, caller=RESIDENT, identity=None, event="moving_in")
    assert counted(world) == []  # awaiting identity: nobody at the counter has received it yet
    cases.record_identity(case.id, IDENTITY, ONESTOP, world.deps, NOW)
    with pytest.raises(Conflict):
        cases.record_identity(case.id, IDENTITY, ONESTOP, world.deps, NOW)  # a second verification writes nothing
    assert counted(world) == [("received", "onestop-moving-in", "onestop")]
