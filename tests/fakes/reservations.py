"""In-memory ReservationStore and PaymentGateway for unit tests: the same rules as the DynamoDB adapter and the
Stripe stand-in (conditions on slots and statuses, all-or-nothing holds), with no I/O."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import date, datetime

from madoguchi.applications.store import Mailer
from madoguchi.effects import service as effects_service
from madoguchi.effects.models import Effect
from madoguchi.payments.store import PaymentGateway
from madoguchi.reservations import effects
from madoguchi.reservations.facilities import Facility
from madoguchi.reservations.models import (
    Draw,
    FeeReduction,
    LotteryApplication,
    ReductionStatus,
    Reservation,
    Round,
    SlotRef,
    SlotTaken,
    Status,
)
from madoguchi.reservations.store import (
    Contact,
    FacilityChange,
    Guard,
    GuardMoved,
    ReservationStore,
    ResidentContacts,
    SlotRecord,
)
from madoguchi.shared.errors import Conflict, NotFound
from madoguchi.shared.outbox import Outboxed
from madoguchi.shared.public_origin import site_origin
from tests.fakes.applications import MemoryMailer
from tests.fakes.effects import MemoryEffectQueue

SlotKey = tuple[str, date, str, str]  # facility, date, unit, start


class MemoryReservationStore(ReservationStore):
    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._facility_changes: dict[str, list[FacilityChange]] = {}
        self.events: list[Outboxed] = []  # the outbox: domain events and effects owed, in the order written
        self._facilities: dict[str, Facility] = {}
        self._slots: dict[SlotKey, SlotRecord] = {}
        self._reservations: dict[str, Reservation] = {}
        self._reductions: dict[str, FeeReduction] = {}
        self._rounds: dict[tuple[str, str], Round] = {}
        self._applications: dict[tuple[str, str, str, str], LotteryApplication] = {}
        self._draws: dict[tuple[str, str], Draw] = {}
        self._guards: dict[str, int] = {}
        self._remembered: dict[str, tuple[str, datetime]] = {}
        self._counters: dict[str, int] = {}

    # --- facilities ---
    def facilities(self) -> list[Facility]:
        return list(self._facilities.values())

    def facility(self, facility_id: str) -> Facility | None:
        return self._facilities.get(facility_id)

    def put_facility(self, facility: Facility) -> None:
        self._facilities[facility.id] = facility

    def change_facility(self, facility: Facility, change: FacilityChange) -> None:
        if facility.id not in self._facilities:
            raise NotFound(facility=facility.id)
        self._facilities[facility.id] = facility
        self._facility_changes.setdefault(facility.id, []).append(change)

    def facility_changes(self, facility_id: str) -> list[FacilityChange]:
        return list(self._facility_changes.get(facility_id, []))

    # --- slots ---
    def slots(self, facility_id: str, day: date) -> list[SlotRecord]:
        return [r for (f, d, _, _), r in self._slots.items() if f == facility_id and d == day]

    def month_slots(self, facility_id: str, month: str) -> list[SlotRecord]:
        return [r for (f, d, _, _), r in self._slots.items() if f == facility_id and d.isoformat()[:7] == month]

    def _free(self, key: SlotKey, now: datetime) -> bool:
        record = self._slots.get(key)
        return record is None or not record.taken(now)

    def close_slots(self, facility_id: str, day: date, slots: list[SlotRef], now: datetime) -> None:
        with self._lock:
            for slot in slots:
                key = (facility_id, day, slot.unit_id, slot.start)
                if self._free(key, now):
                    self._slots[key] = SlotRecord(day, slot.unit_id, slot.start, "closed")

    # --- reservations ---
    def _keys(self, reservation: Reservation) -> list[SlotKey]:
        return [(reservation.facility_id, reservation.date, s.unit_id, s.start) for s in reservation.slots]

    def _take(self, reservation: Reservation, state: str) -> None:
        for key in self._keys(reservation):
            self._slots[key] = SlotRecord(
                key[1],
                key[2],
                key[3],
                state,
                reservation.id,
                reservation.expires_at if state == "held" else None,
            )

    def _check_guard(self, guard: Guard | None) -> None:
        if guard is not None and self._guards.get(guard.key, 0) != guard.version:
            raise GuardMoved()

    def _bump(self, guard: Guard | None) -> None:
        if guard is not None:
            self._guards[guard.key] = guard.version + 1

    def place_hold(
        self, reservation: Reservation, now: datetime, *, guard: Guard | None = None, remember: str | None = None
    ) -> None:
        with self._lock:
            self._check_guard(guard)
            if reservation.id in self._reservations or (remember and self.remembered(remember)):
                raise SlotTaken()
            if not all(self._free(key, now) for key in self._keys(reservation)):
                raise SlotTaken()
            self._reservations[reservation.id] = reservation
            self._take(reservation, "held")
            self._bump(guard)
            if remember:
                self._remembered[remember] = (reservation.id, now)

    def guard_version(self, key: str) -> int:
        return self._guards.get(key, 0)

    def remembered(self, key: str) -> str | None:
        found = self._remembered.get(key)
        return found[0] if found else None  # kept REMEMBER_HOURS in DynamoDB (TTL); tests never run that long

    def count_write(self, key: str, until: datetime) -> int:
        with self._lock:
            self._counters[key] = self._counters.get(key, 0) + 1
            return self._counters[key]

    def get(self, reservation_id: str) -> Reservation | None:
        return self._reservations.get(reservation_id)

    def by_owner(self, owner: str) -> list[Reservation]:
        found = [r for r in self._reservations.values() if r.owner == owner]
        return sorted(found, key=lambda r: r.created_at, reverse=True)

    def update(self, reservation: Reservation, expected: str, events: Sequence[Outboxed] = ()) -> None:
        with self._lock:
            current = self._reservations.get(reservation.id)
            if current is None or current.status.value != expected:
                raise Conflict()
            self._reservations[reservation.id] = reservation
            self.events.extend(events)  # the outbox: written with the change or not at all

    def confirm(self, reservation: Reservation, now: datetime, events: Sequence[Outboxed] = ()) -> bool:
        with self._lock:
            current = self._reservations.get(reservation.id)
            if current is None or current.status is not Status.HELD:
                return False
            if any(
                (r := self._slots.get(k)) is None or r.reservation_id != reservation.id for k in self._keys(reservation)
            ):
                return False
            self._reservations[reservation.id] = reservation
            self._take(reservation, "booked")
            self.events.extend(events)
            return True

    def reacquire(self, reservation: Reservation, now: datetime, events: Sequence[Outboxed] = ()) -> bool:
        with self._lock:
            current = self._reservations.get(reservation.id)
            if current is None or current.status is not Status.EXPIRED:
                return False
            if not all(self._free(key, now) for key in self._keys(reservation)):
                return False
            self._reservations[reservation.id] = reservation
            self._take(reservation, "booked")
            self.events.extend(events)
            return True

    def release(
        self,
        reservation: Reservation,
        expected: str,
        *,
        remember: tuple[str, str] | None = None,
        now: datetime | None = None,
        events: Sequence[Outboxed] = (),
    ) -> bool:
        with self._lock:
            current = self._reservations.get(reservation.id)
            if current is None or current.status.value != expected:
                return False
            if remember and remember[0] in self._remembered:
                return False
            self._reservations[reservation.id] = reservation
            if remember:
                self._remembered[remember[0]] = (remember[1], now or reservation.created_at)
            self.events.extend(events)
            for key in self._keys(reservation):
                record = self._slots.get(key)
                if record is not None and record.reservation_id == reservation.id:
                    del self._slots[key]
            return True

    def due_holds(self, before: datetime) -> list[Reservation]:
        return [r for r in self.open_holds() if r.expires_at < before]

    def open_holds(self) -> list[Reservation]:
        held = [r for r in self._reservations.values() if r.status is Status.HELD]
        return sorted(held, key=lambda r: r.expires_at)

    # --- fee reductions ---
    def add_reduction(self, reduction: FeeReduction) -> None:
        with self._lock:
            if reduction.id in self._reductions:
                raise Conflict()
            self._reductions[reduction.id] = reduction

    def reduction(self, reduction_id: str) -> FeeReduction | None:
        return self._reductions.get(reduction_id)

    def reductions_of(self, owner: str) -> list[FeeReduction]:
        found = [r for r in self._reductions.values() if r.owner == owner]
        return sorted(found, key=lambda r: r.requested_at)  # as the by_owner index orders them

    def pending_reductions(self) -> list[FeeReduction]:
        pending = [r for r in self._reductions.values() if r.status is ReductionStatus.PENDING]
        return sorted(pending, key=lambda r: r.requested_at)  # oldest first, as the queue index

    def decide_reduction(self, reduction: FeeReduction) -> None:
        with self._lock:
            current = self._reductions.get(reduction.id)
            if current is None or current.status is not ReductionStatus.PENDING:
                raise Conflict()
            self._reductions[reduction.id] = reduction

    # --- lottery ---
    def put_round(self, lottery_round: Round) -> None:
        key = (lottery_round.facility_id, lottery_round.month)
        with self._lock:
            if key in self._rounds:
                raise Conflict()
            self._rounds[key] = lottery_round

    def round(self, facility_id: str, month: str) -> Round | None:
        return self._rounds.get((facility_id, month))

    def add_application(self, application: LotteryApplication, *, guard: Guard | None = None) -> None:
        key = (application.facility_id, application.month, application.slot_key, application.owner)
        with self._lock:
            self._check_guard(guard)
            if key in self._applications:
                raise Conflict()
            self._applications[key] = application
            self._bump(guard)

    def applications(self, facility_id: str, month: str) -> list[LotteryApplication]:
        return [a for (f, m, _, _), a in self._applications.items() if f == facility_id and m == month]

    def applications_of(self, owner: str) -> list[LotteryApplication]:
        return sorted((a for a in self._applications.values() if a.owner == owner), key=lambda a: a.created_at)

    def put_draw(self, draw: Draw) -> None:
        key = (draw.facility_id, draw.month)
        with self._lock:
            if key in self._draws:
                raise Conflict()
            self._draws[key] = draw.model_copy(update={"offered": {k: 0 for k in draw.order}})

    def draw(self, facility_id: str, month: str) -> Draw | None:
        found = self._draws.get((facility_id, month))
        return found.model_copy(deep=True) if found else None

    def advance_waiting(self, draw: Draw, slot_key: str, position: int) -> bool:
        with self._lock:
            stored = self._draws[(draw.facility_id, draw.month)]
            if stored.offered.get(slot_key) != position - 1:
                return False
            stored.offered[slot_key] = position
            return True


class MemoryContacts(ResidentContacts):
    def __init__(self, known: dict[str, Contact] | None = None) -> None:
        self.known = dict(known or {})

    def contact(self, resident_id: str) -> Contact | None:
        return self.known.get(resident_id)


class ReservationOutbox:
    """The outbox worker over a MemoryReservationStore: the effects its changes owed (`store.events`), carried out
    by the reservation handlers (madoguchi.reservations.effects) with the worker's own code (MemoryEffectQueue)."""

    def __init__(
        self,
        store: MemoryReservationStore,
        payments: PaymentGateway,
        mailer: Mailer | None = None,
        contacts: ResidentContacts | None = None,
    ) -> None:
        self.store, self.queue, self._seen = store, MemoryEffectQueue(), 0
        sender = mailer or MemoryMailer()
        self.handlers = effects.handlers(
            store, lambda: payments, lambda: sender, contacts or MemoryContacts(), site_origin=site_origin
        )

    def _collect(self) -> None:
        self.queue.owe(self.store.events[self._seen :])
        self._seen = len(self.store.events)

    def owed(self) -> list[Effect]:
        """Effects written and not done yet."""
        self._collect()
        return [i.effect for i in self.queue.items.values() if i.due_at is not None]

    def deliver(self, now: datetime) -> dict[str, str]:
        """What the stream does: every effect owed, tried once now."""
        self._collect()
        return self.queue.deliver(self.handlers, now)

    def redrive(self, now: datetime) -> dict[str, int]:
        """What the schedule does: the effects due at `now`."""
        self._collect()
        return effects_service.redrive(self.handlers, self.queue, now)
