"""A local stand-in for LINE: the Messaging API (the real line-bot-sdk reaches it through LINE_API_BASE) and
LINE Login v2.1 (LINE_LOGIN_AUTHORIZE_URL, LINE_LOGIN_API_BASE).

Messaging API: what Madoguchi calls (push and reply), the channel access token checked as LINE does,
X-Line-Retry-Key honoured, every message recorded (a push with its retry key); `GET /_sent` lists them (tests
read `sent` directly).

LINE Login: the authorisation page (a demo LINE account to choose, allow or cancel), the token endpoint (the code
once, the registered redirect URI, the channel secret, PKCE S256) issuing an ID token signed HS256 with the channel
secret by `https://access.line.me`, as LINE does for web logins, and the verify endpoint. `tamper_id_token` lets a
test make the token endpoint answer a forged, expired or foreign ID token.

A retry key already accepted answers 409, as LINE does. Faults armed through /_local/faults (provider "line")
apply to push and reply: an error status or a malformed body before the message is accepted, a hang after it is.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import jwt
import requests
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

from infra.local.faults import Faults
from infra.local.oidc import STYLE
from infra.local.secrets import LOCAL_SECRETS

ISSUER = "https://access.line.me"
AUTHORIZE_PATH = "/oauth2/v2.1/authorize"
CODE_SECONDS = 600  # LINE: an authorisation code is valid for 10 minutes
ID_TOKEN_SECONDS = 3600


def _line_user(name: str) -> str:
    return "U" + hashlib.sha256(name.encode()).hexdigest()[:32]


# Demo LINE accounts on the stand-in's authorisation page (LINE user ids: "U" + 32 hex).
LINE_USERS: dict[str, str] = {"line-user-1": _line_user("line-user-1"), "line-user-2": _line_user("line-user-2")}

LOGIN_TEXT = {
    "ja": {
        "title": "LINE Login（ローカル）",
        "ask": (
            "窓口サービス（Madoguchi）があなたの LINE アカウントの識別子を受け取ります。"
            "名前やプロフィール画像は渡しません。"
        ),
        "user": "LINE アカウントを選んでください",
        "allow": "許可する",
        "cancel": "キャンセル",
        "local": "ローカルの代役です（クラウドでは LINE の画面が表示されます）。",
        "invalid": "この LINE Login の要求は正しくありません。",
    },
    "en": {
        "title": "LINE Login (local)",
        "ask": "Madoguchi will receive your LINE account's identifier. Your name and profile picture are not shared.",
        "user": "Choose a LINE account",
        "allow": "Allow",
        "cancel": "Cancel",
        "local": "Local stand-in (in the cloud, LINE's own page is shown).",
        "invalid": "This LINE Login request is not valid.",
    },
}


@dataclass
class _Code:
    client_id: str
    redirect_uri: str
    user_id: str
    nonce: str | None
    challenge: str
    expires: float


def _json(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status=status, content_type="application/json")


class LineStandIn:
    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.sent: list[dict[str, Any]] = []
        self._retry_keys: set[str] = set()
        self._lock = threading.Lock()
        self.server: BaseWSGIServer | None = None
        # LINE Login: the channel's registered callback URLs (the local site's /line-link/), codes issued
        self.login_channel = LOCAL_SECRETS["line_login"]
        self.login_callbacks: set[str] = set()
        self._codes: dict[str, _Code] = {}
        # Tests: given the claims the token endpoint would sign, return the ID token to answer instead.
        self.tamper_id_token: Callable[[dict[str, Any]], str] | None = None
        self.faults: Faults | None = None  # armed through the gateway's /_local/faults (provider "line")

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
        if request.path == AUTHORIZE_PATH and request.method in ("GET", "POST"):
            return self._authorize(request)
        if request.path == "/oauth2/v2.1/token" and request.method == "POST":
            return self._token(request)
        if request.path == "/oauth2/v2.1/verify" and request.method == "POST":
            return self._verify(request)
        if request.method != "POST" or request.path not in ("/v2/bot/message/push", "/v2/bot/message/reply"):
            return _json({"message": "Not found"}, 404)
        if request.headers.get("Authorization") != f"Bearer {LOCAL_SECRETS['line']['channel_access_token']}":
            return _json({"message": "Authentication failed. Confirm that the access token is valid."}, 401)
        fault = self.faults.take("line", f"POST {request.path}") if self.faults is not None else None
        if fault is not None and fault.kind == "malformed":
            return Response("<html>bad gateway</html>", status=200, content_type="application/json")
        elif fault is not None:  # refused before LINE accepted it: nothing sent, the retry key stays unused
            return _json({"message": "Too many requests" if fault.status == 429 else "Internal error"}, fault.status)
        parsed = request.get_json(silent=True)
        body: dict[str, Any] = parsed if isinstance(parsed, dict) else {}
        messages = body.get("messages")
        if not isinstance(messages, list) or not 1 <= len(messages) <= 5:
            return _json({"message": "The request body has 1 error(s)", "details": [{"property": "messages"}]}, 400)
        if request.path.endswith("/push"):
            if not isinstance(body.get("to"), str):
                return _json({"message": "The request body has 1 error(s)", "details": [{"property": "to"}]}, 400)
            record = {"kind": "push", "to": body["to"], "messages": messages}
            record["retry_key"] = request.headers.get("X-Line-Retry-Key")
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
        if fault is not None and fault.kind == "hang":
            self.faults.hang(fault)  # accepted and sent, but answered too late
        sent = [{"id": uuid.uuid4().hex[:18], "quoteToken": uuid.uuid4().hex} for _ in messages]
        return _json({"sentMessages": sent})

    # --- LINE Login v2.1 ------------------------------------------------------------------------------------
    @property
    def authorize_url(self) -> str:
        return self.url + AUTHORIZE_PATH

    def _authorize(self, request: Request) -> Response:
        q = request.args
        lang = (
            "en"
            if (q.get("ui_locales") or "").startswith("en")
            else (request.accept_languages.best_match(["ja", "en"]) or "ja")
        )
        t = LOGIN_TEXT[lang]
        valid = (
            q.get("response_type") == "code"
            and q.get("client_id") == self.login_channel["channel_id"]
            and q.get("redirect_uri") in self.login_callbacks
            and bool(q.get("state"))
            and "openid" in (q.get("scope") or "").split()
            and q.get("code_challenge_method") == "S256"
            and bool(q.get("code_challenge"))
        )
        if not valid:  # never redirect to an unregistered address
            return self._login_page(t, lang, request, problem=t["invalid"], status=400)
        redirect_uri, state = str(q["redirect_uri"]), str(q["state"])
        if request.method == "GET":
            return self._login_page(t, lang, request)
        if request.form.get("decision") != "allow" or request.form.get("user") not in LINE_USERS:
            back = {"error": "access_denied", "error_description": "The user has denied the request", "state": state}
            return Response(status=302, headers={"Location": f"{redirect_uri}?{urlencode(back)}"})
        code = secrets.token_urlsafe(20)
        with self._lock:
            self._codes[code] = _Code(
                client_id=str(q["client_id"]),
                redirect_uri=redirect_uri,
                user_id=LINE_USERS[str(request.form["user"])],
                nonce=q.get("nonce"),
                challenge=str(q["code_challenge"]),
                expires=time.time() + CODE_SECONDS,
            )
        return Response(status=302, headers={"Location": f"{redirect_uri}?{urlencode({'code': code, 'state': state})}"})

    def _login_page(
        self, t: dict[str, str], lang: str, request: Request, problem: str | None = None, status: int = 200
    ) -> Response:
        e = html.escape
        if problem:
            body = f'<p class="problem" role="alert">{e(problem)}</p>'
        else:
            choices = "".join(
                f'<div class="choice"><input type="radio" name="user" id="line-{e(name)}" value="{e(name)}" required>'
                f'<label for="line-{e(name)}">{e(name)}</label></div>'
                for name in LINE_USERS
            )
            body = (
                f"<p>{e(t['ask'])}</p>"
                f'<form method="post" action="{e(request.full_path)}"><fieldset><legend>{e(t["user"])}</legend>'
                f'{choices}</fieldset><button type="submit" name="decision" value="allow">{e(t["allow"])}</button>'
                f'<button type="submit" name="decision" value="cancel" formnovalidate>{e(t["cancel"])}</button></form>'
            )
        page = (
            f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">'
            f"<title>{e(t['title'])}</title><style>{STYLE}</style></head><body><main><h1>{e(t['title'])}</h1>"
            f'{body}<p class="note">{e(t["local"])}</p></main></body></html>'
        )
        return Response(page, status=status, content_type="text/html; charset=utf-8")

    @staticmethod
    def _oauth_error(error: str, description: str, status: int = 400) -> Response:
        return _json({"error": error, "error_description": description}, status)

    def _token(self, request: Request) -> Response:
        f = request.form
        if f.get("grant_type") != "authorization_code":
            return self._oauth_error("unsupported_grant_type", "grant_type is not supported")
        if f.get("client_id") != self.login_channel["channel_id"] or not hmac.compare_digest(
            f.get("client_secret") or "", self.login_channel["channel_secret"]
        ):
            return self._oauth_error("invalid_client", "invalid client", 401)
        with self._lock:
            issued = self._codes.pop(f.get("code") or "", None)  # once, whatever happens next
        if issued is None or issued.expires < time.time() or issued.client_id != f.get("client_id"):
            return self._oauth_error("invalid_grant", "invalid authorization code")
        if f.get("redirect_uri") != issued.redirect_uri:
            return self._oauth_error("invalid_grant", "redirect_uri does not match")
        verifier = (f.get("code_verifier") or "").encode()
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=").decode()
        if not verifier or not hmac.compare_digest(challenge, issued.challenge):
            return self._oauth_error("invalid_grant", "code_verifier does not match")
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "sub": issued.user_id,
            "aud": issued.client_id,
            "exp": now + ID_TOKEN_SECONDS,
            "iat": now,
            "amr": ["linesso"],
        }
        if issued.nonce:
            claims["nonce"] = issued.nonce
        id_token = (
            self.tamper_id_token(dict(claims))
            if self.tamper_id_token
            else jwt.encode(claims, self.login_channel["channel_secret"], algorithm="HS256")
        )
        return _json(
            {
                "access_token": secrets.token_urlsafe(32),
                "expires_in": 2592000,
                "id_token": id_token,
                "refresh_token": secrets.token_urlsafe(20),
                "scope": "openid",
                "token_type": "Bearer",
            }
        )

    def _verify(self, request: Request) -> Response:
        """LINE's ID token verification endpoint: the claims of a valid token, else 400 invalid_request."""
        f = request.form
        try:
            claims = jwt.decode(
                f.get("id_token") or "",
                self.login_channel["channel_secret"],
                algorithms=["HS256"],
                audience=f.get("client_id") or "",
                issuer=ISSUER,
            )
        except jwt.InvalidTokenError:
            return self._oauth_error("invalid_request", "Invalid IdToken.")
        if f.get("nonce") and claims.get("nonce") != f.get("nonce"):
            return self._oauth_error("invalid_request", "Invalid IdToken Nonce.")
        return _json(claims)

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
