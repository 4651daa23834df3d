"""Values of the catalogue's secrets in the local stack: test-mode keys the local stand-ins accept."""

from __future__ import annotations

LOCAL_SECRETS: dict[str, dict[str, str]] = {
    "stripe": {"api_key": "sk_test_madoguchi_local", "webhook_secret": "whsec_madoguchi_local"},
    "line": {"channel_secret": "madoguchi-local-channel-secret", "channel_access_token": "madoguchi-local-token"},
}
