"""Fee reductions (減免): residents ask for one for a group, staff of 施設管理課 decide once."""

from __future__ import annotations

import uuid
from datetime import datetime

from madoguchi.reservations.models import (
    REDUCTION_PERCENT,
    FeeReduction,
    ReductionDecision,
    ReductionList,
    ReductionRequest,
    ReductionStatus,
)
from madoguchi.reservations.service.common import DEPARTMENT, ReservationDeps, limit_rate
from madoguchi.shared.auth import Caller, Role, require
from madoguchi.shared.errors import Conflict, NotFound
from madoguchi.shared.retries import retry_key


def request_reduction(
    body: ReductionRequest,
    caller: Caller | None,
    deps: ReservationDeps,
    now: datetime,
    *,
    idempotency_key: str | None = None,
) -> FeeReduction:
    resident = require(caller, Role.RESIDENT)
    limit_rate(resident, deps, now)
    key = retry_key(resident.sub, "reduction", idempotency_key)
    # With an Idempotency-Key the id is derived from it: a retry finds the first request instead of adding one.
    reduction_id = uuid.uuid5(uuid.NAMESPACE_URL, f"madoguchi:{key}").hex if key else uuid.uuid4().hex
    reduction = FeeReduction(
        id=reduction_id,
        owner=resident.sub,
        category=body.category,
        percent=REDUCTION_PERCENT[body.category],
        group_name=body.group_name,
        note=body.note,
        status=ReductionStatus.PENDING,
        requested_at=now,
    )
    try:
        deps.store.add_reduction(reduction)
    except Conflict:
        first = deps.store.reduction(reduction_id)
        if key and first is not None and first.owner == resident.sub:
            return first
        raise
    return reduction


def my_reductions(caller: Caller | None, deps: ReservationDeps) -> ReductionList:
    resident = require(caller, Role.RESIDENT)
    return ReductionList(reductions=deps.store.reductions_of(resident.sub))


def pending_reductions(caller: Caller | None, deps: ReservationDeps) -> ReductionList:
    require(caller, Role.STAFF, department=DEPARTMENT)
    return ReductionList(reductions=deps.store.pending_reductions())


def decide_reduction(
    reduction_id: str, body: ReductionDecision, caller: Caller | None, deps: ReservationDeps, now: datetime
) -> FeeReduction:
    staff = require(caller, Role.STAFF, department=DEPARTMENT)
    reduction = deps.store.reduction(reduction_id)
    if reduction is None:
        raise NotFound(reduction_id=reduction_id)
    decided = reduction.model_copy(
        update={
            "status": ReductionStatus.APPROVED if body.approve else ReductionStatus.REJECTED,
            "decided_by": staff.sub,
            "decided_at": now,
        }
    )
    deps.store.decide_reduction(decided)  # Conflict (409) if decided already
    return decided
