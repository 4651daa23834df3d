"""LineMessenger on the official line-bot-sdk (v3 Messaging API client)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tenacity import retry, retry_if_exception, stop_after_attempt, wait_random_exponential

from madoguchi.messaging.store import LineMessenger
from madoguchi.shared.secrets import secret
from madoguchi.shared.settings import settings

if TYPE_CHECKING:
    from linebot.v3.messaging import MessagingApi

MAX_MESSAGES = 5  # the Messaging API accepts at most five message objects per call
# (connect, read) seconds per attempt; the SDK's default is none at all. Three pushes at most, with jittered
# back-off, stay under 7 s (docs/decisions.md, timeouts table); call notices are pushed by the outbox worker,
# which tries a failed one again later (decision 79).
REQUEST_TIMEOUT = (1.0, 2.0)
PUSH_ATTEMPTS = 3


def _transient(error: BaseException) -> bool:
    """Worth another try with the same retry key: LINE's 5xx and 429, a time-out or an unreadable answer.
    Other 4xx (a bad token, a blocked user) would fail the same way again."""
    status = getattr(error, "status", None)
    return status is None or status == 429 or int(status) >= 500


def _already_accepted(error: BaseException) -> bool:
    """409 to a retry key means LINE accepted that push before (its answer was lost): it was delivered."""
    return getattr(error, "status", None) == 409


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
        """Bounded retries only with a retry key: LINE then delivers a push once however often it is sent."""
        from linebot.v3.messaging import PushMessageRequest, TextMessage

        request = PushMessageRequest(to=user_id, messages=[TextMessage(text=t) for t in texts[:MAX_MESSAGES]])

        def send() -> None:
            try:
                self._client().push_message(request, x_line_retry_key=retry_key, _request_timeout=REQUEST_TIMEOUT)
            except Exception as e:
                if retry_key is not None and _already_accepted(e):
                    return
                raise

        if retry_key is None:
            send()
            return
        retry(
            retry=retry_if_exception(_transient),
            stop=stop_after_attempt(PUSH_ATTEMPTS),
            wait=wait_random_exponential(multiplier=0.2, max=1),
            reraise=True,
        )(send)()

    def reply(self, reply_token: str, texts: list[str]) -> None:
        from linebot.v3.messaging import ReplyMessageRequest, TextMessage

        request = ReplyMessageRequest(
            reply_token=reply_token, messages=[TextMessage(text=t) for t in texts[:MAX_MESSAGES]]
        )
        self._client().reply_message(request, _request_timeout=REQUEST_TIMEOUT)  # a reply token works once: no retry
