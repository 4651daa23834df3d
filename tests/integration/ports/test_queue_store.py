"""QueueStore's contract, for the in-memory fake and the DynamoDB adapter alike: gap-free numbers per counter
and day, conditional state changes that change nothing when refused, transfer keeping the first arrival time,
the call order's data, day partitions, notices owed in the change's own transaction, and the cached objects'
newest-wins rule."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import boto3
import pytest
from moto import mock_aws

from infra import catalogue
from infra.local.provision import table_spec
from madoguchi.effects.models import Effect
from madoguchi.queue.models import DayStats, Ticket, new_key, ticket_id
from madoguchi.queue.service import Advance, day_stats
from madoguchi.queue.store import QueueStore
from madoguchi.shared.errors import Conflict
from tests.fakes.queue import MemoryQueueStore

DAY = date(2026, 11, 30)
T0 = datetime(2026, 11, 30, 0, 30, tzinfo=UTC)
OUTBOXES: dict[int, str] = {}  # DynamoDB store -> its outbox table's name


def owed(store: QueueStore) -> list[dict[str, object]]:
    """The notices the store's writes owed, as their payloads, in no particular order."""
    if isinstance(store, MemoryQueueStore):
        return [e.payload for e in store.events if isinstance(e, Effect)]
    items = boto3.resource("dynamodb").Table(OUTBOXES[id(store)]).scan()["Items"]
    return [Effect.from_json(str(i["event"])).payload for i in items if i.get("topic") == "effects"]


@pytest.fixture(params=["memory", "dynamodb"])
def store(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[QueueStore]:
    if request.param == "memory":
        yield MemoryQueueStore()
        return
    from infra.local import dynamodb_isolation
    from madoguchi.queue.dynamodb import DynamoQueueStore

    dynamodb_isolation.install()  # moto's backend serialises writes as DynamoDB does only with this lock
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-northeast-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "contract")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "contract")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    suffix = uuid.uuid4().hex[:8]  # table resources are cached by name: a fresh name per test
    with mock_aws():
        client = boto3.client("dynamodb")
        names = {}
        for key in ("queue", "congestion", "outbox"):
            spec = table_spec(catalogue.table(key))
            names[key] = spec["TableName"] = f"{spec['TableName']}-{suffix}"
            client.create_table(**spec)
        dynamo = DynamoQueueStore(names["queue"], names["congestion"], names["outbox"])
        OUTBOXES[id(dynamo)] = names["outbox"]
        yield dynamo
        OUTBOXES.pop(id(dynamo))


def builder(counter: str, day: date = DAY, arrived: datetime = T0, service: str = "juminhyo"):
    key = new_key()

    def build(number: int) -> Ticket:
        return Ticket(
            id=ticket_id(counter, day, number, key),
            counter=counter,
            day=day,
            number=number,
            key=key,
            service=service,
            arrived_at=arrived,
            issued_at=arrived,
            issued_by="ticket-1",
            expires_at=int((arrived + timedelta(days=400)).timestamp()),
        )

    return build


def advance() -> Advance:
    return Advance(T0)


def test_numbers_are_gap_free_and_unique_under_concurrent_issues(store: QueueStore) -> None:
    with ThreadPoolExecutor(8) as pool:
        tickets = list(pool.map(lambda _: store.issue("kodomo", DAY, builder("kodomo"), advance()).ticket, range(24)))
    assert sorted(t.number for t in tickets) == list(range(1, 25))
    _, stored = store.day("kodomo", DAY)
    assert [t.number for t in stored] == list(range(1, 25))  # in number order, every number with its ticket
    assert {t.id for t in stored} == {t.id for t in tickets}


