"""The one clock: services take `now` as an argument, handlers read it here (tests pass their own)."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """The current time, timezone-aware in UTC (stored as UTC ISO 8601, shown in Asia/Tokyo)."""
    return datetime.now(UTC)
