"""Ports of the devices context: the device records, and the device pool's users (Cognito)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime

from madoguchi.devices.models import Device, DeviceAuditEntry, Tokens


class DeviceStore(ABC):
    @abstractmethod
    def create(self, device: Device, code_hash: str, audit: DeviceAuditEntry) -> None:
        """A new pending device, its code and the audit entry, in one write (an existing id raises Conflict)."""

    @abstractmethod
    def get(self, device_id: str) -> Device | None:
        """One device by id: one read whatever the number of devices (checked on every device request)."""

    @abstractmethod
    def all(self) -> list[Device]:
        """Every device of the city (tens to hundreds), newest first."""

    @abstractmethod
    def find_code(self, code_hash: str, now: datetime) -> Device | None:
        """The pending device whose unexpired code this is, else None."""

    @abstractmethod
    def redeem(self, device_id: str, code_hash: str, audit: DeviceAuditEntry, now: datetime) -> Device:
        """pending -> active and the code spent, atomically, only while the code is this device's and unexpired:
        of two devices redeeming one code exactly one wins; the other gets EnrolmentCodeInvalid."""

    @abstractmethod
    def restore_code(self, device_id: str, code_hash: str, expires_at: datetime) -> None:
        """Undo a redeem whose device pool user could not be made (active -> pending, the same code again)."""

    @abstractmethod
    def reissue_code(
        self, device_id: str, created_by: str, code_hash: str, expires_at: datetime, audit: DeviceAuditEntry
    ) -> None:
        """A new code for a device still pending that `created_by` enrolled, in place of its old code (which stops
        enrolling), atomically with the audit entry; any other device raises Conflict and nothing changes."""

    @abstractmethod
    def revoke(self, device_id: str, by: str, audit: DeviceAuditEntry, now: datetime) -> Device:
        """-> revoked (with its code spent if pending), atomically with the audit entry; a revoked device is
        returned unchanged; an unknown one raises NotFound."""

    @abstractmethod
    def identity_disabled(self, device_id: str) -> None:
        """Record that the device pool's user is signed out and disabled."""

    @abstractmethod
    def audit(self, device_id: str) -> list[DeviceAuditEntry]:
        """The device's audit entries, oldest first."""


class DeviceIdentities(ABC):
    """The device pool: a user per enrolled device, whose tokens carry role=device, device_kind and device_id."""

    @abstractmethod
    def create(self, device: Device) -> Tokens:
        """Make (or remake) the device's user with a random password used once, sign it in, forget the password.
        Raises DeviceIdentityUnavailable when the pool does not answer."""

    @abstractmethod
    def renew(self, device_id: str, refresh_token: str) -> Tokens:
        """A fresh ID token for this device's refresh token; DeviceNotEnrolled when the pool refuses it or it is
        another user's."""

    @abstractmethod
    def disable(self, device_id: str) -> None:
        """Sign the user out everywhere (its refresh tokens stop working) and disable it; unknown users are fine."""
