"""LINE Login linking (OpenID Connect v2.1, authorization code + PKCE) of a signed-in resident's LINE account.

1. `start_link`: the resident asks to link; we keep {state → resident, nonce, PKCE verifier} for ten minutes and
   send the browser to LINE Login's authorisation page.
2. LINE returns the browser to the site's `/line-link/` page with `code` and `state`; the page, still signed in
   as the resident, hands both to `finish_link`.
3. `finish_link` takes the state once (a replay finds nothing), checks it was this resident's, exchanges the code
   on the back end with the verifier and the channel secret, verifies the ID token (signature, issuer, audience,
   expiry, nonce) and only then stores resident ↔ LINE user id.
Nothing is linked on any failure. The LINE user id is never returned to the page and never logged.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from aws_lambda_powertools import Logger

from madoguchi.messaging.id_token import IdTokenInvalid, verify_id_token
from madoguchi.messaging.models import LineLink, LineLinkStatus, LinkCallback, LinkStarted, PendingLink
from madoguchi.messaging.store import LineLinkStore, LineLogin, LineLoginRefused, LineLoginUnavailable
from madoguchi.shared.auth import Caller, Role, require
from madoguchi.shared.errors import DomainError
from madoguchi.shared.public_origin import site_link

logger = Logger(child=True)

# The site's page LINE Login returns to: the redirect URI registered on the channel (docs/operations.md).
LINK_PAGE = "/line-link/"
PENDING_MINUTES = 10


class LineLinkStateInvalid(DomainError):
    """The callback's state names no authorisation this resident has in progress (unknown, used, expired)."""

    status = 400
    code = "line_link_state"


class LineLinkRefused(DomainError):
    """LINE did not confirm the account: the code exchange failed or the ID token did not verify."""

    status = 400
    code = "line_link_refused"


class LineUnavailable(DomainError):
    status = 503
    code = "line_unavailable"


@dataclass(frozen=True)
class LinkDeps:
    store: LineLinkStore
    login: LineLogin


def _random() -> str:
    return secrets.token_urlsafe(32)


def _challenge(verifier: str) -> str:
    """PKCE S256: base64url(SHA-256(verifier)) without padding (RFC 7636)."""
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def redirect_uri() -> str:
    return site_link(LINK_PAGE)


def status(caller: Caller | None, deps: LinkDeps) -> LineLinkStatus:
    resident = require(caller, Role.RESIDENT)
    link = deps.store.get_link(resident.sub)
    return LineLinkStatus(linked=link is not None, linked_at=link.linked_at if link else None)


def start_link(caller: Caller | None, deps: LinkDeps, now: datetime) -> LinkStarted:
    resident = require(caller, Role.RESIDENT)
    pending = PendingLink(
        state=_random(),
        resident=resident.sub,
        nonce=_random(),
        code_verifier=_random(),
        expires_at=now + timedelta(minutes=PENDING_MINUTES),
    )
    deps.store.put_pending(pending)
    query = {
        "response_type": "code",
        "client_id": deps.login.channel().channel_id,
        "redirect_uri": redirect_uri(),
        "state": pending.state,
        "scope": "openid",  # the user id only: no profile, no e-mail
        "nonce": pending.nonce,
        "code_challenge": _challenge(pending.code_verifier),
        "code_challenge_method": "S256",
        "bot_prompt": "aggressive",  # offer to add the city's official account as a friend (pushes need it)
    }
    return LinkStarted(authorize_url=f"{deps.login.authorize_endpoint()}?{urlencode(query)}")


def finish_link(request: LinkCallback, caller: Caller | None, deps: LinkDeps, now: datetime) -> LineLinkStatus:
    resident = require(caller, Role.RESIDENT)
    pending = deps.store.take_pending(request.state)  # once: a replayed callback finds nothing
    if pending is None or pending.resident != resident.sub or pending.expires_at <= now:
        raise LineLinkStateInvalid()
    try:
        id_token = deps.login.exchange(request.code, redirect_uri(), pending.code_verifier)
    except LineLoginRefused as e:
        raise LineLinkRefused() from e
    except LineLoginUnavailable as e:
        raise LineUnavailable() from e
    channel = deps.login.channel()
    try:
        line_user_id = verify_id_token(
            id_token, channel_id=channel.channel_id, channel_secret=channel.channel_secret, nonce=pending.nonce, now=now
        )
    except IdTokenInvalid as e:
        logger.warning("LINE ID token refused", extra={"reason": e.reason})
        raise LineLinkRefused() from e
    deps.store.put_link(LineLink(resident=resident.sub, line_user_id=line_user_id, linked_at=now))
    return LineLinkStatus(linked=True, linked_at=now)


def unlink(caller: Caller | None, deps: LinkDeps) -> LineLinkStatus:
    """Forget the resident's LINE account (idempotent: unlinking twice is not an error)."""
    resident = require(caller, Role.RESIDENT)
    deps.store.delete_link(resident.sub)
    return LineLinkStatus(linked=False)


def linked_line_user(resident_sub: str, store: LineLinkStore) -> str | None:
    """The LINE user id linked by this resident, for contexts that send them notices."""
    link = store.get_link(resident_sub)
    return link.line_user_id if link else None
