"""Call notices through the outbox (issue 13): the write that claims a notice owes a `queue.notice` effect; the
worker's handler composes it from the ticket as it is then and delivers it once; a failing provider leaves it
owed; a notice no longer true when it runs is moot (returned, not sent)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from madoguchi.effects import service as effects_service
from madoguchi.queue import effects as queue_effects
from madoguchi.queue import service as queue
from madoguchi.queue.models import CallNext, IssueRequest, LineNotifyRequest, NotifyRequest, TicketReceipt
from madoguchi.queue.service import QueueDeps
from madoguchi.shared.auth import Caller, DeviceKind, Role
from tests.fakes.effects import MemoryEffectQueue
from tests.fakes.messaging import MemoryLineMessenger
from tests.fakes.queue import MemoryQueueStore, MemoryWebPush

T0 = datetime(2026, 11, 30, 0, 30, tzinfo=UTC)  # 09:30 in Tokyo
MACHINE = Caller(sub="ticket-1", role=Role.DEVICE, device_kind=DeviceKind.TICKET_MACHINE)
SHIMIN = Caller(sub="staff-shimin", role=Role.STAFF, department="shimin")
RESIDENT = Caller(sub="resident-1", role=Role.RESIDENT)
LINE_ID = "U" + "0" * 32
BASE = "https://city.example"
GRACE = timedelta(minutes=15)
PUSH = {"endpoint": "https://push.example/abc", "keys": {"p256dh": "x", "auth": "y"}}


class FailingLine(MemoryLineMessenger):
    """LINE answering 5xx to the next `failing` pushes (refused before it accepted anything)."""

    def __init__(self, failing: int = 0) -> None:
        super().__init__()
        self.failing = failing
        self.keys: list[str | None] = []

    def push(self, user_id: str, texts: list[str], retry_key: str | None = None) -> None:
        if self.failing:
            self.failing -= 1
            raise ConnectionError("LINE 503")
        self.keys.append(retry_key)
        super().push(user_id, texts, retry_key)


class World:
    def __init__(self, line: FailingLine | None = None) -> None:
        self.store, self.effects = MemoryQueueStore(), MemoryEffectQueue()
        self.line, self.push = line or FailingLine(), MemoryWebPush()

    def issue(self, at: datetime) -> TicketReceipt:
        body = IssueRequest(service="juminhyo")
        return queue.issue("shimin_cert", body, MACHINE, QueueDeps(self.store), at, base_url=BASE, lang="ja")

    def opt_in(self, tid: str, ahead: int = 0) -> None:
        """Web Push, then LINE (a second channel re-arms the notices: LINE gets them too)."""
        body = NotifyRequest.model_validate({"ahead": ahead, "lang": "en", "webpush": PUSH})
        queue.opt_in(tid, body, QueueDeps(self.store), T0, lang="ja", push_hosts=["push.example"])
        self.store.events.clear()  # what the Web Push opt-in owed: the tests look at the rest
        deps = QueueDeps(self.store, line_account={"resident-1": LINE_ID}.get)
        queue.opt_in_line(tid, LineNotifyRequest(ahead=ahead, lang="en"), RESIDENT, deps, T0, lang="ja")

    def call(self, at: datetime) -> None:
        queue.call_next("shimin_cert", CallNext(desk="3"), SHIMIN, QueueDeps(self.store), at)

    def handlers(self, at: datetime) -> dict[str, effects_service.Handler]:
        deps = QueueDeps(self.store, self.line, self.push)
        return queue_effects.handlers(lambda: deps, base_url=lambda: BASE, clock=lambda: at)

    def stream(self, at: datetime) -> dict[str, str]:
        """The stream delivering the effects written since the last look (its INSERTs), each once."""
        new = [e for e in self.store.events if e.id not in self.effects.items]
        self.effects.owe(new)
        handlers = self.handlers(at)
        return {e.id: effects_service.delivered(e, handlers, self.effects, at) for e in new}

    def schedule(self, at: datetime) -> dict[str, int]:
        return effects_service.redrive(self.handlers(at), self.effects, at)

    def texts(self) -> list[str]:
        return [t for m in self.line.sent for t in m["texts"]]


def test_the_write_that_claims_a_notice_owes_it_with_ids_and_counts_only() -> None:
    w = World()
    mine = w.issue(T0)
    w.opt_in(mine.id)
    w.call(T0 + timedelta(minutes=5))
    notices = [(e.kind, e.payload["notice"]) for e in w.store.events]
    assert notices == [("queue.notice", "ahead"), ("queue.notice", "called")]
    assert w.store.events[1].payload == {"ticket": mine.id, "notice": "called", "recalls": 0, "ahead": 0}
    assert all(e.id.startswith(f"queue:{mine.id}:") for e in w.store.events)
    assert w.line.sent == [] and w.push.sent == []  # nothing is sent by the request itself


def test_line_down_leaves_the_notice_owed_and_the_schedule_delivers_it_once() -> None:
    w = World(FailingLine(failing=1))
    mine = w.issue(T0)
    w.opt_in(mine.id, ahead=0)
    w.stream(T0)  # "0 ahead": LINE down
    called_at = T0 + timedelta(minutes=1)
    w.call(called_at)
    assert set(w.stream(called_at).values()) <= {"done", "retry", "not_pending"}
    owed = [i for i in w.effects.items.values() if i.due_at is not None]
    assert [(i.effect.payload["notice"], i.attempts, i.last_error) for i in owed] == [("ahead", 1, "ConnectionError")]
    # The ticket was called meanwhile: "0 ahead" is no longer true and is not sent when its time comes
    assert w.schedule(called_at + timedelta(minutes=5)) == {
        "done": 1,
        "retry": 0,
        "given_up": 0,
        "not_pending": 0,
        "deferred": 0,
    }
    assert len(w.texts()) == 1 and "Number 1 is being called" in w.texts()[0]
    assert len(w.line.keys) == 1 and len(w.push.sent) == 1


def test_a_failed_call_notice_is_retried_with_the_same_retry_key_and_delivered_once() -> None:
    w = World(FailingLine())
    mine = w.issue(T0)
    w.opt_in(mine.id, ahead=0)
    w.stream(T0)
    w.line.failing = 5  # LINE refuses every push for now
    at = T0 + timedelta(minutes=1)
    w.call(at)
    w.stream(at)
    pending = [i for i in w.effects.items.values() if i.due_at is not None]
    assert len(pending) == 1 and pending[0].attempts == 1
    w.line.failing = 0
    w.effects.deliver(w.handlers(at), at)  # the stream again (a redelivery) and the schedule
    w.schedule(at + timedelta(minutes=10))
    called = [t for t in w.texts() if "being called" in t]
    assert len(called) == 1 and f"{BASE}/ticket/?id={mine.id}" in called[0]
    assert len(set(w.line.keys)) == len(w.line.keys) == 2  # "0 ahead" and "called", each with its own key
    assert [i.done_at is not None for i in w.effects.items.values()] == [True, True]


def test_a_retry_after_line_accepted_the_push_is_not_delivered_twice() -> None:
    w = World()
    mine = w.issue(T0)
    w.opt_in(mine.id, ahead=0)
    w.push.failing = 1  # LINE accepted, then Web Push failed: the effect is retried as a whole
    w.stream(T0)
    w.schedule(T0 + timedelta(minutes=5))
    assert len(w.line.sent) == 1 and len(w.line.keys) == 2 and w.line.keys[0] == w.line.keys[1]
    assert len(w.push.sent) == 1 and w.push.topics[0] is not None


def test_moot_notices_are_not_sent() -> None:
    w = World()
    mine = w.issue(T0)
    w.opt_in(mine.id)
    at = T0 + timedelta(minutes=2)
    w.call(at)
    queue.act("shimin_cert", mine.id, "complete", SHIMIN, QueueDeps(w.store), at, grace=GRACE)
    # Both delivered only now: "0 ahead" after the call, "called" after the service was done
    assert set(w.stream(at).values()) == {"done"}
    assert w.line.sent == [] and w.push.sent == []


def test_a_recall_owes_its_own_notice_and_the_older_one_is_moot() -> None:
    w = World()
    mine = w.issue(T0)
    w.opt_in(mine.id, ahead=0)
    w.stream(T0)
    at = T0 + timedelta(minutes=1)
    w.call(at)
    queue.act("shimin_cert", mine.id, "recall", SHIMIN, QueueDeps(w.store), at + timedelta(minutes=1), grace=GRACE)
    w.stream(at + timedelta(minutes=1))
    called = [e.payload["recalls"] for e in w.store.events if e.payload["notice"] == "called"]
    assert called == [0, 1]
    assert len([t for t in w.texts() if "being called" in t]) == 1  # the first call's notice came too late


def test_a_call_after_coming_back_is_notified_again() -> None:
    w = World()
    mine = w.issue(T0)
    w.opt_in(mine.id, ahead=5)
    w.stream(T0)
    at = T0 + timedelta(minutes=1)
    w.call(at)
    w.stream(at)
    deps = QueueDeps(w.store)
    queue.act("shimin_cert", mine.id, "absent", SHIMIN, deps, at + timedelta(minutes=1), grace=GRACE)
    queue.act("shimin_cert", mine.id, "requeue", SHIMIN, deps, at + timedelta(minutes=2), grace=GRACE)
    w.call(at + timedelta(minutes=3))
    w.stream(at + timedelta(minutes=3))
    assert [e.payload["notice"] for e in w.store.events] == ["ahead", "called", "called"]
    assert len(w.push.sent) == 3


def test_a_notice_of_yesterday_is_moot() -> None:
    w = World()
    mine = w.issue(T0)
    w.opt_in(mine.id, ahead=0)
    w.line.failing = 100
    w.stream(T0)
    w.line.failing = 0
    assert w.schedule(T0 + timedelta(days=1)) == {"done": 1, "retry": 0, "given_up": 0, "not_pending": 0, "deferred": 0}
    assert w.line.sent == []


def test_a_withdrawn_push_subscription_does_not_hold_the_notice() -> None:
    w = World()
    mine = w.issue(T0)
    w.push.gone = True
    w.opt_in(mine.id, ahead=0)
    assert set(w.stream(T0).values()) == {"done"}
    assert len(w.line.sent) == 1 and w.push.sent == []
