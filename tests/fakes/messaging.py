"""In-memory LineMessenger for unit tests: records what would have been sent."""

from __future__ import annotations

from typing import Any

from madoguchi.messaging.store import LineMessenger


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
