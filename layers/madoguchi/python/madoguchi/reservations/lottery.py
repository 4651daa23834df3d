"""Lottery rounds: open a round (staff), apply (residents, one application per group and slot), draw once from a
recorded seed (staff), winners pay by a deadline, unpaid wins pass to the next on the waiting list."""

from __future__ import annotations

import random
import secrets
import uuid
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from madoguchi.reservations.facilities import Residency
from madoguchi.reservations.models import (
    ApplicationList,
    ApplicationRequest,
    ApplicationResult,
    ApplicationView,
    Draw,
    DrawResult,
    LotteryApplication,
    LotteryClosed,
    Reservation,
    Round,
    RoundRequest,
    SlotRef,
    SlotTaken,
    Source,
    Status,
    TooManyEntries,
)
from madoguchi.reservations.service.common import (
    DEPARTMENT,
    ReservationDeps,
    facility_or_404,
    limit_rate,
    slot_start_utc,
)
from madoguchi.reservations.store import Guard, GuardMoved, ReservationStore
from madoguchi.shared.auth import Caller, Role, require
from madoguchi.shared.errors import Conflict, InvalidInput, NotFound
from madoguchi.shared.retries import retry_key

WAITING_LIST_PAYMENT_DAYS = 3  # a promoted applicant has less time: the day is nearer
GUARD_ATTEMPTS = 5


class AlreadyApplied(Conflict):
    code = "lottery_already_applied"


class AlreadyDrawn(Conflict):
    code = "lottery_already_drawn"


class NotDrawable(Conflict):
    code = "lottery_not_drawable"


def _month(month: str) -> str:
    try:
        date.fromisoformat(f"{month}-01")
    except ValueError as e:
        raise InvalidInput([(["path", "month"], "field_invalid")]) from e
    return month


def open_round(facility_id: str, month: str, body: RoundRequest, caller: Caller | None, deps: ReservationDeps) -> Round:
    staff = require(caller, Role.STAFF, department=DEPARTMENT)
    store = deps.store
    facility = facility_or_404(store, facility_id)
    if not facility.lottery:
        raise InvalidInput([(["path", "facilityId"], "not_a_lottery_facility")])
    if body.closes_at <= body.opens_at:
        raise InvalidInput([(["body", "closes_at"], "field_invalid")])
    lottery_round = Round(
        facility_id=facility_id,
        month=_month(month),
        opens_at=body.opens_at,
        closes_at=body.closes_at,
        payment_days=body.payment_days,
        created_by=staff.sub,
    )
    store.put_round(lottery_round)
    return lottery_round


def apply(
    body: ApplicationRequest,
    caller: Caller | None,
    deps: ReservationDeps,
    now: datetime,
    *,
    idempotency_key: str | None = None,
) -> LotteryApplication:
    resident = require(caller, Role.RESIDENT)
    store = deps.store
    limit_rate(resident, deps, now)
    facility = facility_or_404(store, body.facility_id)
    month = body.date.isoformat()[:7]
    lottery_round = store.round(facility.id, month)
    if lottery_round is None or not (lottery_round.opens_at <= now < lottery_round.closes_at):
        raise LotteryClosed()
    if (
        facility.unit(body.unit_id) is None
        or body.start not in facility.slot_starts()
        or facility.is_closed(body.date)
        or slot_start_utc(body.date, body.start) <= now
    ):
        raise InvalidInput([(["body", "start"], "slot_unavailable")])
    application = LotteryApplication(
        id=uuid.uuid4().hex,
        owner=resident.sub,
        group_name=body.group_name,
        facility_id=facility.id,
        month=month,
        date=body.date,
        unit_id=body.unit_id,
        start=body.start,
        created_at=now,
    )
    guard_key = f"{resident.sub}#lottery#{facility.id}#{month}"
    for _ in range(GUARD_ATTEMPTS):
        version = store.guard_version(guard_key)
        mine = [a for a in store.applications_of(resident.sub) if a.facility_id == facility.id and a.month == month]
        same = next((a for a in mine if a.slot_key == application.slot_key), None)
        if same is not None:
            if retry_key(resident.sub, "lottery", idempotency_key):
                return same  # a retry of the entry: the first result
            raise AlreadyApplied()
        if len(mine) >= facility.max_lottery_entries:
            raise TooManyEntries(limit=facility.max_lottery_entries)
        try:
            store.add_application(application, guard=Guard(guard_key, version))
        except GuardMoved:
            continue  # a parallel entry of this account came first: count again
        except Conflict as e:
            raise AlreadyApplied() from e
        return application
    raise Conflict()


