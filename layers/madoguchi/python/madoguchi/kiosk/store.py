"""Ports of the kiosk context: its sessions, and the city's resident records as the kiosk needs them."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from madoguchi.kiosk.jpki import JpkiTrust
from madoguchi.kiosk.matching import FourItems
from madoguchi.kiosk.models import FamilyRegister, KioskOrder, KioskSession, ResidentRecord
from madoguchi.shared.outbox import Outboxed


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


class KioskOrderStore(ABC):
    @abstractmethod
    def create(self, order: KioskOrder) -> KioskOrder:
        """Store a new order; when one with its id exists (a retried request), return that one unchanged."""

    @abstractmethod
    def get(self, order_id: str) -> KioskOrder | None: ...

    @abstractmethod
    def update(
        self, order_id: str, expected_state: str, changes: Mapping[str, Any], events: Sequence[Outboxed] = ()
    ) -> KioskOrder:
        """Apply changes only while the order is in expected_state; raises Conflict otherwise. `events` (the
        change's domain events, madoguchi.kiosk.events) are written in the same transaction, or not at all."""

    @abstractmethod
    def left_waiting(self, created_before: datetime, limit: int) -> list[KioskOrder]:
        """Up to `limit` orders created before `created_before` that still wait for their payment to settle
        (awaiting_payment, refunding), oldest first: one query of an index that holds only such orders."""

    @abstractmethod
    def look_again_later(self, order_id: str, now: datetime) -> None:
        """Move an order still waiting behind the others, as if placed at `now`: the reconciler looks at it again a
        whole period later, so orders it cannot decide never crowd the head of its page. Settled: nothing."""

    @abstractmethod
    def next_issue_serial(self, year: int) -> int:
        """The next certificate issue serial of a calendar year (an atomic counter: never handed out twice)."""


class ResidentRecords(ABC):
    """The city's resident records (住民記録), read for the content of a certificate; never what a user typed."""

    @abstractmethod
    def record(self, resident_id: str) -> ResidentRecord | None: ...


class FamilyRegisters(ABC):
    """The 戸籍 this city keeps (its 戸籍情報システム), read for a 戸籍全部事項証明書; never what a user typed."""

    @abstractmethod
    def register_of(self, resident_id: str) -> FamilyRegister | None:
        """The register the resident is listed in, when this city keeps it (本籍 here); None otherwise."""
