from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any


class WorkflowUnavailable(Exception):
    """Step Functions did not take the call (throttled, 5xx, network) after the SDK's own retries: nothing was
    decided; the outbox worker tries the effect again after a backoff (cases.effects)."""


class Workflows(ABC):
    @abstractmethod
    def start(self, workflow: str, name: str, payload: dict[str, Any]) -> str:
        """Start an execution named `name` (idempotent per name); returns its id. Raises Conflict if an
        execution of that name exists, WorkflowUnavailable if the service did not take the call."""

    @abstractmethod
    def succeed(self, token: str, output: dict[str, Any]) -> None:
        """Resume a waiting step; raises Conflict if it no longer waits (timed out, already answered),
        WorkflowUnavailable if the service did not take the call (the step still waits)."""

    @abstractmethod
    def fail(self, token: str, error: str, cause: str) -> None:
        """Fail a waiting step with `error` (the state machine catches it); Conflict as for succeed."""
