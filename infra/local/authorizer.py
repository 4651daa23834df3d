"""The local gateway's token check, made as API Gateway's Cognito user pools authorizer makes it.

The authorizer is configured with user pools; it takes the token's issuer, refuses issuers of other pools,
fetches that pool's signing keys (`{issuer}/.well-known/jwks.json`), and checks the RS256 signature, `exp`, and
that it is an ID token (`token_use: id`) for one of the pool's app clients (`aud`). Locally the pools are the
local OpenID Connect provider's authorities (infra/local/oidc.py), reached over HTTP like Cognito's.
"""

from __future__ import annotations

from typing import Any

import jwt

KEYS_TIMEOUT_SECONDS = 5  # PyJWKClient's default is 30 s: longer than API Gateway waits for anything


class KeysUnavailable(Exception):
    """The pool's signing keys could not be fetched (the provider failed or hung): not the caller's fault."""


class CognitoAuthorizer:
    def __init__(self, clients_by_issuer: dict[str, tuple[str, ...]]) -> None:
        """`clients_by_issuer`: each trusted pool's issuer and the app client ids its tokens may name."""
        self.clients_by_issuer = dict(clients_by_issuer)
        self._keys = {issuer: self._client(issuer) for issuer in clients_by_issuer}

    @staticmethod
    def _client(issuer: str) -> jwt.PyJWKClient:
        return jwt.PyJWKClient(f"{issuer}/.well-known/jwks.json", timeout=KEYS_TIMEOUT_SECONDS)

    def forget_keys(self) -> None:
        """Drop the cached keys, as a cold authorizer has none (tests of a failing key endpoint)."""
        self._keys = {issuer: self._client(issuer) for issuer in self.clients_by_issuer}

    def verify(self, token: str) -> dict[str, Any]:
        """The token's claims; raises jwt.InvalidTokenError for anything the cloud authorizer would refuse and
        KeysUnavailable when the pool's keys cannot be read (a failing, hanging or garbled key endpoint)."""
        issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
        if issuer not in self.clients_by_issuer:
            raise jwt.InvalidIssuerError("not one of the API's user pools")
        try:
            key = self._keys[issuer].get_signing_key_from_jwt(token)
        except (jwt.PyJWKClientConnectionError, jwt.PyJWKSetError, ValueError) as error:  # ValueError: not JSON
            raise KeysUnavailable(type(error).__name__) from error
        except jwt.PyJWKClientError as error:
            if "Unable to find a signing key" in str(error):  # the token names a key the pool does not have
                raise jwt.InvalidTokenError(str(error)) from error
            raise KeysUnavailable(type(error).__name__) from error
        claims: dict[str, Any] = jwt.decode(
            token,
            key.key,
            algorithms=["RS256"],
            audience=list(self.clients_by_issuer[issuer]),
            issuer=issuer,
            options={"require": ["exp", "iat", "sub", "iss", "aud", "token_use"]},
        )
        if claims["token_use"] != "id":
            raise jwt.InvalidTokenError("the API takes ID tokens")
        return claims
