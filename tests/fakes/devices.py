"""In-memory device records and device pool, same rules as the DynamoDB and Cognito adapters."""

from __future__ import annotations

import secrets
import threading
from datetime import datetime

from madoguchi.devices.models import (
    Device,
    DeviceAuditEntry,
    DeviceIdentityUnavailable,
    DeviceNotEnrolled,
    DeviceStatus,
    EnrolmentCodeInvalid,
    Tokens,
)
from madoguchi.devices.store import DeviceIdentities, DeviceStore
from madoguchi.shared.errors import Conflict, NotFound


class MemoryDeviceStore(DeviceStore):
    def __init__(self) -> None:
        self.devices: dict[str, Device] = {}
        self.codes: dict[str, tuple[str, datetime]] = {}  # hash -> (device id, expires)
        self.audits: list[DeviceAuditEntry] = []
        self.reads = 0
        self._lock = threading.Lock()

    def create(self, device: Device, code_hash: str, audit: DeviceAuditEntry) -> None:
        with self._lock:
            if device.id in self.devices or code_hash in self.codes or device.code_expires_at is None:
                raise Conflict()
            self.devices[device.id] = device
            self.codes[code_hash] = (device.id, device.code_expires_at)
            self.audits.append(audit)

    def get(self, device_id: str) -> Device | None:
        self.reads += 1
        return self.devices.get(device_id)

    def all(self) -> list[Device]:
        return sorted(self.devices.values(), key=lambda d: d.created_at, reverse=True)

    def find_code(self, code_hash: str, now: datetime) -> Device | None:
        found = self.codes.get(code_hash)
        if found is None or found[1] <= now:
            return None
        device = self.devices.get(found[0])
        return device if device is not None and device.status is DeviceStatus.PENDING else None

    def redeem(self, device_id: str, code_hash: str, audit: DeviceAuditEntry, now: datetime) -> Device:
        with self._lock:
            found = self.codes.get(code_hash)
            device = self.devices.get(device_id)
            if found is None or found[0] != device_id or found[1] <= now or device is None:
                raise EnrolmentCodeInvalid()
            if device.status is not DeviceStatus.PENDING:
                raise EnrolmentCodeInvalid()
            del self.codes[code_hash]
            device = device.model_copy(
                update={"status": DeviceStatus.ACTIVE, "enrolled_at": now, "code_expires_at": None}
            )
            self.devices[device_id] = device
            self.audits.append(audit)
            return device

    def reissue_code(
        self, device_id: str, created_by: str, code_hash: str, expires_at: datetime, audit: DeviceAuditEntry
    ) -> None:
        with self._lock:
            device = self.devices.get(device_id)
            if device is None or device.status is not DeviceStatus.PENDING or device.created_by != created_by:
                raise Conflict()
            if code_hash in self.codes:
                raise Conflict()
            self.codes = {h: c for h, c in self.codes.items() if c[0] != device_id}
            self.codes[code_hash] = (device_id, expires_at)
            self.devices[device_id] = device.model_copy(update={"code_expires_at": expires_at})
            self.audits.append(audit)

    def restore_code(self, device_id: str, code_hash: str, expires_at: datetime) -> None:
        with self._lock:
            device = self.devices[device_id]
            if device.status is not DeviceStatus.ACTIVE:
                raise Conflict()
            self.devices[device_id] = device.model_copy(
                update={"status": DeviceStatus.PENDING, "enrolled_at": None, "code_expires_at": expires_at}
            )
            self.codes[code_hash] = (device_id, expires_at)

    def revoke(self, device_id: str, by: str, audit: DeviceAuditEntry, now: datetime) -> Device:
        with self._lock:
            device = self.devices.get(device_id)
            if device is None:
                raise NotFound()
            if device.status is DeviceStatus.REVOKED:
                return device
            for hashed, (owner, _) in list(self.codes.items()):
                if owner == device_id:
                    del self.codes[hashed]
            device = device.model_copy(
                update={"status": DeviceStatus.REVOKED, "revoked_at": now, "revoked_by": by, "code_expires_at": None}
            )
            self.devices[device_id] = device
            self.audits.append(audit)
            return device

    def identity_disabled(self, device_id: str) -> None:
        self.devices[device_id] = self.devices[device_id].model_copy(update={"identity_disabled": True})

    def audit(self, device_id: str) -> list[DeviceAuditEntry]:
        return [a for a in self.audits if a.device_id == device_id]


class MemoryDeviceIdentities(DeviceIdentities):
    """A device pool: users by name, refresh tokens by value, sign-out and disable; `down` makes it fail."""

    def __init__(self) -> None:
        self.users: dict[str, bool] = {}  # name -> enabled
        self.refresh: dict[str, tuple[str, bool]] = {}  # token -> (user, revoked)
        self.down = False

    def _check(self) -> None:
        if self.down:
            raise DeviceIdentityUnavailable()

    def create(self, device: Device) -> Tokens:
        self._check()
        self.users[device.id] = True
        token = secrets.token_urlsafe(16)
        self.refresh[token] = (device.id, False)
        return Tokens(id_token=f"id-{device.id}-{secrets.token_hex(4)}", refresh_token=token, expires_in=3600)

    def renew(self, device_id: str, refresh_token: str) -> Tokens:
        self._check()
        found = self.refresh.get(refresh_token)
        if found is None or found[1] or not self.users.get(found[0]) or found[0] != device_id:
            raise DeviceNotEnrolled()
        return Tokens(id_token=f"id-{device_id}-{secrets.token_hex(4)}", expires_in=3600)

    def disable(self, device_id: str) -> None:
        self._check()
        if device_id in self.users:
            self.users[device_id] = False
        for token, (user, _) in list(self.refresh.items()):
            if user == device_id:
                self.refresh[token] = (user, True)
