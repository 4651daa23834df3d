"""Reservations of facility slots: holds, payment, cancellation and refunds; fee reductions (減免)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from madoguchi.reservations.facilities import Residency
from madoguchi.shared.errors import Conflict, DomainError

HHMM = r"^([01]\d|2[0-3]):[0-5]\d$"
MAX_SLOTS = 8  # per reservation: one transaction of at most 11 items (reservation, slots, two events)


class Status(StrEnum):
    HELD = "held"  # slots taken until expires_at; pay to confirm
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class PaymentStatus(StrEnum):
    NONE = "none"  # nothing asked yet
    PENDING = "pending"  # checkout created, not paid
    PAID = "paid"
    FREE = "free"  # nothing to pay (full fee reduction)
    REFUNDED = "refunded"
    PARTIALLY_REFUNDED = "partially_refunded"


class Source(StrEnum):
    DIRECT = "direct"  # first come, first served
    LOTTERY = "lottery"  # a lottery win or a promotion from the waiting list


class SlotRef(BaseModel):
    unit_id: str = Field(pattern=r"^[a-z0-9-]{1,20}$")
    start: str = Field(pattern=HHMM)


class HoldRequest(BaseModel):
    facility_id: str = Field(pattern=r"^[a-z0-9-]{1,40}$")
    date: date
    slots: list[SlotRef] = Field(min_length=1, max_length=MAX_SLOTS)
    residency: Residency = Residency.RESIDENT
    people: int = Field(default=1, ge=1, le=1000)
    purpose: str = Field(default="", max_length=200, description="What the room is for (利用目的)")
    use_reduction: bool = Field(default=False, description="Apply the caller's approved fee reduction (減免)")


def reference(reservation_id: str) -> str:
    """The reservation's reference at Stripe (checkout metadata, refunds)."""
    return f"reservation:{reservation_id}"


class Reservation(BaseModel):
    id: str
    owner: str
    facility_id: str
    date: date
    slots: list[SlotRef]
    residency: Residency
    people: int = 1
    purpose: str = ""
    source: Source = Source.DIRECT
    status: Status
    payment_status: PaymentStatus = PaymentStatus.NONE
    base_amount: int = Field(description="Yen before any fee reduction")
    reduction_id: str | None = None
    reduction_percent: int = 0
    amount: int = Field(description="Yen to pay")
    created_at: datetime
    expires_at: datetime = Field(description="End of the hold, or the payment deadline of a lottery win")
    checkout_session_id: str | None = None
    checkout_url: str | None = None
    checkout_started_at: datetime | None = None
    payment_intent_id: str | None = None
    paid_at: datetime | None = None
    refunded_amount: int = 0
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None
    receipt_number: str | None = None
    lottery_key: str | None = None  # LOTTERY partition + slot, for promotions from the waiting list
    refund_pending: int = Field(default=0, description="Yen of a refund decided but not yet confirmed by Stripe")
    refund_key: str | None = Field(default=None, description="Stripe idempotency key of that refund (retried as is)")
    lang: str | None = Field(default=None, description="The language the resident booked or paid in (for e-mails)")


class ReservationList(BaseModel):
    reservations: list[Reservation]


class CheckoutRequest(BaseModel):
    return_url: str | None = Field(
        default=None,
        max_length=500,
        description="Page of this site to come back to after paying: a path, or a URL whose origin is the site's",
    )


class CheckoutResponse(BaseModel):
    reservation: Reservation
    checkout_url: str | None = Field(description="Where to pay; null when nothing is to be paid")


class CancelRequest(BaseModel):
    reason: str = Field(default="", max_length=200)


class CancelResponse(BaseModel):
    reservation: Reservation
    refund: int = Field(description="Yen refunded to the card")
    refund_percent: int


class CancelQuote(BaseModel):
    """What cancelling now would refund, stated before the resident confirms (the policy of docs/reservations.md)."""

    cancellable: bool
    refund: int = Field(description="Yen that would go back to the card")
    refund_percent: int
    paid: int = Field(description="Yen paid for the reservation")
    full_refund_until: date | None = Field(default=None, description="Last day a cancellation refunds in full")


class Receipt(BaseModel):
    number: str
    reservation_id: str
    facility: str
    date: date
    slots: list[str]
    amount: int
    refunded: int
    paid_at: datetime
    issuer: str


# --- Fee reductions (減免) ----------------------------------------------------------------------------------


class ReductionCategory(StrEnum):
    DISABILITY = "disability"  # 障害者団体: full exemption
    SENIOR = "senior"  # 老人クラブ: half
    SCHOOL = "school"  # 学校・PTA: half
    CHILDREN = "children"  # 子ども会・スポーツ少年団: half


REDUCTION_PERCENT: dict[ReductionCategory, int] = {
    ReductionCategory.DISABILITY: 100,
    ReductionCategory.SENIOR: 50,
    ReductionCategory.SCHOOL: 50,
    ReductionCategory.CHILDREN: 50,
}


class ReductionStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class ReductionRequest(BaseModel):
    category: ReductionCategory
    group_name: str = Field(min_length=1, max_length=100, description="Name of the group (団体名)")
    note: str = Field(default="", max_length=500)


class FeeReduction(BaseModel):
    id: str
    owner: str
    category: ReductionCategory
    percent: int
    group_name: str
    note: str = ""
    status: ReductionStatus
    requested_at: datetime
    decided_by: str | None = None
    decided_at: datetime | None = None


class ReductionList(BaseModel):
    reductions: list[FeeReduction]


class ReductionDecision(BaseModel):
    approve: bool
    note: str = Field(default="", max_length=500)


# --- Staff --------------------------------------------------------------------------------------------------


class ClosureRequest(BaseModel):
    date: date
    reason: str = Field(min_length=1, max_length=200)


class ClosureResult(BaseModel):
    facility_id: str
    date: date
    cancelled: list[str] = Field(description="Reservations cancelled, each refunded in full")
    refunded: int = Field(description="Yen refunded in total")


class DayBooking(BaseModel):
    unit_id: str
    start: str
    state: str
    reservation_id: str | None = None
    owner: str | None = None
    status: str | None = None
    payment_status: str | None = None
    amount: int | None = None


class DayBookings(BaseModel):
    facility_id: str
    date: date
    bookings: list[DayBooking]


# --- Domain errors (each code has a translated message in madoguchi.i18n) -----------------------------------


class SlotTaken(Conflict):
    code = "slot_taken"


class NotHeld(Conflict):
    """Checkout of a reservation that is no longer held (paid, expired or cancelled)."""

    code = "reservation_not_held"


class NotCancellable(Conflict):
    code = "reservation_not_cancellable"


class SlotUnavailable(DomainError):
    """The slot does not exist that day (closed, outside the hours, in the past)."""

    status = 422
    code = "slot_unavailable"


class TooManyHolds(Conflict):
    """The account has as many unpaid holds at this facility as the facility allows."""

    code = "reservation_hold_limit"


class TooManyOpen(Conflict):
    """The account has as many reservations to come at this facility as the facility allows."""

    code = "reservation_open_limit"


class TooManyEntries(Conflict):
    """The account has as many entries in this lottery round as the facility allows."""

    code = "lottery_entry_limit"


class RateLimited(DomainError):
    """Too many writes from one caller in a short window; retry after `retry_after` seconds."""

    status = 429
    code = "too_many_requests"

    def __init__(self, retry_after: int) -> None:
        super().__init__()
        self.retry_after = retry_after


class LotteryPeriod(Conflict):
    """The month is allocated by lottery and has not been drawn yet."""

    code = "lottery_period"


class LotteryClosed(Conflict):
    code = "lottery_closed"


class NoReduction(DomainError):
    status = 422
    code = "no_approved_reduction"


class Round(BaseModel):
    facility_id: str
    month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    opens_at: datetime
    closes_at: datetime
    payment_days: int = Field(default=7, ge=1, le=30, description="Days a winner has to pay")
    created_by: str


class RoundRequest(BaseModel):
    opens_at: datetime
    closes_at: datetime
    payment_days: int = Field(default=7, ge=1, le=30)


class ApplicationRequest(BaseModel):
    facility_id: str = Field(pattern=r"^[a-z0-9-]{1,40}$")
    date: date
    unit_id: str = Field(pattern=r"^[a-z0-9-]{1,20}$")
    start: str = Field(pattern=HHMM)
    group_name: str = Field(min_length=1, max_length=100)


class ApplicationResult(StrEnum):
    PENDING = "pending"
    WON = "won"
    WAITING = "waiting"
    LOST = "lost"


class LotteryApplication(BaseModel):
    id: str
    owner: str  # the group's account: one application per group and slot
    group_name: str
    facility_id: str
    month: str
    date: date
    unit_id: str
    start: str
    created_at: datetime

    @property
    def slot_key(self) -> str:
        return slot_key(self.date, self.unit_id, self.start)


def slot_key(day: date, unit_id: str, start: str) -> str:
    return f"{day.isoformat()}#{unit_id}#{start}"


class Draw(BaseModel):
    facility_id: str
    month: str
    seed: int = Field(description="Recorded so anyone can replay the draw")
    drawn_at: datetime
    drawn_by: str
    # slot key -> owners in drawn order: the first wins, the others wait in that order
    order: dict[str, list[str]]
    # slot key -> index in `order` of the owner currently offered the slot
    offered: dict[str, int] = Field(default_factory=dict)


class DrawResult(BaseModel):
    facility_id: str
    month: str
    seed: int
    winners: int
    waiting: int
    reservations: list[str]


class ApplicationView(BaseModel):
    application: LotteryApplication
    result: ApplicationResult
    position: int | None = Field(default=None, description="Place on the waiting list (1 = next)")


class ApplicationList(BaseModel):
    applications: list[ApplicationView]
