"""Ports of the kiosk context: its sessions, and the city's resident records as the kiosk needs them."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from madoguchi.kiosk.jpki import JpkiTrust
from madoguchi.kiosk.matching import FourItems
from madoguchi.kiosk.models import KioskSession


class KioskSessionStore(ABC):
    @abstractmethod
    def put(self, session: KioskSession) -> None:
        """A new session (its id is random; an existing id raises Conflict)."""

    @abstractmethod
    def get(self, session_id: str) -> KioskSession | None: ...

    @abstractmethod
    def claim_challenge(self, session_id: str, kiosk: str, now: datetime) -> KioskSession:
        """challenged -> verifying, atomically, only for the kiosk that opened it and before the challenge
        expires: raises ChallengeUsed when it was already claimed, ChallengeExpired when too late."""

    @abstractmethod
    def finish(self, session_id: str, changes: Mapping[str, Any]) -> KioskSession:
        """verifying -> authenticated or refused, with the resident id and fingerprint or the refusal."""


class ResidentDirectory(ABC):
    """The city's resident records (住民記録), looked up by the card's normalised name and date of birth."""

    @abstractmethod
    def candidates(self, lookup_key: str) -> list[tuple[str, FourItems]]:
        """(resident id, four items) of the records with this lookup key (madoguchi.kiosk.matching)."""


class TrustSource(ABC):
    """The JPKI CA certificates and CRLs the deployment trusts now (configuration, refreshed as CRLs are)."""

    @abstractmethod
    def current(self) -> JpkiTrust:
        """The trust to verify with; raises KioskUnavailable when none is configured."""
