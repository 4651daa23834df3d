"""Cognito pre-token-generation trigger: adds the claims the API expects to the ID token.

Each user pool gets its own copy of this function with ROLE set to resident, staff or device, so the role
comes from the pool the user signed in to, never from anything the user can edit. Staff get `department`
from their first department group; devices get `device_kind` from their immutable `custom:device_kind` and
`device_id` from their user name.
Plain Python (stdlib only) so it has no layer and starts fast on every sign-in and token refresh.
"""

from __future__ import annotations

import os
from typing import Any

ROLES = ("resident", "staff", "device")
DEVICE_KINDS = ("kiosk", "ticket_machine")


def claims_for(
    role: str,
    user_attributes: dict[str, str],
    groups: list[str],
    departments: tuple[str, ...] = (),
    username: str = "",
) -> dict[str, str]:
    if role not in ROLES:
        raise ValueError(f"ROLE must be one of {ROLES}, got {role!r}")
    claims = {"role": role}
    if role == "staff":
        department = next((g for g in groups if g in departments), None)
        if department is not None:
            claims["department"] = department
    elif role == "device":
        kind = user_attributes.get("custom:device_kind")
        if kind not in DEVICE_KINDS:
            # Fail closed: Cognito refuses the sign-in rather than issue a token without a known kind.
            raise ValueError(f"device has no valid custom:device_kind (got {kind!r})")
        claims["device_kind"] = kind
        # The device's record (madoguchi.devices) is keyed by the user name the enrolment gave it; the API checks
        # that record on every request, so a revoked device is refused before its token expires.
        if not username:
            raise ValueError("device has no user name")
        claims["device_id"] = username
    return claims


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    request = event.get("request") or {}
    groups = (request.get("groupConfiguration") or {}).get("groupsToOverride") or []
    # The staff pool's department groups (madoguchi.departments), passed by the auth stack.
    departments = tuple(d for d in os.environ.get("DEPARTMENTS", "").split(",") if d)
    claims = claims_for(
        os.environ.get("ROLE", ""),
        request.get("userAttributes") or {},
        groups,
        departments,
        event.get("userName") or "",
    )
    response = event.setdefault("response", {})
    details = response.get("claimsOverrideDetails") or {}
    details["claimsToAddOrOverride"] = {**(details.get("claimsToAddOrOverride") or {}), **claims}
    response["claimsOverrideDetails"] = details
    return event
