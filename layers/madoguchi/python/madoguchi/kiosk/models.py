"""Kiosk sessions: one resident at one enrolled kiosk, from the card's challenge to the certificates ordered.

A session keeps the challenge it issued (random, sent to the kiosk anyway) so the card's signature can be checked
against it exactly once, and after authentication only the resident's id and the certificate's fingerprint:
never the card's four items, the PIN or the signature.
"""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from madoguchi.shared.errors import Conflict, DomainError, Forbidden, Unauthorized

CHALLENGE_BYTES = 32
CHALLENGE_SECONDS = 120  # card in, PIN typed, signature back
SESSION_SECONDS = 15 * 60  # choose, pay, print; the kiosk wipes its screen sooner on inactivity

SessionState = Literal["challenged", "verifying", "authenticated", "refused"]
Sex = Literal["male", "female", "not_applicable", "unknown"]


class KioskSession(BaseModel):
    id: str
    kiosk: str = Field(description="The enrolled kiosk's device id (token sub) that opened the session")
    challenge: str = Field(description="base64url of the random challenge the card must sign")
    state: SessionState
    created_at: datetime
    challenge_expires_at: datetime
    expires_at: datetime
    resident_id: str | None = None
    certificate_fingerprint: str | None = Field(default=None, description="SHA-256 of the card's certificate")
    refusal: str | None = None


class SessionStarted(BaseModel):
    session_id: str
    challenge: str = Field(description="base64url; the kiosk hands it to the card bridge's /v1/card/sign")
    challenge_expires_at: datetime


class CardFourItems(BaseModel):
    """The basic four items as the card bridge read them (POST /v1/card/basic-four)."""

    name: str = Field(min_length=1, max_length=100)
    address: str = Field(min_length=1, max_length=300)
    date_of_birth: date
    sex: Sex


class AuthenticateRequest(BaseModel):
    signature: str = Field(min_length=1, max_length=1024, description="base64url, from the card bridge")
    certificate: str = Field(min_length=1, max_length=8192, description="base64url DER, from the card bridge")
    basic_four: CardFourItems


class Authenticated(BaseModel):
    session_id: str
    state: Literal["authenticated"] = "authenticated"
    expires_at: datetime


def b64url_decode(value: str) -> bytes | None:
    try:  # validate: the lenient default silently drops characters outside the alphabet
        return base64.b64decode(value + "=" * (-len(value) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        return None


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


# --- Domain errors (each code has a translated message in madoguchi.shared.i18n) ---------------------------


class ChallengeUsed(Conflict):
    """The session's challenge was already answered (a replay, or a second tap)."""

    code = "kiosk_challenge_used"


class ChallengeExpired(Unauthorized):
    code = "kiosk_challenge_expired"


class CardRefused(Forbidden):
    """The card's certificate or signature did not verify (forged, another CA, revoked, expired …)."""

    code = "kiosk_card_refused"


class ResidentNotMatched(Forbidden):
    """A genuine card whose four items match no resident record of this city."""

    code = "kiosk_resident_not_matched"


class KioskUnavailable(DomainError):
    """The deployment has no usable JPKI CA configured: the kiosk says so before a resident types a PIN."""

    status = 503
    code = "kiosk_unavailable"
