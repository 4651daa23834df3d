"""Queue rules on the in-memory store: order, recall, absent and grace, complete, transfer, notices."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from madoguchi.queue import effects as queue_effects
from madoguchi.queue import service as queue
from madoguchi.queue.models import (
    CallNext,
    IssueRequest,
    LineNotifyRequest,
    NotifyRequest,
    TicketReceipt,
    Transfer,
    parse_ticket_id,
)
from madoguchi.queue.service import QueueDeps
from madoguchi.shared.auth import Caller, DeviceKind, Role
from madoguchi.shared.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from tests.fakes.effects import MemoryEffectQueue
from tests.fakes.messaging import MemoryLineMessenger
from tests.fakes.queue import MemoryQueueStore, MemoryWebPush

T0 = datetime(2026, 11, 30, 0, 30, tzinfo=UTC)  # 09:30 in Tokyo, a Monday
MACHINE = Caller(sub="ticket-1", role=Role.DEVICE, device_kind=DeviceKind.TICKET_MACHINE)
SHIMIN = Caller(sub="staff-shimin", role=Role.STAFF, department="shimin")
ONESTOP = Caller(sub="staff-onestop", role=Role.STAFF, department="onestop")
RESIDENT = Caller(sub="resident-1", role=Role.RESIDENT)
LINKED = {"resident-1": "U" + "0" * 32}  # resident sub -> the LINE user id they linked by LINE Login
GRACE = timedelta(minutes=15)
BASE = "https://city.example"


def issue(
    store: MemoryQueueStore,
    at: datetime,
    counter: str = "shimin_cert",
    service: str = "juminhyo",
    priority: str | None = None,
) -> TicketReceipt:
    receipt = queue.issue(
        counter,
        IssueRequest(service=service, priority=priority),
        MACHINE,
        QueueDeps(store),
        at,
        base_url=BASE,
        lang="ja",
    )
    return receipt


def call(store: MemoryQueueStore, at: datetime, counter: str = "shimin_cert", who: Caller = SHIMIN):
    called = queue.call_next(counter, CallNext(desk="2"), who, QueueDeps(store), at)
    return called


def test_numbers_count_up_per_counter_and_day_with_a_printable_receipt():
    store = MemoryQueueStore()
    first, second = issue(store, T0), issue(store, T0 + timedelta(minutes=1))
    other = issue(store, T0, counter="hoken", service="kokuho")
    tomorrow = issue(store, T0 + timedelta(days=1))
    assert (first.number, second.number, other.number, tomorrow.number) == (1, 2, 1, 1)
    assert second.ahead == 1 and second.estimated_wait_minutes and second.estimated_wait_minutes > 0
    assert second.status_url == f"{BASE}/ticket/?id={second.id}" and second.qr_svg.startswith("<svg")


def test_priority_tickets_are_called_first_then_arrival_order():
    store = MemoryQueueStore()
    a = issue(store, T0)
    b = issue(store, T0 + timedelta(minutes=1))
    c = issue(store, T0 + timedelta(minutes=2), priority="assistance")
    order = [call(store, T0 + timedelta(minutes=5 + i)).number for i in range(3)]
    assert order == [c.number, a.number, b.number]
    assert call(store, T0 + timedelta(minutes=9)) is None


def test_absent_keeps_the_place_during_the_grace_period_only():
    store = MemoryQueueStore()
    a = issue(store, T0)
    issue(store, T0 + timedelta(minutes=1))
    called = call(store, T0 + timedelta(minutes=2))
    assert called.id == a.id
    t = queue.act("shimin_cert", a.id, "absent", SHIMIN, QueueDeps(store), T0 + timedelta(minutes=3), grace=GRACE)
    assert t.state == "absent" and t.absent_until == T0 + timedelta(minutes=18)
    # back within the grace period: in line again at the original arrival time, so called before number 2
    queue.act("shimin_cert", a.id, "requeue", SHIMIN, QueueDeps(store), T0 + timedelta(minutes=10), grace=GRACE)
    assert call(store, T0 + timedelta(minutes=11)).id == a.id
    queue.act("shimin_cert", a.id, "absent", SHIMIN, QueueDeps(store), T0 + timedelta(minutes=12), grace=GRACE)
    with pytest.raises(Conflict):
        queue.act("shimin_cert", a.id, "requeue", SHIMIN, QueueDeps(store), T0 + timedelta(minutes=40), grace=GRACE)


def test_recall_and_complete_record_wait_and_service_time():
    store = MemoryQueueStore()
    a = issue(store, T0)
    call(store, T0 + timedelta(minutes=10))
    recalled = queue.act(
        "shimin_cert", a.id, "recall", SHIMIN, QueueDeps(store), T0 + timedelta(minutes=12), grace=GRACE
    )
    assert recalled.recalls == 1 and recalled.state == "called"
    done = queue.act("shimin_cert", a.id, "complete", SHIMIN, QueueDeps(store), T0 + timedelta(minutes=20), grace=GRACE)
    assert done.state == "done" and done.wait_seconds == 600 and done.service_seconds == 480
    with pytest.raises(Conflict):
        queue.act("shimin_cert", a.id, "complete", SHIMIN, QueueDeps(store), T0 + timedelta(minutes=21), grace=GRACE)
    stats = queue.counter_stats("shimin_cert", SHIMIN, QueueDeps(store), T0 + timedelta(minutes=30), days=7, lang="ja")
    assert stats.days[-1].served == 1 and stats.services[0].mean_service_minutes == 8.0


def test_transfer_keeps_the_first_arrival_time_at_the_other_counter():
    store = MemoryQueueStore()
    early = issue(store, T0, counter="okuyami", service="okuyami")
    issue(store, T0 + timedelta(minutes=5), counter="hoken", service="kokuho")  # arrived later at 保険年金
    call(store, T0 + timedelta(minutes=6), counter="okuyami", who=ONESTOP)
    new = queue.transfer(
        "okuyami",
        early.id,
        Transfer(to="hoken", service="kokuho"),
        ONESTOP,
        QueueDeps(store),
        T0 + timedelta(minutes=30),
    )
    assert new.counter == "hoken" and new.number == 2 and new.arrived_at == T0 and new.transferred_from == early.id
    hoken = Caller(sub="staff-hoken", role=Role.STAFF, department="hoken")
    assert call(store, T0 + timedelta(minutes=31), counter="hoken", who=hoken).id == new.id
    old = queue.view_ticket(early.id, QueueDeps(store), T0 + timedelta(minutes=31), lang="ja")
    assert old.state == "transferred" and old.transferred_to == new.id


def test_only_the_counters_department_may_call_and_only_devices_issue():
    store = MemoryQueueStore()
    with pytest.raises(Forbidden):
        call(store, T0, counter="hoken")
    with pytest.raises(Unauthorized):
        queue.call_next("shimin_cert", CallNext(desk="1"), None, QueueDeps(store), T0)
    with pytest.raises(Forbidden):
        queue.issue(
            "shimin_cert", IssueRequest(service="juminhyo"), SHIMIN, QueueDeps(store), T0, base_url=BASE, lang="ja"
        )
    with pytest.raises(InvalidInput):
        issue(store, T0, service="kokuho")
    with pytest.raises(NotFound):
        issue(store, T0, counter="nowhere")


def deliver(store: MemoryQueueStore, effects: MemoryEffectQueue, line, push, at: datetime) -> dict[str, str]:
    """What the outbox worker does after the writes so far: every notice owed, carried out once."""
    effects.owe(e for e in store.events if e.id not in effects.items)  # the new ones (the stream's INSERTs)
    handlers = queue_effects.handlers(lambda: QueueDeps(store, line, push), base_url=lambda: BASE, clock=lambda: at)
    return effects.deliver(handlers, at)


def test_notices_say_only_number_counter_and_link_and_go_once():
    store, effects = MemoryQueueStore(), MemoryEffectQueue()
    line, push = MemoryLineMessenger(), MemoryWebPush()
    tickets = [issue(store, T0 + timedelta(minutes=i)) for i in range(4)]
    last = tickets[-1]
    sub = {"endpoint": "https://push.example/abc", "keys": {"p256dh": "x", "auth": "y"}}
    queue.opt_in(
        last.id,
        NotifyRequest.model_validate({"ahead": 1, "webpush": sub, "lang": "en"}),
        QueueDeps(store),
        T0,
        lang="ja",
        push_hosts=["push.example"],
    )
    queue.opt_in_line(
        last.id,
        LineNotifyRequest(ahead=1, lang="en"),
        RESIDENT,
        QueueDeps(store, line_account=LINKED.get),
        T0,
        lang="ja",
    )
    assert store.events == []  # 3 ahead, threshold 1: nothing owed
    for i in range(4):
        at = T0 + timedelta(minutes=9 + i)
        queue.call_next("shimin_cert", CallNext(desk="4"), SHIMIN, QueueDeps(store), at)
        deliver(store, effects, line, push, at)
    deliver(store, effects, line, push, T0 + timedelta(minutes=20))  # delivered already: nothing again
    assert [e.kind for e in store.events] == ["queue.notice"] * 2  # "1 ahead", "called": owed once each
    assert all(set(e.payload) == {"ticket", "notice", "recalls", "ahead"} for e in store.events)  # no personal data
    assert [m["to"] for m in line.sent] == [LINKED["resident-1"]] * 2 and len(push.sent) == 2
    texts = [t for m in line.sent for t in m["texts"]] + [text for _, text in push.sent]
    assert texts[0] == f"[Certificates] Number {last.number}: 1 ahead of you. {BASE}/ticket/?id={last.id}"
    assert texts[1] == (
        f"[Certificates] Number {last.number} is being called. Please come to desk 4. {BASE}/ticket/?id={last.id}"
    )
    assert texts[2:] == texts[:2]  # Web Push says the same
    assert all(item.done_at is not None for item in effects.items.values())


def test_push_subscriptions_only_to_known_push_services():
    hosts = ["fcm.googleapis.com", "push.apple.com"]
    assert queue.push_endpoint_allowed("https://fcm.googleapis.com/fcm/send/x", hosts)
    assert queue.push_endpoint_allowed("https://web.push.apple.com/abc", hosts)
    assert not queue.push_endpoint_allowed("http://fcm.googleapis.com/x", hosts)
    assert not queue.push_endpoint_allowed("https://evil.example/fcm.googleapis.com", hosts)
    assert not queue.push_endpoint_allowed("https://fcm.googleapis.com.evil.example/x", hosts)
    store = MemoryQueueStore()
    ticket = issue(store, T0)
    body = NotifyRequest.model_validate({"webpush": {"endpoint": "https://169.254.169.254/x", "keys": {}}})
    with pytest.raises(InvalidInput):
        queue.opt_in(ticket.id, body, QueueDeps(store), T0, lang="ja", push_hosts=hosts)


class CountingStore(MemoryQueueStore):
    """Counts what the issuing and calling paths read: whole days and single items."""

    def __init__(self) -> None:
        super().__init__()
        self.days_read = 0

    def day(self, counter, day):  # type: ignore[no-untyped-def]
        self.days_read += 1
        return super().day(counter, day)


@pytest.mark.parametrize("queue_length", [10, 500])
def test_issuing_and_calling_read_the_same_whatever_the_queue(queue_length: int) -> None:
    store = CountingStore()
    for i in range(queue_length - 1):
        issue(store, T0 + timedelta(seconds=i))
    store.reads = store.days_read = 0
    issue(store, T0 + timedelta(hours=1))
    assert (store.days_read, store.reads) == (0, 0)  # the store's write reads the head itself
    call(store, T0 + timedelta(hours=2))
    assert (store.days_read, store.reads) == (0, 2)  # the status, then the first waiting ticket


def test_the_status_written_with_each_change_matches_the_tickets():
    store = MemoryQueueStore()
    effects, line, push = MemoryEffectQueue(), MemoryLineMessenger(), MemoryWebPush()
    tickets = [issue(store, T0 + timedelta(minutes=i), priority="assistance" if i == 5 else None) for i in range(8)]

    def send(result):  # as the outbox worker does after every write
        deliver(store, effects, line, push, T0 + timedelta(hours=1))
        return result

    send(
        queue.opt_in_line(
            tickets[7].id,
            LineNotifyRequest(ahead=2),
            RESIDENT,
            QueueDeps(store, line_account=LINKED.get),
            T0,
            lang="ja",
        )
    )
    at = T0 + timedelta(minutes=20)
    a = call(store, at)
    send(queue.act("shimin_cert", a.id, "absent", SHIMIN, QueueDeps(store), at, grace=GRACE))
    b = call(store, at + timedelta(minutes=1))
    send(queue.act("shimin_cert", b.id, "complete", SHIMIN, QueueDeps(store), at + timedelta(minutes=9), grace=GRACE))
    send(
        queue.act(
            "shimin_cert", tickets[3].id, "cancel", SHIMIN, QueueDeps(store), at + timedelta(minutes=9), grace=GRACE
        )
    )
    send(queue.act("shimin_cert", a.id, "requeue", SHIMIN, QueueDeps(store), at + timedelta(minutes=10), grace=GRACE))
    send(
        queue.transfer(
            "shimin_cert",
            tickets[6].id,
            Transfer(to="hoken", service="kokuho"),
            SHIMIN,
            QueueDeps(store),
            at + timedelta(minutes=11),
        )
    )
    for i in range(5):  # #6 (priority, back in line), #2, #3, #5, then the opted-in #8
        send(
            queue.call_next("shimin_cert", CallNext(desk="1"), SHIMIN, QueueDeps(store), at + timedelta(minutes=12 + i))
        )
    day = T0.date()
    status = store.status("shimin_cert", day)
    _, all_tickets = store.day("shimin_cert", day)
    assert status is not None and status.stats == queue.day_stats("shimin_cert", day, all_tickets)
    live = sorted((t for t in all_tickets if t.state in ("waiting", "called", "absent")), key=lambda t: t.order())
    assert [(e.number, e.state) for e in status.entries] == [(t.number, t.state) for t in live]
    assert status.served == 1 and status.last_issued == 8
    assert len(store.events) == 2 and len(line.sent) == 2  # the opted-in ticket: "2 ahead" once, then "called" once


def test_a_retried_transfer_with_the_same_key_returns_the_first_new_ticket():
    store = MemoryQueueStore()
    early = issue(store, T0, counter="okuyami", service="okuyami")
    body = Transfer(to="hoken", service="kokuho")
    at = T0 + timedelta(minutes=30)
    new = queue.transfer("okuyami", early.id, body, ONESTOP, QueueDeps(store), at, idempotency_key="k1")
    again = queue.transfer("okuyami", early.id, body, ONESTOP, QueueDeps(store), at, idempotency_key="k1")
    assert again == new
    assert [t.number for t in store.day("hoken", T0.date())[1]] == [new.number]  # one new ticket
    with pytest.raises(Conflict):  # without the key, a second hand-over of the closed ticket is refused
        queue.transfer("okuyami", early.id, body, ONESTOP, QueueDeps(store), at)


# --- domain events (the outbox; docs/metrics.md) ----------------------------------------------------------------


def test_ticket_events_receipt_at_issue_completion_with_wait_and_handling():
    from datetime import UTC, date, datetime, timedelta

    from madoguchi.queue.events import ticket_event
    from madoguchi.queue.models import Ticket

    issued = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)
    ticket = Ticket(
        id="t-1", counter="shimin_cert", day=date(2026, 11, 30), number=7, key="k", service="inkan",
        arrived_at=issued, issued_at=issued, issued_by="ticket-1", expires_at=0,
    )  # fmt: skip
    received = ticket_event(None, ticket)
    assert received is not None and received.type == "received"
    assert (received.procedure_id, received.channel, received.counter_id) == (
        "inkan-toroku-shomei",
        "counter",
        "shimin_cert",
    )

    called = ticket.model_copy(update={"state": "called", "called_at": issued + timedelta(minutes=12),
                                       "first_called_at": issued + timedelta(minutes=12)})  # fmt: skip
    assert ticket_event(ticket, called) is None  # a call alone counts nothing
    done = called.model_copy(update={"state": "done", "completed_at": issued + timedelta(minutes=20)})
    completed = ticket_event(called, done)
    assert completed is not None and completed.type == "completed" and completed.id == "queue:t-1:done"
    assert (completed.waiting_minutes(), completed.handling_minutes(), completed.lead_minutes()) == (12, 8, 20)
    assert ticket_event(done, done) is None


def test_line_notices_go_only_to_the_account_the_signed_in_resident_linked():
    store = MemoryQueueStore()
    ticket = issue(store, T0)
    deps = QueueDeps(store, line_account=LINKED.get)
    body = LineNotifyRequest(ahead=0)
    with pytest.raises(Unauthorized):
        queue.opt_in_line(ticket.id, body, None, deps, T0, lang="ja")
    for who in (SHIMIN, MACHINE):
        with pytest.raises(Forbidden):
            queue.opt_in_line(ticket.id, body, who, deps, T0, lang="ja")
    unlinked = Caller(sub="resident-2", role=Role.RESIDENT)
    with pytest.raises(queue.LineNotLinked):
        queue.opt_in_line(ticket.id, body, unlinked, deps, T0, lang="ja")
    with pytest.raises(queue.LineNotLinked):  # no way to look links up: nobody is linked
        queue.opt_in_line(ticket.id, body, RESIDENT, QueueDeps(store), T0, lang="ja")
    with pytest.raises(NotFound):
        queue.opt_in_line(ticket.id[:-8] + "f" * 8, body, RESIDENT, deps, T0, lang="ja")
    counter, day, number, _ = parse_ticket_id(ticket.id)  # type: ignore[misc]
    assert store.get(counter, day, number).notify is None  # type: ignore[union-attr]
    # A LINE id in the body is not a field of either request: it never reaches the ticket
    typed = {"ahead": 0, "line_user_id": "U" + "9" * 32}
    with pytest.raises(InvalidInput):
        queue.opt_in(ticket.id, NotifyRequest.model_validate(typed), deps, T0, lang="ja")
    view = queue.opt_in_line(ticket.id, LineNotifyRequest.model_validate(typed), RESIDENT, deps, T0, lang="ja")
    assert view.notify_line
    stored = store.get(counter, day, number)
    assert stored is not None and stored.notify is not None and stored.notify.line_user_id == LINKED["resident-1"]


def test_a_retried_call_with_the_same_key_calls_one_resident():
    store = MemoryQueueStore()
    first, second = issue(store, T0), issue(store, T0 + timedelta(minutes=1))
    press = T0 + timedelta(minutes=5)
    called = queue.call_next("shimin_cert", CallNext(desk="2"), SHIMIN, QueueDeps(store), press, idempotency_key="c1")
    again = queue.call_next(
        "shimin_cert", CallNext(desk="2"), SHIMIN, QueueDeps(store), press + timedelta(seconds=3), idempotency_key="c1"
    )
    assert called is not None and called.id == first.id and again == called
    assert store.status("shimin_cert", called.day).entries[1].state == "waiting"  # type: ignore[union-attr]
    # The same key from another clerk, or a new key, calls the next one
    other = Caller(sub="staff-shimin-2", role=Role.STAFF, department="shimin")
    nxt = queue.call_next("shimin_cert", CallNext(desk="3"), other, QueueDeps(store), press, idempotency_key="c1")
    assert nxt is not None and nxt.id == second.id


def test_a_retried_recall_with_the_same_key_recalls_once():
    store = MemoryQueueStore()
    issue(store, T0)
    called = call(store, T0 + timedelta(minutes=5))
    assert called is not None
    press = T0 + timedelta(minutes=8)

    def recall(at: datetime, key: str):
        return queue.act(
            "shimin_cert", called.id, "recall", SHIMIN, QueueDeps(store), at, grace=GRACE, idempotency_key=key
        )

    first = recall(press, "r1")
    again = recall(press + timedelta(seconds=3), "r1")
    assert first.recalls == again.recalls == 1 and again.called_at == press
    assert store.get("shimin_cert", called.day, called.number).recalls == 1  # type: ignore[union-attr]
    assert recall(press + timedelta(minutes=1), "r2").recalls == 2  # a new press recalls again
