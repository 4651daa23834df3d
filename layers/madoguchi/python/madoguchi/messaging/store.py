from __future__ import annotations

from abc import ABC, abstractmethod


class LineMessenger(ABC):
    """LINE Messaging API. Only numbers, counters and links go through it: never personal data."""

    @abstractmethod
    def push(self, user_id: str, texts: list[str], retry_key: str | None = None) -> None:
        """Send text messages to a user; `retry_key` (a UUID) makes a retried push deliver once."""

    @abstractmethod
    def reply(self, reply_token: str, texts: list[str]) -> None:
        """Answer a webhook event with its reply token."""
