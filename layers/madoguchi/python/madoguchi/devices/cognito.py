"""The device pool on Cognito (boto3 `cognito-idp`, admin API): one user per enrolled device.

The user name is the device id; `custom:device_kind` is set once at creation (immutable in the pool); the pre-token
trigger (functions/token_claims) turns them into the `device_id` and `device_kind` claims. The password is random,
used once for ADMIN_USER_PASSWORD_AUTH on the enrolment client and never stored: from then on the device holds
only its refresh token. Locally the same calls reach the local OpenID Connect provider's device pool through
`AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER` (infra/local/oidc.py).
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from madoguchi.devices.models import Device, DeviceIdentityUnavailable, DeviceNotEnrolled, Tokens
from madoguchi.devices.store import DeviceIdentities

_lock = threading.Lock()


def _password() -> str:
    # The pool's policy asks for upper, lower, digit and symbol; 256 random bits besides.
    return secrets.token_urlsafe(32) + "Aa1!"


def _username(id_token: str) -> str | None:
    """The user an ID token is for; read (not verified) from a token the pool has just handed us over TLS."""
    try:
        payload = id_token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return None
    name = claims.get("cognito:username") if isinstance(claims, dict) else None
    return name if isinstance(name, str) else None


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


class CognitoDeviceIdentities(DeviceIdentities):
    def __init__(self, user_pool_id: str, client_id: str) -> None:
        if not user_pool_id or not client_id:
            raise RuntimeError("DEVICE_USER_POOL_ID and DEVICE_CLIENT_ID must be set (catalogue device_identities)")
        self._pool = user_pool_id
        self._client_id = client_id
        with _lock:
            self._cognito: Any = boto3.client("cognito-idp")

    def create(self, device: Device) -> Tokens:
        password = _password()
        try:
            try:
                self._cognito.admin_create_user(
                    UserPoolId=self._pool,
                    Username=device.id,
                    UserAttributes=[{"Name": "custom:device_kind", "Value": device.kind.value}],
                    TemporaryPassword=_password(),
                    MessageAction="SUPPRESS",
                )
            except ClientError as e:
                if _code(e) != "UsernameExistsException":  # a retry after the pool failed half-way
                    raise
            self._cognito.admin_set_user_password(
                UserPoolId=self._pool, Username=device.id, Password=password, Permanent=True
            )
            answer = self._cognito.admin_initiate_auth(
                UserPoolId=self._pool,
                ClientId=self._client_id,
                AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": device.id, "PASSWORD": password},
            )
        except (ClientError, BotoCoreError) as e:
            raise DeviceIdentityUnavailable() from e
        return _tokens(answer)

    def renew(self, device_id: str, refresh_token: str) -> Tokens:
        try:
            answer = self._cognito.admin_initiate_auth(
                UserPoolId=self._pool,
                ClientId=self._client_id,
                AuthFlow="REFRESH_TOKEN_AUTH",
                AuthParameters={"REFRESH_TOKEN": refresh_token},
            )
        except ClientError as e:
            if _code(e) in ("NotAuthorizedException", "UserNotFoundException", "InvalidParameterException"):
                raise DeviceNotEnrolled() from e
            raise DeviceIdentityUnavailable() from e
        except BotoCoreError as e:
            raise DeviceIdentityUnavailable() from e
        tokens = _tokens(answer)
        if _username(tokens.id_token) != device_id:  # another device's refresh token
            raise DeviceNotEnrolled()
        return tokens

    def disable(self, device_id: str) -> None:
        try:
            for call in (self._cognito.admin_user_global_sign_out, self._cognito.admin_disable_user):
                try:
                    call(UserPoolId=self._pool, Username=device_id)
                except ClientError as e:
                    if _code(e) != "UserNotFoundException":
                        raise
        except (ClientError, BotoCoreError) as e:
            raise DeviceIdentityUnavailable() from e


def _tokens(answer: dict[str, Any]) -> Tokens:
    result = answer.get("AuthenticationResult") or {}
    if not result.get("IdToken"):  # a challenge instead of tokens: the pool is not configured as expected
        raise DeviceIdentityUnavailable()
    return Tokens(
        id_token=result["IdToken"],
        refresh_token=result.get("RefreshToken"),
        expires_in=int(result.get("ExpiresIn", 3600)),
    )
