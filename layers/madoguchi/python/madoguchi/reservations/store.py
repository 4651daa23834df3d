"""Where facilities, slots, reservations, fee reductions and lottery entries are kept."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from madoguchi.reservations.facilities import Facility
from madoguchi.reservations.models import Draw, FeeReduction, LotteryApplication, Reservation, Round, SlotRef
from madoguchi.shared.errors import Conflict
from madoguchi.shared.outbox import Outboxed

REMEMBER_HOURS = 24  # how long an Idempotency-Key is remembered


@dataclass(frozen=True)
class Guard:
    """A per-account counter item written in the same transaction as a hold or a lottery entry, on condition that
    it is still at `version`: two parallel requests of one account cannot both pass the limit they checked."""

    key: str
    version: int


class GuardMoved(Conflict):
    """The account's guard moved between reading and writing (a parallel request): read again and retry."""


@dataclass(frozen=True)
class SlotRecord:
    """A slot that is not plainly free: held (until expires_at), booked or closed."""

    date: date
    unit_id: str
    start: str
    state: str  # held | booked | closed
    reservation_id: str | None = None
    expires_at: datetime | None = None

    def taken(self, now: datetime) -> bool:
        return not (self.state == "held" and self.expires_at is not None and self.expires_at <= now)


@dataclass(frozen=True)
class FacilityChange:
    """Who changed which settings of a facility, when: the audit log of PUT /staff/facilities/{id} (action
    `settings`) and of closures (action `closure`, with the day closed and the reason given)."""

    facility_id: str
    actor: str
    at: datetime
    fields: tuple[str, ...]
    action: str = "settings"
    day: date | None = None
    reason: str | None = None


class ReservationStore(ABC):
    # --- facilities ---
    @abstractmethod
    def facilities(self) -> list[Facility]: ...

    @abstractmethod
    def facility(self, facility_id: str) -> Facility | None: ...

    @abstractmethod
    def put_facility(self, facility: Facility) -> None: ...

    @abstractmethod
    def change_facility(self, facility: Facility, change: FacilityChange) -> None:
        """Replace an existing facility's settings and record the change, in one transaction; raises NotFound
        when no facility has that id (a settings change or a closure never creates one)."""

    @abstractmethod
    def facility_changes(self, facility_id: str) -> list[FacilityChange]:
        """The facility's recorded changes, oldest first."""

    # --- slots ---
    @abstractmethod
    def slots(self, facility_id: str, day: date) -> list[SlotRecord]:
        """The day's slot records (one Query)."""

    @abstractmethod
    def month_slots(self, facility_id: str, month: str) -> list[SlotRecord]:
        """The month's slot records (one Query), month as YYYY-MM."""

    @abstractmethod
    def close_slots(self, facility_id: str, day: date, slots: list[SlotRef], now: datetime) -> None:
        """Mark free (or expired-hold) slots closed; slots taken meanwhile are left as they are."""

    # --- reservations ---
    @abstractmethod
    def place_hold(
        self, reservation: Reservation, now: datetime, *, guard: Guard | None = None, remember: str | None = None
    ) -> None:
        """Store a held reservation and take its slots in one transaction; raises SlotTaken if any slot is
        held (unexpired), booked or closed, GuardMoved if the guard is no longer at its version. Nothing is
        written then. `remember`: an idempotency key recorded (with the reservation id) in the same transaction."""

    @abstractmethod
    def guard_version(self, key: str) -> int:
        """The guard's current version (0 when never written)."""

    @abstractmethod
    def remembered(self, key: str) -> str | None:
        """What was recorded under an idempotency key in the last REMEMBER_HOURS, if anything."""

    @abstractmethod
    def count_write(self, key: str, until: datetime) -> int:
        """Add one to a rate-limit window's counter (kept until `until`) and answer the new count."""

    @abstractmethod
    def get(self, reservation_id: str) -> Reservation | None: ...

    @abstractmethod
    def by_owner(self, owner: str) -> list[Reservation]: ...

    @abstractmethod
    def update(self, reservation: Reservation, expected: str, events: Sequence[Outboxed] = ()) -> None:
        """Write the reservation's fields if its status is still `expected` (else Conflict); slots untouched.
        `events` (reservations/events.py) go to the outbox in the same transaction as every write below."""

    @abstractmethod
    def confirm(self, reservation: Reservation, now: datetime, events: Sequence[Outboxed] = ()) -> bool:
        """Held → confirmed with its slots booked, atomically. False (nothing written) if the reservation is no
        longer held by the same status or a slot was taken by someone else."""

    @abstractmethod
    def reacquire(self, reservation: Reservation, now: datetime, events: Sequence[Outboxed] = ()) -> bool:
        """Expired → confirmed, taking its slots back if they are free; False (nothing written) otherwise."""

    @abstractmethod
    def release(
        self,
        reservation: Reservation,
        expected: str,
        *,
        remember: tuple[str, str] | None = None,
        now: datetime | None = None,
        events: Sequence[Outboxed] = (),
    ) -> bool:
        """Write the reservation (now expired or cancelled) if its status is still `expected` and free the
        slots it holds; False if the status had changed. `remember`: (idempotency key, result) recorded in the
        same transaction as the status (`now` dates it)."""

    @abstractmethod
    def due_holds(self, before: datetime) -> list[Reservation]:
        """Held reservations whose hold ends before `before` (a Query on the sparse hold index)."""

    @abstractmethod
    def open_holds(self) -> list[Reservation]:
        """Every held reservation (what reconciliation looks at)."""

    # --- fee reductions ---
    @abstractmethod
    def add_reduction(self, reduction: FeeReduction) -> None: ...

    @abstractmethod
    def reduction(self, reduction_id: str) -> FeeReduction | None: ...

    @abstractmethod
    def reductions_of(self, owner: str) -> list[FeeReduction]: ...

    @abstractmethod
    def pending_reductions(self) -> list[FeeReduction]: ...

    @abstractmethod
    def decide_reduction(self, reduction: FeeReduction) -> None:
        """Write the decision if the reduction is still pending; else Conflict."""

    # --- lottery ---
    @abstractmethod
    def put_round(self, lottery_round: Round) -> None:
        """Open a round once: Conflict if the facility's month has one."""

    @abstractmethod
    def round(self, facility_id: str, month: str) -> Round | None: ...

    @abstractmethod
    def add_application(self, application: LotteryApplication, *, guard: Guard | None = None) -> None:
        """One application per group and slot: Conflict if the group applied for that slot already, GuardMoved
        if the guard is no longer at its version; nothing written then."""

    @abstractmethod
    def applications(self, facility_id: str, month: str) -> list[LotteryApplication]: ...

    @abstractmethod
    def applications_of(self, owner: str) -> list[LotteryApplication]: ...

    @abstractmethod
    def put_draw(self, draw: Draw) -> None:
        """Record a draw once: Conflict if that month was drawn already."""

    @abstractmethod
    def draw(self, facility_id: str, month: str) -> Draw | None: ...

    @abstractmethod
    def advance_waiting(self, draw: Draw, slot_key: str, position: int) -> bool:
        """Move the slot's offer to waiting-list position `position` if it is still at position - 1."""


@dataclass(frozen=True)
class Contact:
    """Where to write to a resident and in which language (from the city's resident record)."""

    email: str
    lang: str


class ResidentContacts(ABC):
    """The resident record's e-mail address and language, for booking e-mails (no other personal data)."""

    @abstractmethod
    def contact(self, resident_id: str) -> Contact | None: ...
