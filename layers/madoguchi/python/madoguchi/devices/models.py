"""Devices: the record of an enrolled kiosk or ticket machine, its one-time enrolment code, and the API shapes.

A device is created `pending` by a manager with a one-time code (shown once, kept only as its SHA-256), becomes
`active` when the device redeems the code (and gets its user in the device pool), and `revoked` for good when a
manager revokes it. Every API call of a device is checked against this record (one GetItem).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

from madoguchi.shared.auth import DeviceKind
from madoguchi.shared.errors import DomainError, Forbidden, Unauthorized

CODE_MINUTES = 60  # long enough to walk from the office to the machine; a code unused by then is void
# Crockford's base32 without I, L, O, U: read aloud or typed on a touch screen without confusion.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 16  # 80 bits: unguessable within the code's hour at any rate API Gateway lets through
DEVICE_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{2,63}$"


class DeviceStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    REVOKED = "revoked"


class Device(BaseModel):
    id: str = Field(pattern=DEVICE_ID_PATTERN, description="The device's id; its user name in the device pool")
    kind: DeviceKind
    label: str
    location: str
    status: DeviceStatus
    created_at: datetime
    created_by: str = Field(description="The manager who enrolled it (staff sub)")
    code_expires_at: datetime | None = Field(default=None, description="Until when the enrolment code works")
    enrolled_at: datetime | None = None
    revoked_at: datetime | None = None
    revoked_by: str | None = None
    # False while the device pool's user may still hold valid refresh tokens after a revocation (retried by a
    # repeated revoke); the device record refuses the device either way.
    identity_disabled: bool = False


class DeviceAuditEntry(BaseModel):
    at: datetime
    action: Literal["enrol", "code_reissued", "redeem", "revoke"]
    by: str = Field(description="Staff sub for enrol and revoke; the device id for redeem")
    device_id: str


class EnrolRequest(BaseModel):
    kind: DeviceKind
    label: str = Field(min_length=1, max_length=80, description="A name staff recognise, e.g. 本庁1階 発券機A")
    location: str = Field(min_length=1, max_length=120, description="Where it stands (floor, counter)")


class Enrolment(BaseModel):
    device: Device
    code: str = Field(description="The one-time enrolment code, shown to the manager once and never again")
    code_expires_at: datetime
    enrol_url: str = Field(description="The device page with the code in its fragment (never sent to a server)")
    qr_svg: str = Field(description="QR code of enrol_url, for a device with a camera or a phone")


class DeviceList(BaseModel):
    devices: list[Device]


class DeviceDetail(BaseModel):
    device: Device
    audit: list[DeviceAuditEntry]


class RedeemRequest(BaseModel):
    code: str = Field(min_length=1, max_length=40)
    kind: DeviceKind = Field(description="What the redeeming page is: a kiosk page refuses a ticket machine's code")


class RenewRequest(BaseModel):
    device_id: str = Field(pattern=DEVICE_ID_PATTERN)
    refresh_token: str = Field(min_length=1, max_length=4096)


class DeviceView(BaseModel):
    id: str
    kind: DeviceKind
    label: str
    location: str


class Tokens(BaseModel):
    """What the device pool issues to a device: an ID token for the API and a refresh token to renew it."""

    id_token: str
    refresh_token: str | None = None
    expires_in: int


class DeviceSession(BaseModel):
    device: DeviceView
    id_token: str
    refresh_token: str | None = Field(default=None, description="Present on enrolment; renewals keep the first")
    expires_in: int


def view(device: Device) -> DeviceView:
    return DeviceView(id=device.id, kind=device.kind, label=device.label, location=device.location)


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    """As typed: any case, with or without the dashes and spaces it is shown with."""
    return "".join(c for c in code.upper() if c not in "- ").replace("O", "0").replace("I", "1").replace("L", "1")


def shown_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def code_hash(code: str) -> str:
    """What is stored of a code: 80 random bits need no salt or slow hash against guessing."""
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


class DeviceNotEnrolled(Unauthorized):
    """Unknown, pending or revoked device, or a token that does not match its record."""

    code = "device_not_enrolled"


class EnrolmentCodeInvalid(Unauthorized):
    """Unknown, used or expired enrolment code (one answer for all three: no oracle)."""

    code = "enrolment_code_invalid"


class DeviceWrongKind(Forbidden):
    code = "device_wrong_kind"


class DeviceIdentityUnavailable(DomainError):
    """The device pool did not answer; the code stays valid for a retry."""

    status = 503
    code = "device_identity_unavailable"
