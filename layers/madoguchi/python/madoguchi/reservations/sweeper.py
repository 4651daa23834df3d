"""The scheduled sweep: holds whose time is up are released, and a lottery slot passes down its waiting list.

It uses both booking and the lottery, so it sits above both (the lottery uses booking's rules)."""

from __future__ import annotations

from datetime import datetime

from madoguchi.reservations import lottery
from madoguchi.reservations.models import Source
from madoguchi.reservations.service import ReservationDeps, release_if_due


def sweep(deps: ReservationDeps, now: datetime) -> dict[str, int]:
    """Expire holds (and unpaid lottery wins) whose time is up; a lottery slot passes down its waiting list. (Refunds
    and e-mails are effects the outbox worker sends, docs/reservations.md.)"""
    counts = {"expired": 0, "confirmed": 0, "promoted": 0}
    for reservation in deps.store.due_holds(now):
        outcome = release_if_due(reservation, deps, now)
        if outcome in counts:
            counts[outcome] += 1
        if outcome == "expired" and reservation.source is Source.LOTTERY:
            counts["promoted"] += lottery.promote(reservation, deps, now)
    return counts