def _win_id(draw: Draw, key: str, position: int) -> str:
    """Deterministic, so a retried draw or promotion cannot create a second reservation for the same offer."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"lottery:{draw.facility_id}:{draw.month}:{key}:{position}").hex


def _offer(
    store: ReservationStore, draw: Draw, key: str, position: int, deadline: datetime, now: datetime
) -> str | None:
    facility = facility_or_404(store, draw.facility_id)
    day_text, unit_id, start = key.split("#")
    day = date.fromisoformat(day_text)
    price = facility.price(day, Residency.RESIDENT)
    reservation = Reservation(
        id=_win_id(draw, key, position),
        owner=draw.order[key][position],
        facility_id=facility.id,
        date=day,
        slots=[SlotRef(unit_id=unit_id, start=start)],
        residency=Residency.RESIDENT,
        source=Source.LOTTERY,
        status=Status.HELD,
        base_amount=price,
        amount=price,
        created_at=now,
        expires_at=min(deadline, slot_start_utc(day, start)),
        lottery_key=key,
    )
    try:
        store.place_hold(reservation, now)
    except (SlotTaken, Conflict):
        return None
    return reservation.id


def run_draw(
    facility_id: str,
    month: str,
    caller: Caller | None,
    deps: ReservationDeps,
    now: datetime,
    *,
    seed: int | None = None,
) -> DrawResult:
    staff = require(caller, Role.STAFF, department=DEPARTMENT)
    store = deps.store
    lottery_round = store.round(facility_id, _month(month))
    if lottery_round is None:
        raise NotFound(facility_id=facility_id, month=month)
    if now < lottery_round.closes_at:
        raise NotDrawable()
    if store.draw(facility_id, month) is not None:
        raise AlreadyDrawn()
    drawn_seed = seed if seed is not None else secrets.randbits(63)
    draw = Draw(
        facility_id=facility_id,
        month=month,
        seed=drawn_seed,
        drawn_at=now,
        drawn_by=staff.sub,
        order=draw_order(store.applications(facility_id, month), drawn_seed),
    )
    try:
        store.put_draw(draw)  # the seed is recorded before anything is allocated
    except Conflict as e:
        raise AlreadyDrawn() from e
    deadline = now + timedelta(days=lottery_round.payment_days)
    reservations = [rid for key in draw.order if (rid := _offer(store, draw, key, 0, deadline, now))]
    return DrawResult(
        facility_id=facility_id,
        month=month,
        seed=drawn_seed,
        winners=len(reservations),
        waiting=sum(len(owners) - 1 for owners in draw.order.values()),
        reservations=reservations,
    )


def promote(lapsed: Reservation, deps: ReservationDeps, now: datetime) -> int:
    """An unpaid win lapsed: offer the slot to the next on its waiting list (if any, and if the day is ahead)."""
    store = deps.store
    if not lapsed.lottery_key:
        return 0
    draw = store.draw(lapsed.facility_id, lapsed.date.isoformat()[:7])
    if draw is None:
        return 0
    key = lapsed.lottery_key
    position = draw.offered.get(key, 0) + 1
    day_text, _, start = key.split("#")
    if slot_start_utc(date.fromisoformat(day_text), start) <= now:
        return 0  # the slot's time has come: nobody can use it any more
    while position < len(draw.order.get(key, [])):
        if not store.advance_waiting(draw, key, position):
            return 0  # someone else promoted already
        if _offer(store, draw, key, position, now + timedelta(days=WAITING_LIST_PAYMENT_DAYS), now):
            return 1
        position += 1
    return 0


def my_applications(caller: Caller | None, deps: ReservationDeps) -> ApplicationList:
    resident = require(caller, Role.RESIDENT)
    store = deps.store
    views = []
    draws: dict[tuple[str, str], Draw | None] = {}
    for application in sorted(store.applications_of(resident.sub), key=lambda a: a.created_at, reverse=True):
        at = (application.facility_id, application.month)
        if at not in draws:
            draws[at] = store.draw(*at)
        draw = draws[at]
        if draw is None:
            views.append(ApplicationView(application=application, result=ApplicationResult.PENDING))
            continue
        order = draw.order.get(application.slot_key, [])
        mine = order.index(application.owner) if application.owner in order else -1
        offered = draw.offered.get(application.slot_key, 0)
        if mine == offered:
            views.append(ApplicationView(application=application, result=ApplicationResult.WON))
        elif mine > offered:
            views.append(
                ApplicationView(application=application, result=ApplicationResult.WAITING, position=mine - offered)
            )
        else:
            views.append(ApplicationView(application=application, result=ApplicationResult.LOST))
    return ApplicationList(applications=views)


def replay(facility_id: str, month: str, caller: Caller | None, deps: ReservationDeps) -> Draw:
    """The recorded draw, with the order recomputed from its seed (anyone auditing can do the same)."""
    require(caller, Role.STAFF, department=DEPARTMENT)
    store = deps.store
    draw = store.draw(facility_id, month)
    if draw is None:
        raise NotFound(facility_id=facility_id, month=month)
    return draw.model_copy(update={"order": draw_order(store.applications(facility_id, month), draw.seed)})


def draw_order(applications: Iterable[LotteryApplication], seed: int) -> dict[str, list[str]]:
    """For every slot applied for, its applicants (one entry per group) in drawn order.

    Inputs are sorted before shuffling so the result depends only on the seed and the set of applications,
    never on the order the store returned them in: replaying a recorded seed gives the same allocation.
    """
    by_slot: dict[str, set[str]] = {}
    for application in applications:
        by_slot.setdefault(application.slot_key, set()).add(application.owner)
    rng = random.Random(seed)
    order: dict[str, list[str]] = {}
    for key in sorted(by_slot):
        owners = sorted(by_slot[key])
        rng.shuffle(owners)
        order[key] = owners
    return order
