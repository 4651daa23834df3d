"""The domain events of a one-stop life-event case (docs/metrics.md), written by the case store in the same
transaction as the case's change of status (the transactional outbox, madoguchi.shared.outbox).

| change of the case                                                       | event       | clocks           |
|--------------------------------------------------------------------------|-------------|------------------|
| → open (staff open it with identity, or verify a pre-registration's)    | `received`  | —                |
| open → closed (the workflow saw every department's step approved)      | `completed` | `received_at` = opened |

Procedure: the life event, as `onestop-<event>` (`onestop-bereavement`, `onestop-moving-in`): a pseudo-procedure
outside the register (the departments' own procedures inside a case are done by staff on the case, not
submitted as applications). Channel `onestop`, for the one-stop counter and the district centres alike. Ids are
`cases:<id>:received|completed`: a case that goes back to awaiting identity (its workflow did not start) and is
opened again writes the same receipt id, which the aggregator counts once.
"""

from __future__ import annotations

from datetime import datetime

from madoguchi.cases.models import Case
from madoguchi.metrics.models import DomainEvent

ONESTOP_PROCEDURE_PREFIX = "onestop-"


def life_event_procedure(event: str) -> str:
    return ONESTOP_PROCEDURE_PREFIX + event.replace("_", "-")


def received(case: Case, now: datetime) -> DomainEvent:
    return DomainEvent(
        id=f"cases:{case.id}:received",
        type="received",
        context="cases",
        aggregate_id=case.id,
        procedure_id=life_event_procedure(case.event),
        channel="onestop",
        occurred_at=now,
    )


def completed(case: Case, now: datetime) -> DomainEvent:
    started = case.identity.verified_at if case.identity else case.opened_at
    return DomainEvent(
        id=f"cases:{case.id}:completed",
        type="completed",
        context="cases",
        aggregate_id=case.id,
        procedure_id=life_event_procedure(case.event),
        channel="onestop",
        occurred_at=now,
        received_at=min(started, now),
    )
