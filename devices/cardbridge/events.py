"""Reader and card events for the pages, kept in memory with sequence numbers for long polling.

Events carry no personal data: a type, the reader's name, and for PIN events which PIN and the tries left.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Any

EVENT_TYPES = frozenset(
    {"reader_added", "reader_removed", "card_inserted", "card_removed", "wrong_pin", "pin_last_try", "pin_locked"}
)


class EventLog:
    def __init__(self, capacity: int = 200) -> None:
        self._events: deque[dict[str, Any]] = deque(maxlen=capacity)
        self._seq = 0
        self._changed = threading.Condition()

    def emit(self, event_type: str, **fields: Any) -> None:
        if event_type not in EVENT_TYPES:
            raise ValueError(f"unknown event type {event_type}")
        with self._changed:
            self._seq += 1
            self._events.append({"seq": self._seq, "type": event_type, "at": time.time(), **fields})
            self._changed.notify_all()

    @property
    def last_seq(self) -> int:
        with self._changed:
            return self._seq

    def since(self, seq: int, wait_seconds: float = 0.0) -> list[dict[str, Any]]:
        """Events after seq; waits up to wait_seconds for the first one (long polling)."""
        deadline = time.monotonic() + wait_seconds
        with self._changed:
            while True:
                newer = [event for event in self._events if event["seq"] > seq]
                remaining = deadline - time.monotonic()
                if newer or remaining <= 0:
                    return newer
                self._changed.wait(remaining)
