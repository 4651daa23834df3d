from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any


class Workflows(ABC):
    @abstractmethod
    def start(self, workflow: str, name: str, payload: dict[str, Any]) -> str:
        """Start an execution named `name` (idempotent per name); returns its id."""

    @abstractmethod
    def succeed(self, token: str, output: dict[str, Any]) -> None:
        """Resume a waiting step; raises Conflict if it no longer waits (timed out, already answered)."""

    @abstractmethod
    def fail(self, token: str, error: str, cause: str) -> None:
        """Fail a waiting step with `error` (the state machine catches it); Conflict as for succeed."""
