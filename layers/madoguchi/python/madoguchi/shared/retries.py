"""Ids a retried creating POST finds again (issue 13, flaw 7): derived from the caller, the thing created under and
their Idempotency-Key, so the same key from another caller, or under another case or application, is a new id."""

from __future__ import annotations

import hashlib
import uuid


def retry_key(caller: str, action: str, idempotency_key: str | None) -> str | None:
    """Where a caller's Idempotency-Key for one action is recorded (per caller and action, so keys never collide
    or leak), or None without a key."""
    return f"{caller}#{action}#{idempotency_key}" if idempotency_key else None


def retry_id(prefix: str, caller: str, idempotency_key: str | None, *scope: str, length: int = 16) -> str:
    """A fresh id without a key; with one, the same id for every retry of the same caller's request."""
    if idempotency_key is None:
        return f"{prefix}-{uuid.uuid4().hex[:length]}"
    seed = "\n".join([caller, *scope, idempotency_key])
    return f"{prefix}-{hashlib.sha256(seed.encode()).hexdigest()[:length]}"
