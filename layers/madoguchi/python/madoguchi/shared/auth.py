"""Who is calling, and the one rule book for who may call what.

The authorizer (Cognito in the cloud, the local gateway locally) has already verified the token; its claims
arrive in the proxy event's requestContext.authorizer.claims. Handlers call `require` before any logic.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from madoguchi.shared.errors import Forbidden, Unauthorized


class Role(StrEnum):
    RESIDENT = "resident"
    STAFF = "staff"
    DEVICE = "device"


class DeviceKind(StrEnum):
    KIOSK = "kiosk"
    TICKET_MACHINE = "ticket_machine"


class Caller(BaseModel):
    sub: str
    role: Role
    department: str | None = None
    device_kind: DeviceKind | None = None
    # The enrolled device's record (madoguchi.devices): its Cognito user name, put in the token by the trigger.
    device_id: str | None = None


def caller_from_event(event: Mapping[str, Any]) -> Caller | None:
    """The verified caller, or None for an anonymous request (or claims we cannot trust to mean anything)."""
    claims = ((event.get("requestContext") or {}).get("authorizer") or {}).get("claims") or {}
    sub, role = claims.get("sub"), claims.get("role")
    if not sub or role not in Role.__members__.values():
        return None
    kind = claims.get("device_kind")
    return Caller(
        sub=sub,
        role=Role(str(role)),
        department=claims.get("department") or None,
        device_kind=DeviceKind(str(kind)) if kind in DeviceKind.__members__.values() else None,
        device_id=claims.get("device_id") or None if role == Role.DEVICE else None,
    )


def require(
    caller: Caller | None,
    *roles: Role,
    department: str | None = None,
    device_kind: DeviceKind | None = None,
) -> Caller:
    """Return the caller if they hold one of `roles` (and the department or device kind asked); else raise.

    Anonymous callers get Unauthorized (401); signed-in callers without the right get Forbidden (403).
    """
    if caller is None:
        raise Unauthorized()
    if caller.role not in roles:
        raise Forbidden()
    if department is not None and caller.role is Role.STAFF and caller.department != department:
        raise Forbidden()
    if device_kind is not None and caller.role is Role.DEVICE and caller.device_kind is not device_kind:
        raise Forbidden()
    return caller
