"""LINE Login ID tokens, verified as LINE documents for web logins: a JWT signed HS256 with the channel secret,
issued by https://access.line.me to our channel id, not expired, carrying the nonce we sent."""

from __future__ import annotations

import hmac
import re
from datetime import datetime

from madoguchi.messaging.models import LINE_USER_ID

ISSUER = "https://access.line.me"
ALGORITHMS = ["HS256"]  # never "none", never a public-key algorithm with the secret as its key


class IdTokenInvalid(Exception):
    """The ID token is forged, expired, for another channel or another authorisation; `reason` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def verify_id_token(token: str, *, channel_id: str, channel_secret: str, nonce: str, now: datetime) -> str:
    """The LINE user id (`sub`) of a valid ID token; IdTokenInvalid otherwise."""
    import jwt

    try:
        claims = jwt.decode(
            token,
            channel_secret,
            algorithms=ALGORITHMS,
            audience=channel_id,
            issuer=ISSUER,
            # Expiry is checked against the service's clock below (the same `now` as every rule).
            options={"require": ["iss", "sub", "aud", "exp", "iat", "nonce"], "verify_exp": False},
        )
    except jwt.InvalidSignatureError as e:
        raise IdTokenInvalid("signature") from e
    except jwt.InvalidAudienceError as e:
        raise IdTokenInvalid("audience") from e
    except jwt.InvalidIssuerError as e:
        raise IdTokenInvalid("issuer") from e
    except jwt.InvalidTokenError as e:  # malformed, another algorithm, a claim missing
        raise IdTokenInvalid("malformed") from e
    exp = claims["exp"]
    if not isinstance(exp, int | float) or exp <= now.timestamp():
        raise IdTokenInvalid("expired")
    if not isinstance(claims["nonce"], str) or not hmac.compare_digest(claims["nonce"], nonce):
        raise IdTokenInvalid("nonce")
    sub = claims["sub"]
    if not isinstance(sub, str) or not re.fullmatch(LINE_USER_ID, sub):
        raise IdTokenInvalid("subject")
    return sub
