"""A local stand-in for the LINE Messaging API: the real line-bot-sdk reaches it through LINE_API_BASE.

It implements what Madoguchi calls (push and reply), checks the channel access token as LINE does, honours
X-Line-Retry-Key, and records every message; `GET /_sent` lists them (tests read `sent` directly).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import uuid
from typing import Any

import requests
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

from infra.local.secrets import LOCAL_SECRETS


def _json(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status=status, content_type="application/json")


class LineStandIn:
    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.sent: list[dict[str, Any]] = []
        self._retry_keys: set[str] = set()
        self._lock = threading.Lock()
        self.server: BaseWSGIServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://{self.host}:{self.server.server_port}"

    def start(self) -> LineStandIn:
        self.server = make_server(self.host, 0, self._app, threaded=True)
        threading.Thread(target=self.server.serve_forever, name="line-stand-in", daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def _app(self, environ: dict[str, Any], start_response: Any) -> Any:
        return self._handle(Request(environ))(environ, start_response)

    def _handle(self, request: Request) -> Response:
        if request.method == "GET" and request.path == "/_sent":
            with self._lock:
                return _json(list(self.sent))
        if request.method != "POST" or request.path not in ("/v2/bot/message/push", "/v2/bot/message/reply"):
            return _json({"message": "Not found"}, 404)
        if request.headers.get("Authorization") != f"Bearer {LOCAL_SECRETS['line']['channel_access_token']}":
            return _json({"message": "Authentication failed. Confirm that the access token is valid."}, 401)
        parsed = request.get_json(silent=True)
        body: dict[str, Any] = parsed if isinstance(parsed, dict) else {}
        messages = body.get("messages")
        if not isinstance(messages, list) or not 1 <= len(messages) <= 5:
            return _json({"message": "The request body has 1 error(s)", "details": [{"property": "messages"}]}, 400)
        if request.path.endswith("/push"):
            if not isinstance(body.get("to"), str):
                return _json({"message": "The request body has 1 error(s)", "details": [{"property": "to"}]}, 400)
            record = {"kind": "push", "to": body["to"], "messages": messages}
        else:
            if not isinstance(body.get("replyToken"), str):
                return _json({"message": "Invalid reply token"}, 400)
            record = {"kind": "reply", "replyToken": body["replyToken"], "messages": messages}
        retry_key = request.headers.get("X-Line-Retry-Key")
        with self._lock:
            if retry_key is not None:
                if retry_key in self._retry_keys:
                    return _json({"message": "The retry key is already accepted"}, 409)
                self._retry_keys.add(retry_key)
            self.sent.append(record)
        sent = [{"id": uuid.uuid4().hex[:18], "quoteToken": uuid.uuid4().hex} for _ in messages]
        return _json({"sentMessages": sent})

    # --- The other direction: LINE's platform calling our webhook -------------------------------------------
    @staticmethod
    def webhook_body(text: str, user_id: str = "U0000000000000000000000000000local") -> str:
        """A webhook body as LINE sends it for one text message from a user."""
        event = {
            "type": "message",
            "mode": "active",
            "timestamp": 1795800000000,
            "source": {"type": "user", "userId": user_id},
            "webhookEventId": uuid.uuid4().hex.upper()[:26],
            "deliveryContext": {"isRedelivery": False},
            "replyToken": uuid.uuid4().hex,
            "message": {"id": str(uuid.uuid4().int)[:18], "type": "text", "quoteToken": uuid.uuid4().hex, "text": text},
        }
        return json.dumps({"destination": "Umadoguchi", "events": [event]}, ensure_ascii=False)

    @staticmethod
    def signature(body: str, channel_secret: str | None = None) -> str:
        """X-Line-Signature: base64(HMAC-SHA256(channel secret, body)), exactly as LINE computes it."""
        key = (channel_secret or LOCAL_SECRETS["line"]["channel_secret"]).encode()
        return base64.b64encode(hmac.new(key, body.encode(), hashlib.sha256).digest()).decode()

    def user_says(self, gateway_url: str, text: str, channel_secret: str | None = None) -> requests.Response:
        """Simulate a user sending `text` to the official account: LINE posts the signed event to our webhook."""
        body = self.webhook_body(text)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "X-Line-Signature": self.signature(body, channel_secret),
        }
        return requests.post(f"{gateway_url}/line/webhook", data=body.encode(), headers=headers, timeout=30)
