"""Card-reader visits: the card's 券面事項入力補助 data, kept for one visit to prefill forms."""

from __future__ import annotations

from datetime import datetime, timedelta

from madoguchi.applications.models import Visit, VisitRequest, VisitView
from madoguchi.applications.service.access import VISIT_MINUTES, ApplicationDeps, new_id
from madoguchi.shared.auth import Caller, DeviceKind, Role, require


def open_visit(request: VisitRequest, caller: Caller | None, deps: ApplicationDeps, now: datetime) -> VisitView:
    """A kiosk or a counter's card reader posts the card's 券面事項入力補助 data once per visit."""
    who = require(caller, Role.DEVICE, Role.STAFF, device_kind=DeviceKind.KIOSK)
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
    deps.store.put_visit(visit)
    return VisitView(id=visit.id, expires_at=visit.expires_at)
