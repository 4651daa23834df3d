"""DynamoDB isolation in the local stack: moto's server handles requests on many threads but its DynamoDB backend
has no lock, so concurrent TransactWriteItems interleave their condition checks and writes (two transactions can
both pass `last = :n`) and its rollback snapshot can fail with "dictionary changed size during iteration".
DynamoDB itself serialises conflicting writes. One lock around the backend's writes restores that behaviour,
in the local stack only (production code does not change). The queue's 200-concurrent-tickets test shows it.
Reads take the lock too: moto's tables are `defaultdict`s, so a GetItem of a missing key inserts an empty entry,
and a transaction's snapshot (a deep copy of each table it touches) running beside it failed with "dictionary
changed size during iteration" (a 500, seen under `make load` once DynamoDB retries were bounded at three).
"""

from __future__ import annotations

import functools
import threading
from typing import Any

_lock = threading.RLock()
WRITES = ("put_item", "update_item", "delete_item", "transact_write_items", "batch_write_item")
READS = ("get_item", "query", "scan")


def install() -> None:
    from moto.dynamodb.models import DynamoDBBackend

    for name in WRITES + READS:
        original = getattr(DynamoDBBackend, name, None)
        if original is None or getattr(original, "_isolated", False):
            continue

        @functools.wraps(original)
        def isolated(self: Any, *args: Any, __original: Any = original, **kwargs: Any) -> Any:
            with _lock:
                return __original(self, *args, **kwargs)

        isolated._isolated = True  # type: ignore[attr-defined]
        setattr(DynamoDBBackend, name, isolated)
