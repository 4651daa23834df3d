"""Values of the catalogue's secrets in the local stack: test-mode keys the local stand-ins accept."""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def _vapid_pair() -> dict[str, str]:
    """A fresh P-256 VAPID key pair per local run (base64url: raw private scalar, uncompressed public point)."""
    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_numbers().private_value.to_bytes(32, "big")
    public = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return {
        "vapid_private_key": _b64(private),
        "vapid_public_key": _b64(public),
        "subject": "mailto:madoguchi@localhost",
    }


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


LOCAL_SECRETS: dict[str, dict[str, str]] = {
    "stripe": {"api_key": "sk_test_madoguchi_local", "webhook_secret": "whsec_madoguchi_local"},
    "line": {"channel_secret": "madoguchi-local-channel-secret", "channel_access_token": "madoguchi-local-token"},
    "line_login": {"channel_id": "1650000001", "channel_secret": "madoguchi-local-login-channel-secret"},
    "webpush": _vapid_pair(),
}
