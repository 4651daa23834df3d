"""In-memory messaging ports for unit tests: a LineMessenger recording what would have been sent, the LINE link
store, and LINE Login's token endpoint."""

from __future__ import annotations

from typing import Any

from madoguchi.messaging.models import LineLink, PendingLink
from madoguchi.messaging.store import (
    LineLinkStore,
    LineLogin,
    LineLoginChannel,
    LineLoginRefused,
    LineLoginUnavailable,
    LineMessenger,
)


class MemoryLineMessenger(LineMessenger):
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self._retry_keys: set[str] = set()

    def push(self, user_id: str, texts: list[str], retry_key: str | None = None) -> None:
        if retry_key is not None:
            if retry_key in self._retry_keys:
                return  # LINE answers 409 and delivers nothing the second time
            self._retry_keys.add(retry_key)
        self.sent.append({"kind": "push", "to": user_id, "texts": list(texts)})

    def reply(self, reply_token: str, texts: list[str]) -> None:
        self.sent.append({"kind": "reply", "replyToken": reply_token, "texts": list(texts)})


class MemoryLineLinkStore(LineLinkStore):
    def __init__(self) -> None:
        self.pending: dict[str, PendingLink] = {}
        self.links: dict[str, LineLink] = {}

    def put_pending(self, pending: PendingLink) -> None:
        if pending.state in self.pending:
            raise RuntimeError("state reused")
        self.pending[pending.state] = pending

    def take_pending(self, state: str) -> PendingLink | None:
        return self.pending.pop(state, None)

    def put_link(self, link: LineLink) -> None:
        self.links[link.resident] = link

    def get_link(self, resident: str) -> LineLink | None:
        return self.links.get(resident)

    def delete_link(self, resident: str) -> None:
        self.links.pop(resident, None)


class FakeLineLogin(LineLogin):
    """LINE Login's token endpoint in memory: answers `id_token` (set by the test) for the one code it issued."""

    def __init__(self, channel_id: str = "1650000001", channel_secret: str = "x" * 32) -> None:
        self._channel = LineLoginChannel(channel_id, channel_secret)
        self.id_token = ""
        self.codes: dict[str, str] = {}  # code -> the verifier it was issued for
        self.unavailable = False

    def channel(self) -> LineLoginChannel:
        return self._channel

    def authorize_endpoint(self) -> str:
        return "https://access.line.me/oauth2/v2.1/authorize"

    def exchange(self, code: str, redirect_uri: str, code_verifier: str) -> str:
        if self.unavailable:
            raise LineLoginUnavailable()
        if self.codes.pop(code, None) != code_verifier:
            raise LineLoginRefused()
        return self.id_token
