"""Card-reader visits: the card's 券面事項入力補助 data, kept for one visit to prefill forms."""

from __future__ import annotations

from datetime import datetime, timedelta

from madoguchi.applications.models import Visit, VisitRequest, VisitView
from madoguchi.applications.service.access import VISIT_MINUTES, ApplicationDeps, new_id
from madoguchi.shared.auth import Caller, DeviceKind, Role, require
from madoguchi.shared.errors import Conflict
from madoguchi.shared.retries import retry_key


def open_visit(
    request: VisitRequest,
    caller: Caller | None,
    deps: ApplicationDeps,
    now: datetime,
    *,
    idempotency_key: str | None = None,
) -> VisitView:
    """A kiosk or a counter's card reader posts the card's 券面事項入力補助 data once per visit. A retried POST
    with the same Idempotency-Key (the same device's) answers the first visit."""
    who = require(caller, Role.DEVICE, Role.STAFF, device_kind=DeviceKind.KIOSK)
    key = retry_key(who.sub, "visit", idempotency_key)
    if key and (first := _first_visit(deps, key, now)) is not None:
        return first
    visit = Visit(
        id=new_id("visit"),
        device=who.sub,
        name=request.name,
        address=request.address,
        date_of_birth=request.date_of_birth,
        sex=request.sex,
        created_at=now,
        expires_at=now + timedelta(minutes=VISIT_MINUTES),
    )
    try:
        deps.store.put_visit(visit, idempotency=key)
    except Conflict:
        if key and (first := _first_visit(deps, key, now)) is not None:
            return first  # the same retry raced us
        raise
    return VisitView(id=visit.id, expires_at=visit.expires_at)


def _first_visit(deps: ApplicationDeps, key: str, now: datetime) -> VisitView | None:
    visit_id = deps.store.by_idempotency(key)
    visit = deps.store.visit(visit_id, now) if visit_id else None
    return VisitView(id=visit.id, expires_at=visit.expires_at) if visit else None