def test_each_counter_and_day_is_its_own_partition(store: QueueStore) -> None:
    a = store.issue("zei", DAY, builder("zei"), advance()).ticket
    b = store.issue("hoken", DAY, builder("hoken", service="kokuho"), advance()).ticket
    c = store.issue("zei", DAY + timedelta(days=1), builder("zei", DAY + timedelta(days=1)), advance()).ticket
    assert (a.number, b.number, c.number) == (1, 1, 1)
    assert [t.id for t in store.day("zei", DAY)[1]] == [a.id]
    assert [t.id for t in store.day("zei", DAY + timedelta(days=1))[1]] == [c.id]
    assert store.day("okuyami", DAY) == (0, [])
    assert store.get("zei", DAY, 1) == a and store.get("zei", DAY, 2) is None


def test_a_change_applies_only_from_the_expected_states_and_bumps_the_revision(store: QueueStore) -> None:
    t = store.issue("zei", DAY, builder("zei"), advance()).ticket
    rev, _ = store.day("zei", DAY)
    called = store.change(t, ("waiting",), {"state": "called", "called_at": T0, "desk": "2"}, advance()).ticket
    assert called.state == "called" and called.desk == "2"
    assert store.get("zei", DAY, 1) == called
    rev2, _ = store.day("zei", DAY)
    assert rev2 > rev
    with pytest.raises(Conflict):  # a second desk calling the same ticket loses
        store.change(t, ("waiting",), {"state": "called", "desk": "3"}, advance())
    assert store.get("zei", DAY, 1) == called and store.day("zei", DAY)[0] == rev2  # nothing changed
    cleared = store.change(called, ("called",), {"state": "waiting", "desk": None, "called_at": None}, advance()).ticket
    assert store.get("zei", DAY, 1) == cleared and cleared.desk is None and cleared.called_at is None


def test_transfer_closes_the_old_ticket_and_keeps_the_first_arrival_time(store: QueueStore) -> None:
    early = store.issue("okuyami", DAY, builder("okuyami", service="okuyami"), advance()).ticket
    store.issue("hoken", DAY, builder("hoken", arrived=T0 + timedelta(minutes=5), service="kokuho"), advance())
    build = builder("hoken", arrived=early.arrived_at, service="kokuho")
    new = store.transfer(
        early, ("waiting", "called", "absent"), {"state": "transferred", "completed_at": T0}, "hoken", build, advance()
    ).ticket
    assert new.number == 2 and new.arrived_at == T0 and store.get("hoken", DAY, 2) == new
    old = store.get("okuyami", DAY, 1)
    assert old is not None and old.state == "transferred" and old.transferred_to == new.id
    # the arrival time decides the call order at the new counter: the transferred resident comes first
    assert min(store.day("hoken", DAY)[1], key=lambda t: t.order()).id == new.id
    # a second transfer of the closed ticket is refused and takes no number at the target
    with pytest.raises(Conflict):
        store.transfer(
            early,
            ("waiting", "called", "absent"),
            {"state": "transferred"},
            "hoken",
            builder("hoken", service="kokuho"),
            advance(),
        )
    assert [t.number for t in store.day("hoken", DAY)[1]] == [1, 2]
    assert store.issue("hoken", DAY, builder("hoken", service="kokuho"), advance()).ticket.number == 3


def test_opt_in_only_on_a_live_ticket_and_each_notice_owed_once_with_the_claim(store: QueueStore) -> None:
    t = store.issue("zei", DAY, builder("zei"), advance()).ticket
    stored = store.set_notify(t, {"lang": "en", "ahead": 2, "line_user_id": "U" + "0" * 32}, advance()).ticket
    assert stored.notify is not None and stored.notify.ahead == 2 and stored.notify.line_user_id == "U" + "0" * 32
    # 0 ahead, threshold 2: the opt-in's own write claims "ahead" and owes it; ids and counts only
    assert owed(store) == [{"ticket": t.id, "notice": "ahead", "recalls": 0, "ahead": 0}]
    store.set_notify(stored, {"lang": "en", "ahead": 2, "line_user_id": "U" + "0" * 32}, advance())
    assert len(owed(store)) == 1  # the same opt-in again: still claimed, nothing more owed
    called = store.change(stored, ("waiting",), {"state": "called", "called_at": T0, "desk": "2"}, advance()).ticket
    recalled = {"state": "called", "called_at": T0 + timedelta(minutes=1), "recalls": 1}
    store.change(called, ("called",), recalled, advance())
    assert sorted((o["notice"], o["recalls"]) for o in owed(store)) == [("ahead", 0), ("called", 0), ("called", 1)]
    done = store.change(called, ("called",), {"state": "cancelled"}, advance()).ticket
    with pytest.raises(Conflict):
        store.set_notify(done, {"lang": "ja", "ahead": 1}, advance())
    store.issue("zei", DAY, builder("zei"), advance())  # no opt-in: nothing owed
    assert len(owed(store)) == 3


