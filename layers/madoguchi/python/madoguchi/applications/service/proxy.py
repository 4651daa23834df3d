"""Input on the resident's behalf: proxy input the resident confirms, and pre-registrations staff accept at the
counter after checking identity."""

from __future__ import annotations

from datetime import datetime

from madoguchi.applications.events import with_event
from madoguchi.applications.models import Application
from madoguchi.applications.service.access import (
    ApplicationDeps,
    NotEditable,
    ResidentMustConfirm,
    audit_entry,
    form_of,
    is_staff_of,
    load,
    problems,
)
from madoguchi.applications.service.owed import on_change
from madoguchi.applications.service.verifications import verifications_for
from madoguchi.shared.auth import Caller, Role, require
from madoguchi.shared.errors import Forbidden, NotFound


def confirm(application_id: str, caller: Caller | None, deps: ApplicationDeps, now: datetime) -> Application:
    """The resident confirms what staff typed, signed in with their own account (at home, or on the counter's
    confirmation tablet); a staff account is refused. Both names are recorded."""
    who = require(caller, Role.RESIDENT, Role.STAFF)
    if who.role is Role.STAFF:
        raise ResidentMustConfirm()  # four-eyes: the typist's own account cannot stand in for the resident
    record = load(deps.store, application_id)
    application = record.application
    if application.owner != who.sub:
        raise NotFound(application_id=application_id)
    if application.status != "awaiting_confirmation":
        raise NotEditable()
    confirmed_by = who.sub
    found = form_of(application)
    changed = application.model_copy(
        update={
            "status": "received",
            "confirmed_by": confirmed_by,
            "submitted_at": now,
            "updated_at": now,
            "version": application.version + 1,
        }
    )
    changed, event = with_event(application, changed, now)
    deps.store.save(
        changed,
        audit_entry(who, "confirmed_by_resident", now, confirmed_by),
        expected_version=application.version,
        verifications=verifications_for(found, application, now),
        event=event,
        effects=on_change(changed, now),  # its files tagged and the resident told, by the outbox worker
    )
    return changed


def accept_preregistration(
    application_id: str, caller: Caller | None, deps: ApplicationDeps, now: datetime
) -> Application:
    """Staff complete a pre-registration handed over by QR code (identity checked at the counter)."""
    who = require(caller, Role.STAFF)
    record = load(deps.store, application_id)
    application = record.application
    if not is_staff_of(who, application):
        raise Forbidden()
    if application.status != "preregistered":
        raise NotEditable()
    found = form_of(application)
    problems(found, application.answers, complete=True)
    changed = application.model_copy(
        update={
            "status": "received",
            "submitted_at": now,
            "updated_at": now,
            "confirmed_by": application.owner,
            "typed_by": application.owner,
            "version": application.version + 1,
        }
    )
    changed, event = with_event(application, changed, now)
    deps.store.save(
        changed,
        audit_entry(who, "accepted_at_counter", now),
        expected_version=application.version,
        verifications=verifications_for(found, application, now),
        event=event,
        effects=on_change(changed, now),  # its files tagged and the resident told, by the outbox worker
    )
    return changed
