"""A local RS256 token issuer standing in for Cognito, with the fixed demo users of docs/local-stack.md."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ISSUER = "madoguchi-local"
AUDIENCE = "madoguchi"
TOKEN_SECONDS = 3600


@dataclass(frozen=True)
class DemoUser:
    id: str
    role: str
    label: str
    department: str | None = None
    device_kind: str | None = None


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("resident-1", "resident", "市民 一郎 (resident)"),
    DemoUser("resident-2", "resident", "市民 花子 (resident)"),
    DemoUser("resident-pt", "resident", "Ana Souza (resident, Português)"),
    DemoUser("staff-shimin", "staff", "市民課 職員", department="shimin"),
    DemoUser("staff-hoken", "staff", "保険年金課 職員", department="hoken"),
    DemoUser("staff-zei", "staff", "市民税課 職員", department="zei"),
    DemoUser("staff-shisan", "staff", "資産税課 職員", department="shisan"),
    DemoUser("staff-kodomo", "staff", "こども未来課 職員", department="kodomo"),
    DemoUser("staff-onestop", "staff", "ワンストップ窓口 職員", department="onestop"),
    DemoUser("staff-chiku", "staff", "地区市民センター 職員", department="chiku"),
    DemoUser("staff-shisetsu", "staff", "施設管理課 職員", department="shisetsu"),
    DemoUser("kiosk-1", "device", "キオスク端末 1 (kiosk)", device_kind="kiosk"),
    DemoUser("ticket-1", "device", "発券機 1 (ticket machine)", device_kind="ticket_machine"),
)


class UnknownUser(LookupError):
    pass


@dataclass
class LocalIssuer:
    """Signs tokens with a key made at start; the gateway verifies them as the Cognito authorizer would."""

    _key: rsa.RSAPrivateKey = field(default_factory=lambda: rsa.generate_private_key(65537, 2048))
    kid: str = field(default_factory=lambda: uuid.uuid4().hex)

    @property
    def public_pem(self) -> bytes:
        return self._key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def issue(self, user_id: str, lifetime: int = TOKEN_SECONDS) -> str:
        user = next((u for u in DEMO_USERS if u.id == user_id), None)
        if user is None:
            raise UnknownUser(user_id)
        return self.sign(user, lifetime)

    def sign(self, user: DemoUser, lifetime: int = TOKEN_SECONDS) -> str:
        """A token for any user (the load test's many residents); POST /_local/token serves only DEMO_USERS."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "iat": now,
            "exp": now + lifetime,
            "token_use": "id",
            "sub": user.id,
            "role": user.role,
        }
        if user.department:
            claims["department"] = user.department
        if user.device_kind:
            claims["device_kind"] = user.device_kind
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self.kid})

    def verify(self, token: str) -> dict[str, Any]:
        """The token's claims; raises jwt.InvalidTokenError for anything a Cognito authorizer would refuse."""
        claims: dict[str, Any] = jwt.decode(
            token,
            self.public_pem,
            algorithms=["RS256"],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "iss", "aud"]},
        )
        return claims
