"""Input on the resident's behalf: proxy input the resident confirms, and pre-registrations staff accept at the
counter after checking identity."""

from __future__ import annotations

from datetime import datetime

from madoguchi.applications.models import Application
from madoguchi.applications.service.access import (
    ApplicationDeps,
    NotEditable,
    audit_entry,
    current_attachments,
    form_of,
    is_staff_of,
    load,
    problems,
)
from madoguchi.applications.service.notices import notify
from madoguchi.applications.service.verifications import verifications_for
from madoguchi.shared.auth import Caller, Role, require
from madoguchi.shared.errors import Forbidden, NotFound


def confirm(
    application_id: str, caller: Caller | None, deps: ApplicationDeps, now: datetime, *, link_base: str
) -> Application:
    """The resident confirms what staff typed: on their own account, or on the counter's confirmation tablet
    (signed in as the staff member, who hands it over); either way both names are recorded."""
    who = require(caller, Role.RESIDENT, Role.STAFF)
    record = load(deps.store, application_id)
    application = record.application
    if who.role is Role.RESIDENT and application.owner != who.sub:
        raise NotFound(application_id=application_id)
    if who.role is Role.STAFF and not is_staff_of(who, application):
        raise Forbidden()
    if application.status != "awaiting_confirmation":
        raise NotEditable()
    confirmed_by = who.sub if who.role is Role.RESIDENT else f"resident-at-counter@{who.sub}"
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
    deps.store.save(
        changed,
        audit_entry(who, "confirmed_by_resident", now, confirmed_by),
        expected_version=application.version,
        verifications=verifications_for(found, application, now),
    )
    for x in current_attachments(record).values():
        deps.attachments.mark_referenced(x.key)
    notify(deps.mailer, changed, link_base)
    return changed


def accept_preregistration(
    application_id: str, caller: Caller | None, deps: ApplicationDeps, now: datetime, *, link_base: str
) -> Application:
    """Staff complete a pre-registration handed over by QR code (identity checked at the counter)."""
    who = require(caller, Role.STAFF)
    application = load(deps.store, application_id).application
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
    deps.store.save(
        changed,
        audit_entry(who, "accepted_at_counter", now),
        expected_version=application.version,
        verifications=verifications_for(found, application, now),
    )
    notify(deps.mailer, changed, link_base)
    return changed
