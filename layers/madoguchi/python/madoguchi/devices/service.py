"""Enrolling, redeeming, renewing and revoking devices, and the check every device request passes.

Managers (the 窓口管理 department, `kanri`) enrol and revoke; the enrolment code is the device's one secret until
it holds its own refresh token. Every API call of a device is admitted only while its record is active: a
revocation takes effect on the device's next request, not at its token's expiry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from madoguchi.devices.models import (
    CODE_MINUTES,
    Device,
    DeviceAuditEntry,
    DeviceDetail,
    DeviceIdentityUnavailable,
    DeviceList,
    DeviceNotEnrolled,
    DeviceSession,
    DeviceStatus,
    DeviceView,
    DeviceWrongKind,
    Enrolment,
    EnrolmentCodeInvalid,
    EnrolRequest,
    RedeemRequest,
    RenewRequest,
    code_hash,
    new_code,
    shown_code,
    view,
)
from madoguchi.devices.store import DeviceIdentities, DeviceStore
from madoguchi.shared.auth import Caller, DeviceKind, Role, require
from madoguchi.shared.errors import Conflict, NotFound, present
from madoguchi.shared.retries import retry_id

MANAGERS = "kanri"  # 窓口管理: the department that runs the counters' machines (decision 55's management role)
PAGES = {DeviceKind.KIOSK: "/kiosk/", DeviceKind.TICKET_MACHINE: "/ticket-machine/"}


@dataclass(frozen=True)
class DevicesDeps:
    devices: DeviceStore
    identities: DeviceIdentities | None = None  # only the devices function talks to the device pool


def _manager(caller: Caller | None) -> Caller:
    return require(caller, Role.STAFF, department=MANAGERS)


def _identities(deps: DevicesDeps) -> DeviceIdentities:
    if deps.identities is None:
        raise RuntimeError("this function has no access to the device pool (catalogue device_identities)")
    return deps.identities


def enrol(
    request: EnrolRequest,
    caller: Caller | None,
    deps: DevicesDeps,
    now: datetime,
    site: str,
    *,
    idempotency_key: str | None = None,
) -> Enrolment:
    """A pending device and its one-time code; `site` is the site's origin (shared.public_origin).

    With an `Idempotency-Key`, the device's id comes from the manager and the key: a retry (the first answer and
    its code may never have reached the manager) is the same pending device with a fresh code, the first code void.
    A retry once the device has redeemed its code is refused (409): it is enrolled."""
    manager = _manager(caller)
    prefix = "kiosk" if request.kind is DeviceKind.KIOSK else "ticket"
    device = Device(
        id=retry_id(prefix, manager.sub, idempotency_key, length=12),
        kind=request.kind,
        label=request.label.strip(),
        location=request.location.strip(),
        status=DeviceStatus.PENDING,
        created_at=now,
        created_by=manager.sub,
        code_expires_at=now + timedelta(minutes=CODE_MINUTES),
    )
    code = new_code()
    try:
        deps.devices.create(
            device, code_hash(code), DeviceAuditEntry(at=now, action="enrol", by=manager.sub, device_id=device.id)
        )
    except Conflict:
        existing = deps.devices.get(device.id) if idempotency_key else None
        if existing is None or existing.kind is not request.kind:
            raise
        expires = now + timedelta(minutes=CODE_MINUTES)
        audit = DeviceAuditEntry(at=now, action="code_reissued", by=manager.sub, device_id=device.id)
        deps.devices.reissue_code(device.id, manager.sub, code_hash(code), expires, audit)  # 409 unless pending
        device = existing.model_copy(update={"code_expires_at": expires})
    url = f"{site}{PAGES[device.kind]}#enrol={shown_code(code)}"
    return Enrolment(
        device=device,
        code=shown_code(code),
        code_expires_at=present(device.code_expires_at),
        enrol_url=url,
        qr_svg=_qr(url),
    )


def _qr(url: str) -> str:
    import segno  # only enrolment needs it

    return str(segno.make(url, error="m").svg_inline(scale=4, title="QR"))


def list_devices(caller: Caller | None, deps: DevicesDeps) -> DeviceList:
    _manager(caller)
    return DeviceList(devices=deps.devices.all())


def detail(device_id: str, caller: Caller | None, deps: DevicesDeps) -> DeviceDetail:
    _manager(caller)
    device = deps.devices.get(device_id)
    if device is None:
        raise NotFound()
    return DeviceDetail(device=device, audit=deps.devices.audit(device_id))


def revoke(device_id: str, caller: Caller | None, deps: DevicesDeps, now: datetime) -> Device:
    """Revoked at once for the API (the record); then the pool's user is signed out and disabled. Repeating a
    revoke retries the pool's part if it failed the first time."""
    manager = _manager(caller)
    audit = DeviceAuditEntry(at=now, action="revoke", by=manager.sub, device_id=device_id)
    device = deps.devices.revoke(device_id, manager.sub, audit, now)
    if not device.identity_disabled and device.enrolled_at is not None:
        _identities(deps).disable(device_id)
        deps.devices.identity_disabled(device_id)
        device = device.model_copy(update={"identity_disabled": True})
    return device


def redeem(request: RedeemRequest, deps: DevicesDeps, now: datetime) -> DeviceSession:
    """The device's first start: its code for its own user in the device pool and its first tokens."""
    hashed = code_hash(request.code)
    pending = deps.devices.find_code(hashed, now)
    if pending is None:
        raise EnrolmentCodeInvalid()
    if pending.kind is not request.kind:
        raise DeviceWrongKind()  # the code stays valid for the right page
    device = deps.devices.redeem(
        pending.id, hashed, DeviceAuditEntry(at=now, action="redeem", by=pending.id, device_id=pending.id), now
    )
    try:
        tokens = _identities(deps).create(device)
    except DeviceIdentityUnavailable:
        deps.devices.restore_code(device.id, hashed, present(pending.code_expires_at))
        raise
    return DeviceSession(
        device=view(device), id_token=tokens.id_token, refresh_token=tokens.refresh_token, expires_in=tokens.expires_in
    )


def renew(request: RenewRequest, deps: DevicesDeps) -> DeviceSession:
    """A new ID token, only while the device is enrolled (and the pool still honours its refresh token)."""
    device = deps.devices.get(request.device_id)
    if device is None or device.status is not DeviceStatus.ACTIVE:
        raise DeviceNotEnrolled()
    tokens = _identities(deps).renew(device.id, request.refresh_token)
    return DeviceSession(device=view(device), id_token=tokens.id_token, expires_in=tokens.expires_in)


def admit(caller: Caller, deps: DevicesDeps) -> Caller:
    """The check of every device request (shared.api's device gate): the token's device is enrolled and its kind
    is the record's. One read of one item, whatever the number of devices."""
    if caller.role is not Role.DEVICE:
        return caller
    device = deps.devices.get(caller.device_id) if caller.device_id else None
    if device is None or device.status is not DeviceStatus.ACTIVE or device.kind is not caller.device_kind:
        raise DeviceNotEnrolled()
    return caller


def whoami(caller: Caller | None, deps: DevicesDeps, kind: DeviceKind | None) -> DeviceView:
    """The calling device's record; a page for one kind of device refuses the other kind's enrolment."""
    device_caller = admit(require(caller, Role.DEVICE), deps)
    if kind is not None and device_caller.device_kind is not kind:
        raise DeviceWrongKind()
    return view(present(deps.devices.get(present(device_caller.device_id))))
