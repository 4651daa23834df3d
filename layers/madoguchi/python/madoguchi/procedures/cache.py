"""A container-lifetime cache in front of the procedure catalogue, which changes a few times a year.

A warm Lambda container answers lists and look-ups from memory for `ttl` seconds after one Query of the whole
catalogue; edits show within that time.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from madoguchi.procedures.models import Procedure
from madoguchi.procedures.store import ProcedureStore


class CachedProcedureStore(ProcedureStore):
    def __init__(self, inner: ProcedureStore, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._inner = inner
        self._ttl = ttl
        self._clock = clock
        self._cached: dict[str, Procedure] | None = None
        self._fetched_at = 0.0

    def _fresh(self) -> dict[str, Procedure] | None:
        if self._cached is not None and self._clock() - self._fetched_at < self._ttl:
            return self._cached
        return None

    def _all(self) -> dict[str, Procedure]:
        cached = self._fresh()
        if cached is None:
            cached = {p.id: p for p in self._inner.list()}
            self._cached, self._fetched_at = cached, self._clock()
        return cached

    def list(self) -> list[Procedure]:
        return list(self._all().values())

    def get(self, procedure_id: str) -> Procedure | None:
        # One Query fills the cache for every later look-up, where a GetItem would serve only this one.
        return self._all().get(procedure_id)

    def put(self, procedure: Procedure) -> None:
        self._inner.put(procedure)
        self._cached = None
