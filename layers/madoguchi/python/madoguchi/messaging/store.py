from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

from madoguchi.messaging.models import LineLink, PendingLink


class LineMessenger(ABC):
    """LINE Messaging API. Only numbers, counters and links go through it: never personal data."""

    @abstractmethod
    def push(self, user_id: str, texts: list[str], retry_key: str | None = None) -> None:
        """Send text messages to a user; `retry_key` (a UUID) makes a retried push deliver once."""

    @abstractmethod
    def reply(self, reply_token: str, texts: list[str]) -> None:
        """Answer a webhook event with its reply token."""


class LineLinkStore(ABC):
    """Residents' linked LINE accounts and the authorisations in progress."""

    @abstractmethod
    def put_pending(self, pending: PendingLink) -> None: ...

    @abstractmethod
    def take_pending(self, state: str) -> PendingLink | None:
        """Remove and return the authorisation under `state`; None if there is none (never started, or already
        taken: of two concurrent takers exactly one gets it)."""

    @abstractmethod
    def put_link(self, link: LineLink) -> None:
        """Link (or re-link) the resident's LINE account."""

    @abstractmethod
    def get_link(self, resident: str) -> LineLink | None: ...

    @abstractmethod
    def delete_link(self, resident: str) -> None: ...


@dataclass(frozen=True)
class LineLoginChannel:
    channel_id: str
    channel_secret: str


class LineLoginUnavailable(Exception):
    """LINE Login did not answer, or answered with a server error."""


class LineLoginRefused(Exception):
    """LINE Login refused the code exchange (a code that is wrong, used, expired, or a verifier that does not match)."""


class LineLogin(ABC):
    """LINE Login (OAuth 2.0 / OpenID Connect v2.1) of the city's LINE Login channel."""

    @abstractmethod
    def channel(self) -> LineLoginChannel: ...

    @abstractmethod
    def authorize_endpoint(self) -> str: ...

    @abstractmethod
    def exchange(self, code: str, redirect_uri: str, code_verifier: str) -> str:
        """Trade an authorisation code for tokens at the token endpoint; returns the ID token (not yet verified).
        Raises LineLoginRefused or LineLoginUnavailable."""
