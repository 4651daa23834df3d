"""The kiosk's rules: who may open a session, and how a card becomes an authenticated resident.

Order matters for "nothing half-written": the challenge is claimed (a conditional write) before anything is
verified, so a replay or a second tap fails without side effects; the card is then verified and matched, and
the session ends authenticated or refused — either way its challenge is spent.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from madoguchi.kiosk.jpki import JpkiRejected, verify_card_response
from madoguchi.kiosk.matching import FourItems, lookup_key, matches
from madoguchi.kiosk.models import (
    CHALLENGE_BYTES,
    CHALLENGE_SECONDS,
    SESSION_SECONDS,
    Authenticated,
    AuthenticateRequest,
    CardRefused,
    KioskSession,
    ResidentNotMatched,
    SessionStarted,
    b64url_decode,
    b64url_encode,
)
from madoguchi.kiosk.store import KioskSessionStore, ResidentDirectory, TrustSource
from madoguchi.shared.auth import Caller, DeviceKind, Role, require
from madoguchi.shared.errors import InvalidInput, NotFound


@dataclass(frozen=True)
class KioskDeps:
    sessions: KioskSessionStore
    residents: ResidentDirectory
    trust: TrustSource


# Session ids are token_urlsafe(16); anything else names no session (and never reaches the table's key limits).
_SESSION_ID = re.compile(r"[A-Za-z0-9_-]{16,64}")


def start_session(caller: Caller | None, deps: KioskDeps, now: datetime) -> SessionStarted:
    kiosk = require(caller, Role.DEVICE, device_kind=DeviceKind.KIOSK)
    deps.trust.current()  # no JPKI trust configured: say so now, before the resident types a PIN
    session = KioskSession(
        id=secrets.token_urlsafe(16),
        kiosk=kiosk.sub,
        challenge=b64url_encode(secrets.token_bytes(CHALLENGE_BYTES)),
        state="challenged",
        created_at=now,
        challenge_expires_at=now + timedelta(seconds=CHALLENGE_SECONDS),
        expires_at=now + timedelta(seconds=SESSION_SECONDS),
    )
    deps.sessions.put(session)
    return SessionStarted(
        session_id=session.id, challenge=session.challenge, challenge_expires_at=session.challenge_expires_at
    )


def authenticate(
    session_id: str, request: AuthenticateRequest, caller: Caller | None, deps: KioskDeps, now: datetime
) -> Authenticated:
    kiosk = require(caller, Role.DEVICE, device_kind=DeviceKind.KIOSK)
    signature = b64url_decode(request.signature)
    certificate = b64url_decode(request.certificate)
    if signature is None or certificate is None:
        bad: list[tuple[list[str | int], str]] = [
            (["body", field], "not_base64url")
            for field, value in (("signature", signature), ("certificate", certificate))
            if value is None
        ]
        raise InvalidInput(bad)
    session = deps.sessions.get(session_id) if _SESSION_ID.fullmatch(session_id) else None
    if session is None or session.kiosk != kiosk.sub:
        raise NotFound()  # another kiosk's session does not exist for this one
    trust = deps.trust.current()
    claimed = deps.sessions.claim_challenge(session_id, kiosk.sub, now)
    challenge = b64url_decode(claimed.challenge) or b""
    try:
        verified = verify_card_response(
            challenge=challenge, signature=signature, certificate_der=certificate, trust=trust, now=now
        )
    except JpkiRejected as rejection:
        deps.sessions.finish(session_id, {"state": "refused", "refusal": rejection.code})
        raise CardRefused(reason=rejection.code) from rejection
    four = request.basic_four
    card = FourItems(four.name, four.address, four.date_of_birth.isoformat(), four.sex)
    found = [rid for rid, record in deps.residents.candidates(lookup_key(card)) if matches(card, record)]
    if len(found) != 1:
        deps.sessions.finish(
            session_id,
            {"state": "refused", "refusal": "not_matched", "certificate_fingerprint": verified.fingerprint_sha256},
        )
        raise ResidentNotMatched()
    done = deps.sessions.finish(
        session_id,
        {"state": "authenticated", "resident_id": found[0], "certificate_fingerprint": verified.fingerprint_sha256},
    )
    return Authenticated(session_id=done.id, expires_at=done.expires_at)