def test_a_store_without_an_outbox_refuses_a_write_that_owes_a_notice(monkeypatch: pytest.MonkeyPatch) -> None:
    from infra.local import dynamodb_isolation
    from madoguchi.effects.models import NoOutbox
    from madoguchi.queue.dynamodb import DynamoQueueStore

    dynamodb_isolation.install()
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-northeast-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "contract")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "contract")
    suffix = uuid.uuid4().hex[:8]
    with mock_aws():
        client = boto3.client("dynamodb")
        names = {}
        for key in ("queue", "congestion"):
            spec = table_spec(catalogue.table(key))
            names[key] = spec["TableName"] = f"{spec['TableName']}-{suffix}"
            client.create_table(**spec)
        store = DynamoQueueStore(names["queue"], names["congestion"])
        t = store.issue("zei", DAY, builder("zei"), advance()).ticket  # owes nothing: written
        with pytest.raises(NoOutbox):
            store.set_notify(t, {"lang": "en", "ahead": 2, "line_user_id": "U" + "0" * 32}, advance())
        unchanged = store.get("zei", DAY, t.number)
        assert unchanged is not None and unchanged.notify is None  # nothing claimed, nothing written


def test_the_status_is_written_with_every_change_and_matches_the_tickets(store: QueueStore) -> None:
    assert store.status("zei", DAY) is None
    a = store.issue("zei", DAY, builder("zei"), advance()).ticket
    b = store.issue("zei", DAY, builder("zei", arrived=T0 + timedelta(minutes=1)), advance()).ticket
    written = store.change(b, ("waiting",), {"priority": "assistance"}, advance())
    status = store.status("zei", DAY)
    assert status is not None and status == written.status and status.rev == 3 and status.last_issued == 2
    assert [e.number for e in status.entries] == [b.number, a.number]  # call order: priority first
    assert status.entries[1].key == a.key  # kept to verify ticket ids
    store.change(a, ("waiting",), {"state": "cancelled"}, advance())
    status = store.status("zei", DAY)
    assert status is not None and [e.number for e in status.entries] == [b.number]
    assert status.stats == day_stats("zei", DAY, store.day("zei", DAY)[1])  # the running aggregate is exact
    # a refused change writes neither the ticket nor the status
    with pytest.raises(Conflict):
        store.change(a, ("waiting",), {"state": "called"}, advance())
    assert store.status("zei", DAY) == status
    assert store.status("zei", DAY + timedelta(days=1)) is None  # another day starts empty


def test_an_idempotency_key_issues_once(store: QueueStore) -> None:
    first = store.issue("zei", DAY, builder("zei"), advance(), idempotency="ticket-1#k1")
    again = store.issue("zei", DAY, builder("zei"), advance(), idempotency="ticket-1#k1")
    assert not first.replayed and again.replayed and again.ticket == first.ticket
    other = store.issue("zei", DAY, builder("zei"), advance(), idempotency="kiosk-1#k1")
    assert other.ticket.number == 2 and store.status("zei", DAY).last_issued == 2  # type: ignore[union-attr]
    with ThreadPoolExecutor(4) as pool:
        racing = list(
            pool.map(
                lambda _: store.issue("zei", DAY, builder("zei"), advance(), idempotency="ticket-1#k2").ticket, range(4)
            )
        )
    assert len({t.id for t in racing}) == 1 and [t.number for t in store.day("zei", DAY)[1]] == [1, 2, 3]


