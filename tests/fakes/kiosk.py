"""In-memory kiosk sessions and resident directory, same rules as the DynamoDB adapter."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from madoguchi.kiosk.jpki import JpkiTrust
from madoguchi.kiosk.matching import FourItems, lookup_key
from madoguchi.kiosk.models import ChallengeExpired, ChallengeUsed, KioskSession
from madoguchi.kiosk.store import KioskSessionStore, ResidentDirectory, TrustSource
from madoguchi.shared.errors import Conflict, NotFound


class MemoryKioskSessions(KioskSessionStore):
    def __init__(self) -> None:
        self.sessions: dict[str, KioskSession] = {}
        self._lock = threading.Lock()

    def put(self, session: KioskSession) -> None:
        with self._lock:
            if session.id in self.sessions:
                raise Conflict()
            self.sessions[session.id] = session

    def get(self, session_id: str) -> KioskSession | None:
        return self.sessions.get(session_id)

    def claim_challenge(self, session_id: str, kiosk: str, now: datetime) -> KioskSession:
        with self._lock:
            session = self.sessions.get(session_id)
            if session is None or session.kiosk != kiosk:
                raise NotFound()
            if session.state != "challenged":
                raise ChallengeUsed()
            if now >= session.challenge_expires_at:
                raise ChallengeExpired()
            claimed = session.model_copy(update={"state": "verifying"})
            self.sessions[session_id] = claimed
            return claimed

    def finish(self, session_id: str, changes: Mapping[str, Any]) -> KioskSession:
        with self._lock:
            session = self.sessions[session_id]
            if session.state != "verifying":
                raise Conflict()
            finished = session.model_copy(update=dict(changes))
            self.sessions[session_id] = finished
            return finished


class MemoryResidentDirectory(ResidentDirectory):
    def __init__(self, records: Mapping[str, FourItems]) -> None:
        self._by_key: dict[str, list[tuple[str, FourItems]]] = {}
        for resident_id, items in records.items():
            self._by_key.setdefault(lookup_key(items), []).append((resident_id, items))

    def candidates(self, lookup_key: str) -> list[tuple[str, FourItems]]:
        return list(self._by_key.get(lookup_key, []))


class StaticTrust(TrustSource):
    """A fixed JPKI trust (the deployment reads it from the `jpki` bucket: madoguchi.kiosk.s3)."""

    def __init__(self, trust: JpkiTrust) -> None:
        self.trust = trust

    def current(self) -> JpkiTrust:
        return self.trust
