"""DynamoDB isolation in the local stack: moto's server handles requests on many threads but its DynamoDB backend
has no lock, so concurrent TransactWriteItems interleave their condition checks and writes (two transactions can
both pass `last = :n`) and its rollback snapshot can fail with "dictionary changed size during iteration".
DynamoDB itself serialises conflicting writes. One lock around the backend's writes restores that behaviour,
in the local stack only (production code does not change). The queue's 200-concurrent-tickets test shows it.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

_lock = threading.RLock()
WRITES = ("put_item", "update_item", "delete_item", "transact_write_items", "batch_write_item")


def install() -> None:
    from moto.dynamodb.models import DynamoDBBackend

    for name in WRITES:
        original = getattr(DynamoDBBackend, name, None)
        if original is None or getattr(original, "_isolated", False):
            continue

        @functools.wraps(original)
        def isolated(self: Any, *args: Any, __original: Any = original, **kwargs: Any) -> Any:
            with _lock:
                return __original(self, *args, **kwargs)

        isolated._isolated = True  # type: ignore[attr-defined]
        setattr(DynamoDBBackend, name, isolated)