def test_live_summaries_keep_the_newest_revision_per_counter(store: QueueStore) -> None:
    day = DAY.isoformat()
    store.put_summary("zei", 3, {"day": day, "waiting": 3})
    store.put_summary("zei", 2, {"day": day, "waiting": 9})  # late and older: dropped
    store.put_summary("hoken", 1, {"day": day, "waiting": 1})
    assert {c: s["waiting"] for c, s in store.summaries().items()} == {"zei": 3, "hoken": 1}


def test_day_stats_come_back_oldest_first_within_the_range(store: QueueStore) -> None:
    for offset in (2, 0, 1, 5):
        store.put_day_stats(DayStats(counter="zei", day=DAY + timedelta(days=offset), tickets=offset))
    store.put_day_stats(DayStats(counter="hoken", day=DAY, tickets=99))
    rows = store.day_stats("zei", DAY, DAY + timedelta(days=2))
    assert [(r.day, r.tickets) for r in rows] == [(DAY + timedelta(days=i), i) for i in range(3)]
    store.put_day_stats(DayStats(counter="zei", day=DAY, tickets=7))  # replaced, not added
    assert store.day_stats("zei", DAY, DAY)[0].tickets == 7
    store.put_day_stats(DayStats(counter="zei", day=DAY, tickets=9), rev=5)
    store.put_day_stats(DayStats(counter="zei", day=DAY, tickets=8), rev=4)  # late and older: dropped
    assert store.day_stats("zei", DAY, DAY)[0].tickets == 9


def test_forecasts_by_month(store: QueueStore) -> None:
    assert store.forecast("2026-12") is None
    store.put_forecast("2026-12", {"days": [1, 2]})
    assert store.forecast("2026-12") == {"days": [1, 2]}


def test_a_transfer_key_is_written_with_the_transfer(store: QueueStore) -> None:
    early = store.issue("okuyami", DAY, builder("okuyami", service="okuyami"), advance()).ticket
    assert store.by_idempotency("staff-onestop#transfer#k") is None
    new = store.transfer(
        early,
        ("waiting",),
        {"state": "transferred"},
        "hoken",
        builder("hoken", service="kokuho"),
        advance(),
        idempotency="staff-onestop#transfer#k",
    ).ticket
    assert store.by_idempotency("staff-onestop#transfer#k") == new
    other = store.issue("okuyami", DAY, builder("okuyami", service="okuyami"), advance()).ticket
    with pytest.raises(Conflict):  # a key already used writes nothing
        store.transfer(
            other,
            ("waiting",),
            {"state": "transferred"},
            "hoken",
            builder("hoken", service="kokuho"),
            advance(),
            idempotency="staff-onestop#transfer#k",
        )
    assert store.get("okuyami", DAY, other.number) == other and store.status("hoken", DAY).last_issued == 1  # type: ignore[union-attr]


def test_a_call_key_is_written_with_the_call(store: QueueStore) -> None:
    first = store.issue("zei", DAY, builder("zei"), advance()).ticket
    second = store.issue("zei", DAY, builder("zei"), advance()).ticket
    calling = {"state": "called", "called_at": T0, "desk": "2"}
    called = store.change(first, ("waiting",), calling, advance(), idempotency="staff-zei#call#k").ticket
    assert store.by_idempotency("staff-zei#call#k") == called
    rev, _ = store.day("zei", DAY)
    with pytest.raises(Conflict):  # the same key calling the next ticket writes nothing
        store.change(second, ("waiting",), calling, advance(), idempotency="staff-zei#call#k")
    assert store.get("zei", DAY, second.number) == second and store.day("zei", DAY)[0] == rev
