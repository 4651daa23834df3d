"""LineMessenger on the official line-bot-sdk (v3 Messaging API client)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from madoguchi.messaging.store import LineMessenger
from madoguchi.shared.secrets import secret
from madoguchi.shared.settings import settings

if TYPE_CHECKING:
    from linebot.v3.messaging import MessagingApi

MAX_MESSAGES = 5  # the Messaging API accepts at most five message objects per call


class LineMessagingApi(LineMessenger):
    def __init__(self) -> None:
        self._api: MessagingApi | None = None

    def _client(self) -> MessagingApi:
        if self._api is None:
            from linebot.v3.messaging import ApiClient, Configuration, MessagingApi

            token = secret("line")["channel_access_token"]
            base = settings().line_api_base
            config = Configuration(host=base, access_token=token) if base else Configuration(access_token=token)
            self._api = MessagingApi(ApiClient(config))
        return self._api

    def push(self, user_id: str, texts: list[str], retry_key: str | None = None) -> None:
        from linebot.v3.messaging import PushMessageRequest, TextMessage

        request = PushMessageRequest(to=user_id, messages=[TextMessage(text=t) for t in texts[:MAX_MESSAGES]])
        self._client().push_message(request, x_line_retry_key=retry_key)

    def reply(self, reply_token: str, texts: list[str]) -> None:
        from linebot.v3.messaging import ReplyMessageRequest, TextMessage

        request = ReplyMessageRequest(
            reply_token=reply_token, messages=[TextMessage(text=t) for t in texts[:MAX_MESSAGES]]
        )
        self._client().reply_message(request)
