"""One contract for ReservationStore, run against the in-memory fake and the DynamoDB adapter (moto, with the
table created from the catalogue): conditional writes, all-or-nothing transactions, ordering and pagination,
so the fake the unit tests use can never drift from the rules of the real store."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import boto3
import pytest
from moto import mock_aws

from infra import catalogue
from infra.local.provision import table_spec
from infra.seed.facilities import facilities
from madoguchi.effects.models import Effect
from madoguchi.reservations.facilities import Residency
from madoguchi.reservations.models import (
    Draw,
    FeeReduction,
    LotteryApplication,
    ReductionCategory,
    ReductionStatus,
    Reservation,
    Round,
    SlotRef,
    SlotTaken,
    Status,
)
from madoguchi.reservations.store import FacilityChange, Guard, GuardMoved, ReservationStore
from madoguchi.shared.errors import Conflict, NotFound
from tests.fakes.reservations import MemoryReservationStore

NOW = datetime(2030, 5, 1, 1, 0, tzinfo=UTC)
DAY = date(2030, 5, 20)
FACILITY = "kasumi-tennis"
PAGE = 7


@pytest.fixture(params=["memory", "dynamodb"])
def store(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[ReservationStore]:
    if request.param == "memory":
        yield MemoryReservationStore()
        return
    for name, value in {
        "AWS_DEFAULT_REGION": "ap-northeast-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB", raising=False)
    from madoguchi.reservations.dynamodb import DynamoReservationStore

    with mock_aws():
        spec = table_spec(catalogue.table("reservations"))
        spec["TableName"] = f"reservations-contract-{uuid.uuid4().hex[:8]}"  # the adapter caches tables by name
        boto3.client("dynamodb").create_table(**spec)
        adapter = DynamoReservationStore(spec["TableName"])
        # Small pages, so every listing has to follow LastEvaluatedKey as it must past 1 MB in the cloud.
        adapter._table.query = functools.partial(adapter._table.query, Limit=PAGE)
        yield adapter


def reservation(
    owner: str = "alice",
    slots: tuple[tuple[str, str], ...] = (("court-1", "09:00"),),
    status: Status = Status.HELD,
    created: datetime = NOW,
    expires: datetime | None = None,
    day: date = DAY,
) -> Reservation:
    return Reservation(
        id=uuid.uuid4().hex,
        owner=owner,
        facility_id=FACILITY,
        date=day,
        slots=[SlotRef(unit_id=u, start=s) for u, s in slots],
        residency=Residency.RESIDENT,
        status=status,
        base_amount=700,
        amount=700,
        created_at=created,
        expires_at=expires or created + timedelta(minutes=15),
    )


def taken(store: ReservationStore, day: date = DAY) -> dict[tuple[str, str], tuple[str, str | None]]:
    return {(r.unit_id, r.start): (r.state, r.reservation_id) for r in store.slots(FACILITY, day)}


# --- facilities ------------------------------------------------------------------------------------------------


def test_facilities_are_put_read_and_listed(store):
    for facility in facilities():
        store.put_facility(facility)
    assert {f.id for f in store.facilities()} == {f.id for f in facilities()}
    tennis = store.facility(FACILITY)
    assert tennis is not None and tennis == next(f for f in facilities() if f.id == FACILITY)
    assert store.facility("nowhere") is None
    store.put_facility(tennis.model_copy(update={"capacity": 3}))
    assert store.facility(FACILITY).capacity == 3


def test_a_change_and_its_audit_record_are_written_together_and_never_for_an_unknown_facility(store):
    tennis = next(f for f in facilities() if f.id == FACILITY)
    store.put_facility(tennis)
    closed = tennis.model_copy(update={"closed_dates": [DAY]})
    store.change_facility(closed, FacilityChange(FACILITY, "staff-x", NOW, ("closed_dates",), "closure", DAY, "点検"))
    later = NOW + timedelta(minutes=1)  # oldest first
    store.change_facility(tennis, FacilityChange(FACILITY, "staff-y", later, ("closed_dates",)))
    assert store.facility_changes(FACILITY) == [
        FacilityChange(FACILITY, "staff-x", NOW, ("closed_dates",), "closure", DAY, "点検"),
        FacilityChange(FACILITY, "staff-y", later, ("closed_dates",), "settings", None, None),
    ]
    with pytest.raises(NotFound):
        store.change_facility(tennis.model_copy(update={"id": "nowhere"}), FacilityChange("nowhere", "x", NOW, ()))
    assert store.facility("nowhere") is None and store.facility_changes("nowhere") == []


# --- holds: no double booking, all or nothing ------------------------------------------------------------------


def test_a_hold_takes_its_slots_and_a_second_hold_on_any_of_them_writes_nothing(store):
    first = reservation(slots=(("court-1", "09:00"), ("court-2", "09:00")))
    store.place_hold(first, NOW)
    assert taken(store) == {("court-1", "09:00"): ("held", first.id), ("court-2", "09:00"): ("held", first.id)}
    second = reservation(owner="bob", slots=(("court-3", "09:00"), ("court-2", "09:00")))
    with pytest.raises(SlotTaken):
        store.place_hold(second, NOW)
    assert store.get(second.id) is None
    assert ("court-3", "09:00") not in taken(store)  # the free slot of the refused hold stayed free
    assert store.by_owner("bob") == []


def test_the_same_reservation_cannot_be_placed_twice(store):
    first = reservation()
    store.place_hold(first, NOW)
    again = first.model_copy(update={"slots": [SlotRef(unit_id="court-4", start="09:00")]})
    with pytest.raises(SlotTaken):
        store.place_hold(again, NOW)
    assert store.get(first.id) == first and ("court-4", "09:00") not in taken(store)


def test_an_expired_hold_is_free_for_the_next_and_a_booked_or_closed_slot_never_is(store):
    first = reservation(expires=NOW + timedelta(minutes=1))
    store.place_hold(first, NOW)
    later = NOW + timedelta(minutes=2)
    second = reservation(owner="bob", created=later)
    store.place_hold(second, later)
    assert taken(store)[("court-1", "09:00")] == ("held", second.id)
    assert store.confirm(second.model_copy(update={"status": Status.CONFIRMED}), later)
    much_later = later + timedelta(days=1)
    with pytest.raises(SlotTaken):
        store.place_hold(reservation(owner="carol", created=much_later), much_later)
    store.close_slots(FACILITY, DAY, [SlotRef(unit_id="court-2", start="09:00")], NOW)
    with pytest.raises(SlotTaken):
        store.place_hold(reservation(slots=(("court-2", "09:00"),)), NOW)


def test_closing_slots_leaves_the_taken_ones_alone(store):
    held = reservation()
    store.place_hold(held, NOW)
    store.close_slots(
        FACILITY, DAY, [SlotRef(unit_id="court-1", start="09:00"), SlotRef(unit_id="court-2", start="09:00")], NOW
    )
    assert taken(store) == {("court-1", "09:00"): ("held", held.id), ("court-2", "09:00"): ("closed", None)}


# --- status conditions -----------------------------------------------------------------------------------------


def test_update_writes_only_from_the_expected_status(store):
    held = reservation()
    store.place_hold(held, NOW)
    with pytest.raises(Conflict):
        store.update(held.model_copy(update={"purpose": "x"}), Status.CONFIRMED.value)
    assert store.get(held.id) == held
    store.update(held.model_copy(update={"purpose": "練習"}), Status.HELD.value)
    assert store.get(held.id).purpose == "練習"
    assert taken(store)[("court-1", "09:00")] == ("held", held.id)  # slots untouched
    with pytest.raises(Conflict):
        store.update(reservation(), Status.HELD.value)  # a reservation that does not exist


def test_confirm_books_the_slots_once_and_only_while_held(store):
    held = reservation(slots=(("court-1", "09:00"), ("court-1", "11:00")))
    store.place_hold(held, NOW)
    confirmed = held.model_copy(update={"status": Status.CONFIRMED})
    assert store.confirm(confirmed, NOW)
    assert set(taken(store).values()) == {("booked", held.id)}
    assert store.get(held.id).status is Status.CONFIRMED
    assert not store.confirm(confirmed, NOW)  # no longer held


def test_confirm_refuses_when_a_slot_went_to_someone_else_and_writes_nothing(store):
    held = reservation(slots=(("court-1", "09:00"), ("court-2", "09:00")), expires=NOW + timedelta(minutes=1))
    store.place_hold(held, NOW)
    later = NOW + timedelta(minutes=5)
    other = reservation(owner="bob", slots=(("court-2", "09:00"),), created=later)
    store.place_hold(other, later)
    assert not store.confirm(held.model_copy(update={"status": Status.CONFIRMED}), later)
    assert store.get(held.id).status is Status.HELD
    assert taken(store)[("court-1", "09:00")][0] == "held"  # not booked: the transaction wrote nothing
    assert taken(store)[("court-2", "09:00")] == ("held", other.id)


def test_reacquire_takes_free_slots_back_for_an_expired_reservation_only(store):
    held = reservation(expires=NOW + timedelta(minutes=1))
    store.place_hold(held, NOW)
    expired = held.model_copy(update={"status": Status.EXPIRED})
    assert store.release(expired, Status.HELD.value)
    assert taken(store) == {}
    assert store.reacquire(expired.model_copy(update={"status": Status.CONFIRMED}), NOW)
    assert taken(store) == {("court-1", "09:00"): ("booked", held.id)}
    assert not store.reacquire(expired.model_copy(update={"status": Status.CONFIRMED}), NOW)  # not expired now

    second = reservation(slots=(("court-2", "09:00"),))
    store.place_hold(second, NOW)
    assert store.release(second.model_copy(update={"status": Status.EXPIRED}), Status.HELD.value)
    taker = reservation(owner="bob", slots=(("court-2", "09:00"),))
    store.place_hold(taker, NOW)
    assert not store.reacquire(second.model_copy(update={"status": Status.CONFIRMED}), NOW)
    assert store.get(second.id).status is Status.EXPIRED
    assert taken(store)[("court-2", "09:00")] == ("held", taker.id)


def test_release_frees_only_its_own_slots_and_only_from_the_expected_status(store):
    held = reservation(expires=NOW + timedelta(minutes=1))
    store.place_hold(held, NOW)
    later = NOW + timedelta(minutes=5)
    taker = reservation(owner="bob", created=later)
    store.place_hold(taker, later)  # the expired hold's slot went to bob
    cancelled = held.model_copy(update={"status": Status.CANCELLED})
    assert not store.release(cancelled, Status.CONFIRMED.value)
    assert store.get(held.id).status is Status.HELD
    assert store.release(cancelled, Status.HELD.value)
    assert store.get(held.id).status is Status.CANCELLED
    assert taken(store) == {("court-1", "09:00"): ("held", taker.id)}
    assert not store.release(cancelled, Status.HELD.value)  # a second release changes nothing


# --- listings: ordering and pagination -------------------------------------------------------------------------


def test_by_owner_lists_every_reservation_newest_first_and_nothing_else(store):
    made = []
    for i in range(40):  # enough items to cross pages where the store pages
        made.append(
            reservation(
                slots=((f"court-{i % 4 + 1}", "09:00"),),
                created=NOW + timedelta(minutes=i),
                day=DAY + timedelta(days=i // 4),
            )
        )
        store.place_hold(made[-1], made[-1].created_at)
    store.place_hold(reservation(owner="bob", slots=(("court-1", "11:00"),)), NOW)
    store.add_reduction(reduction("alice"))
    listed = store.by_owner("alice")
    assert [r.id for r in listed] == [r.id for r in reversed(made)]


def test_day_and_month_slots(store):
    store.place_hold(reservation(slots=(("court-1", "09:00"), ("court-2", "11:00"))), NOW)
    store.place_hold(reservation(slots=(("court-1", "09:00"),), day=DAY + timedelta(days=1)), NOW)
    store.place_hold(reservation(slots=(("court-1", "09:00"),), day=date(2030, 6, 1)), NOW)
    assert set(taken(store)) == {("court-1", "09:00"), ("court-2", "11:00")}
    month = store.month_slots(FACILITY, "2030-05")
    assert sorted((r.date, r.unit_id, r.start) for r in month) == [
        (DAY, "court-1", "09:00"),
        (DAY, "court-2", "11:00"),
        (DAY + timedelta(days=1), "court-1", "09:00"),
    ]
    assert store.slots("other-facility", DAY) == []


def test_due_and_open_holds_come_by_expiry_and_leave_when_settled(store):
    late = reservation(slots=(("court-1", "09:00"),), expires=NOW + timedelta(minutes=30))
    early = reservation(slots=(("court-2", "09:00"),), expires=NOW + timedelta(minutes=5))
    for r in (late, early):
        store.place_hold(r, NOW)
    assert [r.id for r in store.open_holds()] == [early.id, late.id]
    assert [r.id for r in store.due_holds(NOW + timedelta(minutes=10))] == [early.id]
    assert store.confirm(early.model_copy(update={"status": Status.CONFIRMED}), NOW)
    assert [r.id for r in store.open_holds()] == [late.id]
    assert store.due_holds(NOW + timedelta(hours=1)) == [late]


# --- fee reductions --------------------------------------------------------------------------------------------


def reduction(owner: str, at: datetime = NOW) -> FeeReduction:
    return FeeReduction(
        id=uuid.uuid4().hex,
        owner=owner,
        category=next(iter(ReductionCategory)),
        percent=50,
        group_name="四日市テニス同好会",
        status=ReductionStatus.PENDING,
        requested_at=at,
    )


def test_reductions_are_added_once_decided_once_and_pending_oldest_first(store):
    newer = reduction("alice", NOW + timedelta(minutes=1))
    older = reduction("bob", NOW)
    store.add_reduction(newer)
    store.add_reduction(older)
    with pytest.raises(Conflict):
        store.add_reduction(newer)
    assert [r.id for r in store.pending_reductions()] == [older.id, newer.id]
    approved = newer.model_copy(update={"status": ReductionStatus.APPROVED, "decided_by": "s", "decided_at": NOW})
    store.decide_reduction(approved)
    with pytest.raises(Conflict):
        store.decide_reduction(newer.model_copy(update={"status": ReductionStatus.REJECTED}))
    assert store.reduction(newer.id) == approved
    assert [r.id for r in store.pending_reductions()] == [older.id]
    assert store.reductions_of("alice") == [approved]
    assert store.reduction("missing") is None


# --- lottery ---------------------------------------------------------------------------------------------------


def application(owner: str, start: str = "09:00", at: datetime = NOW) -> LotteryApplication:
    return LotteryApplication(
        id=uuid.uuid4().hex,
        owner=owner,
        group_name=owner,
        facility_id="yokkaichi-dome",
        month="2030-06",
        date=date(2030, 6, 5),
        unit_id="full",
        start=start,
        created_at=at,
    )


def test_a_round_opens_once_and_applications_are_one_per_owner_and_slot(store):
    lottery_round = Round(
        facility_id="yokkaichi-dome",
        month="2030-06",
        opens_at=NOW,
        closes_at=NOW + timedelta(days=7),
        payment_days=7,
        created_by="s",
    )
    store.put_round(lottery_round)
    with pytest.raises(Conflict):
        store.put_round(lottery_round.model_copy(update={"payment_days": 3}))
    assert store.round("yokkaichi-dome", "2030-06") == lottery_round
    assert store.round("yokkaichi-dome", "2030-07") is None
    first = application("alice")
    store.add_application(first)
    with pytest.raises(Conflict):
        store.add_application(application("alice"))  # same owner, same slot
    store.add_application(application("alice", start="13:00", at=NOW + timedelta(minutes=1)))
    store.add_application(application("bob"))
    assert len(store.applications("yokkaichi-dome", "2030-06")) == 3
    assert store.applications("yokkaichi-dome", "2030-07") == []
    assert [a.start for a in store.applications_of("alice")] == ["09:00", "13:00"]


def test_a_draw_is_recorded_once_and_the_waiting_list_advances_one_step_at_a_time(store):
    key = "2030-06-05#full#09:00"
    draw = Draw(
        facility_id="yokkaichi-dome", month="2030-06", seed=42, drawn_at=NOW, drawn_by="s", order={key: ["a", "b", "c"]}
    )
    store.put_draw(draw)
    with pytest.raises(Conflict):
        store.put_draw(draw.model_copy(update={"seed": 7}))
    recorded = store.draw("yokkaichi-dome", "2030-06")
    assert recorded is not None and recorded.seed == 42 and recorded.offered == {key: 0}
    assert store.advance_waiting(recorded, key, 1)
    assert not store.advance_waiting(recorded, key, 1)  # someone else promoted already
    assert not store.advance_waiting(recorded, key, 3)  # no skipping ahead
    assert store.draw("yokkaichi-dome", "2030-06").offered == {key: 1}
    assert store.draw("yokkaichi-dome", "2030-07") is None


# --- guards, idempotency records, rate counters, owed refunds (issue 13) ----------------------------------------


def test_a_hold_with_a_stale_guard_writes_nothing_and_a_fresh_one_bumps_it(store):
    assert store.guard_version("alice#kasumi-tennis") == 0
    first = reservation()
    store.place_hold(first, NOW, guard=Guard("alice#kasumi-tennis", 0))
    assert store.guard_version("alice#kasumi-tennis") == 1
    stale = reservation(slots=(("court-2", "09:00"),))
    with pytest.raises(GuardMoved):
        store.place_hold(stale, NOW, guard=Guard("alice#kasumi-tennis", 0))
    assert store.get(stale.id) is None and ("court-2", "09:00") not in taken(store)
    assert store.guard_version("alice#kasumi-tennis") == 1
    # a taken slot is SlotTaken (not a guard problem), and the guard stays where it was
    with pytest.raises(SlotTaken):
        store.place_hold(reservation(), NOW, guard=Guard("alice#kasumi-tennis", 1))
    assert store.guard_version("alice#kasumi-tennis") == 1


def test_an_idempotency_key_is_recorded_with_the_hold_and_cannot_be_used_twice(store):
    first = reservation()
    store.place_hold(first, NOW, remember="alice#hold#k")
    assert store.remembered("alice#hold#k") == first.id
    assert store.remembered("alice#hold#other") is None
    second = reservation(slots=(("court-2", "09:00"),))
    with pytest.raises(SlotTaken):
        store.place_hold(second, NOW, remember="alice#hold#k")
    assert store.get(second.id) is None and ("court-2", "09:00") not in taken(store)


def test_a_release_records_its_answer_once_with_the_status(store):
    held = reservation()
    store.place_hold(held, NOW)
    cancelled = held.model_copy(update={"status": Status.CANCELLED})
    assert store.release(cancelled, Status.HELD.value, remember=("alice#cancel#k", '{"first": true}'), now=NOW)
    assert store.remembered("alice#cancel#k") == '{"first": true}'
    assert taken(store) == {}
    other = reservation(slots=(("court-2", "09:00"),))
    store.place_hold(other, NOW)
    refused = other.model_copy(update={"status": Status.CANCELLED})
    assert not store.release(refused, Status.HELD.value, remember=("alice#cancel#k", "{}"), now=NOW)
    assert store.get(other.id).status is Status.HELD and store.remembered("alice#cancel#k") == '{"first": true}'


def _cancelled_owing_a_refund(r: Reservation) -> tuple[Reservation, Effect]:
    owed = r.model_copy(
        update={"status": Status.CANCELLED, "cancelled_at": NOW, "refund_pending": 700, "refund_key": f"cancel-{r.id}"}
    )
    effect = Effect(id=f"reservations:{r.id}:refund", kind="reservations.refund", payload={}, created_at=NOW)
    return owed, effect


def test_a_refund_owed_is_written_with_the_cancellation_or_not_at_all(store):
    held = reservation()
    store.place_hold(held, NOW)
    owed, effect = _cancelled_owing_a_refund(held)
    outbox = getattr(store, "_outbox", None)
    if outbox is None and not isinstance(store, MemoryReservationStore):
        # no outbox table configured: the change is refused rather than its refund dropped
        with pytest.raises(RuntimeError):
            store.release(owed, Status.HELD.value, events=[effect])
        assert store.get(held.id) == held
        return
    assert store.release(owed, Status.HELD.value, events=[effect])
    assert not store.release(owed, Status.HELD.value, events=[effect])  # the status moved: nothing more
    assert store.get(held.id).refund_pending == 700
    done = store.get(held.id).model_copy(update={"refund_pending": 0})
    store.update(done, Status.CANCELLED.value)
    assert store.get(held.id).refund_pending == 0 and store.open_holds() == []


def test_the_dynamodb_store_puts_the_effect_in_the_changes_transaction(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "AWS_DEFAULT_REGION": "ap-northeast-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB", raising=False)
    from madoguchi.reservations.dynamodb import DynamoReservationStore

    with mock_aws():
        names = {}
        for table in ("reservations", "outbox"):
            spec = table_spec(catalogue.table(table))
            spec["TableName"] = names[table] = f"{table}-contract-{uuid.uuid4().hex[:8]}"
            boto3.client("dynamodb").create_table(**spec)
        store = DynamoReservationStore(names["reservations"], names["outbox"])
        outbox = boto3.resource("dynamodb").Table(names["outbox"])
        held = reservation()
        store.place_hold(held, NOW)
        owed, effect = _cancelled_owing_a_refund(held)
        assert not store.release(owed, Status.CANCELLED.value, events=[effect])  # a failed condition: neither
        assert "Item" not in outbox.get_item(Key={"pk": effect.id})
        assert store.release(owed, Status.HELD.value, events=[effect])
        item = outbox.get_item(Key={"pk": effect.id})["Item"]
        assert item["queue"] == "EFFECT" and item["attempts"] == 0 and store.get(held.id).refund_pending == 700


def test_rate_counters_count_per_key(store):
    until = NOW + timedelta(minutes=1)
    assert [store.count_write("alice#1", until) for _ in range(3)] == [1, 2, 3]
    assert store.count_write("bob#1", until) == 1


def test_a_lottery_entry_with_a_stale_guard_writes_nothing(store):
    store.add_application(application("alice"), guard=Guard("alice#lottery", 0))
    stale = application("alice", start="13:00")
    with pytest.raises(GuardMoved):
        store.add_application(stale, guard=Guard("alice#lottery", 0))
    assert [a.start for a in store.applications_of("alice")] == ["09:00"]
    with pytest.raises(Conflict):
        store.add_application(application("alice"), guard=Guard("alice#lottery", 1))
    assert store.guard_version("alice#lottery") == 1
