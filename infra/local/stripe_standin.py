"""A local stand-in for the small part of Stripe's API that Madoguchi calls, reached by the official `stripe`
SDK through `base_addresses` (settings.stripe_api_base). Never deployed.

API (form-encoded requests as the SDK sends them, Stripe's JSON shapes, `Authorization: Bearer <secret key>`
checked, `Idempotency-Key` honoured): create / retrieve / expire Checkout Sessions, create refunds, retrieve
payment intents. The hosted checkout page is a small accessible form at /pay/<session id> that takes Stripe's
test cards: 4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is declined (card_declined), 4000 0000 0000 9995
has insufficient funds. A successful payment posts `checkout.session.completed` to the webhook URL, signed the
way Stripe signs (`Stripe-Signature: t=<unix>,v1=<HMAC-SHA256(secret, "<t>.<payload>")>`).

Stripe Terminal, server-driven: create / retrieve / cancel / search (by one metadata clause) card-present
PaymentIntents, list / retrieve / create
(registration code `simulated-wpe`) readers, `process_payment_intent` and `cancel_action` on a reader, and the test
helper `present_payment_method` that taps a card on a simulated reader (the same test card numbers: 4242… is
approved, 4000 0000 0000 0002 declined). The local stack registers one simulated reader per demo kiosk, its
metadata `kiosk` naming the device, as a city registers its readers in the Stripe Dashboard. Terminal events are
recorded (GET /_control/events) but not posted: the kiosk confirms by polling the payment.

For tests: POST /_control/pay/<session id> {"card": "..."} pays without a browser; POST /_control/drop
{"count": n} drops the next n webhook deliveries (to prove reconciliation); GET /_control/events lists the
events made, delivered or not; POST /_control/redeliver/<event id> sends one again. Faults armed through the
gateway's /_local/faults (infra/local/faults.py) apply to /v1/ calls: a 429 or a malformed body is answered
before the endpoint runs (nothing saved), a 5xx as if the endpoint had failed (saved under the idempotency key
and replayed, as Stripe's v1 API does), a hang holds the call and then carries it out.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import requests
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

from infra.local.faults import Fault, Faults

TEST_CARDS = {
    "4242424242424242": None,
    "4000000000000002": ("card_declined", "generic_decline", "Your card was declined."),
    "4000000000009995": ("card_declined", "insufficient_funds", "Your card has insufficient funds."),
}
PAGE_TEXT = {
    "ja": {
        "title": "お支払い",
        "card": "カード番号",
        "expiry": "有効期限（MM / YY）",
        "cvc": "セキュリティコード",
        "name": "カード名義",
        "pay": "支払う",
        "back": "戻る",
        "test": "テスト環境です。テスト用カード番号をお使いください。",
        "card_declined": "カードが拒否されました。別のカードをお使いください。",
        "insufficient_funds": "カードの残高が不足しています。",
        "invalid": "カード番号を確認してください。",
        "expired": "この支払いページは期限切れです。",
    },
    "en": {
        "title": "Payment",
        "card": "Card number",
        "expiry": "Expiry (MM / YY)",
        "cvc": "Security code (CVC)",
        "name": "Name on card",
        "pay": "Pay",
        "back": "Go back",
        "test": "Test mode: use a test card number.",
        "card_declined": "Your card was declined. Please use another card.",
        "insufficient_funds": "Your card has insufficient funds.",
        "invalid": "Please check the card number.",
        "expired": "This payment page has expired.",
    },
}


STYLE = (
    "body{font-family:sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem;color:#1a1a1c}"
    "label{display:block;margin-top:1rem;font-weight:bold}"
    "input{font-size:1rem;padding:.5rem;width:100%;box-sizing:border-box;border:1px solid #767676;border-radius:4px}"
    "button{margin-top:1.5rem;font-size:1rem;padding:.75rem 1.5rem;background:#0031d8;color:#fff;border:0;"
    "border-radius:6px}.problem{color:#b00000;font-weight:bold}.amount{font-size:1.5rem}"
)


def _nest(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Stripe's form encoding (a[b][0][c]=v) back into nested dicts and lists."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        parts = key.replace("]", "").split("[")
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    result: dict[str, Any] = _lists(root)
    return result


def _lists(node: Any) -> Any:
    if isinstance(node, dict):
        if node and all(k.isdigit() for k in node):
            return [_lists(node[k]) for k in sorted(node, key=int)]
        return {k: _lists(v) for k, v in node.items()}
    return node


def _id(prefix: str) -> str:
    return f"{prefix}_test_{secrets.token_hex(12)}"


def sign(payload: str, secret: str, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else timestamp
    signature = hmac.new(secret.encode(), f"{t}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={t},v1={signature}"


@dataclass
class StripeStandIn:
    api_key: str
    webhook_secret: str
    webhook_url: str = ""
    host: str = "127.0.0.1"
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    intents: dict[str, dict[str, Any]] = field(default_factory=dict)
    refunds: dict[str, dict[str, Any]] = field(default_factory=dict)
    readers: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    delivered: list[str] = field(default_factory=list)
    drop_next: int = 0
    _idempotent: dict[tuple[str, str], tuple[int, str]] = field(default_factory=dict)
    _in_flight: set[tuple[str, str]] = field(default_factory=set)
    _lock: threading.RLock = field(default_factory=threading.RLock)
    server: BaseWSGIServer | None = None
    faults: Faults | None = None  # armed through the gateway's /_local/faults

    # --- lifecycle --------------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://{self.host}:{self.server.server_port}"

    def start(self) -> StripeStandIn:
        self.server = make_server(self.host, 0, self, threaded=True)
        threading.Thread(target=self.server.serve_forever, name="stripe-standin", daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        return self.handle(Request(environ))(environ, start_response)

    # --- routing ----------------------------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        path, method = request.path.rstrip("/"), request.method
        if path.startswith("/pay/"):
            return self._page(request, path.removeprefix("/pay/"))
        if path.startswith("/_control/"):
            return self._control(request, path.removeprefix("/_control/"))
        if not path.startswith("/v1/"):
            return self._error(404, "invalid_request_error", "Unrecognized request URL.")
        if request.headers.get("Authorization", "") != f"Bearer {self.api_key}":
            return self._error(401, "invalid_request_error", "Invalid API Key provided.")
        params = _nest(parse_qsl(request.get_data(as_text=True), keep_blank_values=True))
        if method == "GET" and request.args:
            params = {**params, **dict(request.args)}
        key = request.headers.get("Idempotency-Key")
        fault = self.faults.take("stripe", f"{method} {path}") if self.faults is not None else None
        refused_before_running = fault is not None and (
            fault.kind == "malformed"
            or (fault.kind == "status" and (fault.status < 500 or not (method == "POST" and key)))
        )
        if refused_before_running:  # a rate limit, a proxy's answer: nothing done, nothing saved
            return self._fault(fault)  # type: ignore[arg-type]
        if method == "POST" and key:
            with self._lock:
                cached = self._idempotent.get((path, key))
                if cached is None and (path, key) in self._in_flight:
                    # As Stripe answers a concurrent request with a key still being executed (not saved).
                    return self._error(
                        409, "idempotency_error", "Another request with this idempotency key is in progress."
                    )
                if cached is None:
                    self._in_flight.add((path, key))
            if cached is None:
                try:
                    if fault is not None and fault.kind == "hang":
                        self.faults.hang(fault)  # type: ignore[union-attr]  # then carried out, answered late
                        fault = None
                    with self._lock:
                        # A 5xx once the endpoint ran is saved and replayed for the key, as Stripe's v1 API does.
                        response = self._fault(fault) if fault is not None else self._api(method, path, params)
                        self._idempotent[(path, key)] = (response.status_code, response.get_data(as_text=True))
                    return response
                finally:
                    with self._lock:
                        self._in_flight.discard((path, key))
            response = Response(cached[1], status=cached[0], content_type="application/json")
            response.headers["Idempotent-Replayed"] = "true"
            return response
        if fault is not None and fault.kind == "hang":
            self.faults.hang(fault)  # type: ignore[union-attr]
        with self._lock:
            return self._api(method, path, params)

    def _api(self, method: str, path: str, params: dict[str, Any]) -> Response:
        parts = path.split("/")[2:]
        if parts[:2] == ["checkout", "sessions"]:
            if method == "POST" and len(parts) == 2:
                return self._json(self._create_session(params))
            session = self.sessions.get(parts[2]) if len(parts) > 2 else None
            if session is None:
                return self._error(404, "invalid_request_error", "No such checkout.session", code="resource_missing")
            if method == "GET" and len(parts) == 3:
                return self._json(session)
            if method == "POST" and parts[3:] == ["expire"]:
                if session["status"] != "open":
                    return self._error(400, "invalid_request_error", "Only open sessions can be expired.")
                session["status"] = "expired"
                self._emit("checkout.session.expired", session)
                return self._json(session)
        if parts[:1] == ["terminal"] or parts[:2] == ["test_helpers", "terminal"]:
            return self._terminal(method, parts, params)
        if parts == ["payment_intents"] and method == "POST":
            return self._create_intent(params)
        if parts[:1] == ["payment_intents"] and parts[2:] == ["cancel"] and method == "POST":
            return self._cancel_intent(parts[1])
        if parts == ["refunds"] and method == "POST":
            return self._refund(params)
        if parts == ["refunds"] and method == "GET":
            intent_id = str(params.get("payment_intent", ""))
            found = [r for r in self.refunds.values() if not intent_id or r["payment_intent"] == intent_id]
            found.sort(key=lambda r: r["created"], reverse=True)
            return self._json({"object": "list", "url": "/v1/refunds", "has_more": False, "data": found})
        if parts == ["payment_intents", "search"] and method == "GET":
            return self._search_intents(str(params.get("query", "")))
        if parts[:1] == ["payment_intents"] and method == "GET" and len(parts) == 2:
            intent = self.intents.get(parts[1])
            if intent is None:
                return self._error(404, "invalid_request_error", "No such payment_intent", code="resource_missing")
            return self._json(intent)
        return self._error(404, "invalid_request_error", "Unrecognized request URL.")

    # --- API objects ------------------------------------------------------------------------------------
    def _create_session(self, params: dict[str, Any]) -> dict[str, Any]:
        items = params.get("line_items") or []
        amount = sum(int(i["price_data"]["unit_amount"]) * int(i.get("quantity", 1)) for i in items)
        currency = items[0]["price_data"]["currency"] if items else "jpy"
        session_id = _id("cs")
        now = int(time.time())
        session = {
            "id": session_id,
            "object": "checkout.session",
            "amount_subtotal": amount,
            "amount_total": amount,
            "cancel_url": params.get("cancel_url"),
            "client_reference_id": params.get("client_reference_id"),
            "created": now,
            "currency": currency,
            "expires_at": int(params.get("expires_at") or now + 24 * 3600),
            "livemode": False,
            "locale": params.get("locale"),
            "metadata": params.get("metadata") or {},
            "mode": params.get("mode", "payment"),
            "payment_intent": None,
            "payment_method_types": params.get("payment_method_types") or ["card"],
            "payment_status": "unpaid",
            "status": "open",
            "success_url": params.get("success_url"),
            "url": f"{self.url}/pay/{session_id}",
            "_description": (items[0]["price_data"].get("product_data") or {}).get("name", "") if items else "",
            "_intent_metadata": (params.get("payment_intent_data") or {}).get("metadata") or {},
        }
        self.sessions[session_id] = session
        return session

    def _refund(self, params: dict[str, Any]) -> Response:
        intent = self.intents.get(str(params.get("payment_intent")))
        if intent is None:
            return self._error(400, "invalid_request_error", "No such payment_intent", code="resource_missing")
        refunded = sum(r["amount"] for r in self.refunds.values() if r["payment_intent"] == intent["id"])
        amount = int(params.get("amount") or intent["amount"] - refunded)
        if amount <= 0 or refunded + amount > intent["amount"]:
            return self._error(
                400, "invalid_request_error", "Refund amount is greater than unrefunded amount", code="amount_too_large"
            )
        refund = {
            "id": _id("re"),
            "object": "refund",
            "amount": amount,
            "currency": intent["currency"],
            "payment_intent": intent["id"],
            "metadata": params.get("metadata") or {},
            "status": "succeeded",
            "created": int(time.time()),
        }
        self.refunds[refund["id"]] = refund
        return self._json(refund)

    # --- Terminal (server-driven) ------------------------------------------------------------------------
    def register_reader(self, kiosk: str, label: str | None = None) -> str:
        """A simulated WisePOS E registered to a kiosk (metadata `kiosk`), as the city registers a real one."""
        with self._lock:
            reader = self._new_reader({"label": label or kiosk, "metadata": {"kiosk": kiosk}})
        return str(reader["id"])

    def _new_reader(self, params: dict[str, Any]) -> dict[str, Any]:
        reader_id = _id("tmr")
        reader = {
            "id": reader_id,
            "object": "terminal.reader",
            "action": None,
            "device_sw_version": "",
            "device_type": "simulated_wisepos_e",
            "ip_address": "0.0.0.0",
            "label": params.get("label") or f"simulated-wpe-{reader_id[-8:]}",
            "livemode": False,
            "location": params.get("location"),
            "metadata": params.get("metadata") or {},
            "serial_number": f"simulated-wpe-{reader_id[-12:]}",
            "status": "online",
        }
        self.readers[reader_id] = reader
        return reader

    def _create_intent(self, params: dict[str, Any]) -> Response:
        if "payment_method_types" in params:  # as Stripe answers since API version 2026-09-30.endive
            return self._error(
                400,
                "invalid_request_error",
                "payment_method_types is no longer supported; use allowed_payment_method_types.",
                code="payment_method_types_no_longer_supported",
            )
        kinds = params.get("allowed_payment_method_types") or ["card"]
        intent = {
            "id": _id("pi"),
            "object": "payment_intent",
            "amount": int(params.get("amount") or 0),
            "amount_received": 0,
            "capture_method": params.get("capture_method", "automatic"),
            "currency": params.get("currency", "jpy"),
            "description": params.get("description"),
            "metadata": params.get("metadata") or {},
            "payment_method_types": kinds,
            "status": "requires_payment_method",
            "created": int(time.time()),
            "last_payment_error": None,
        }
        if intent["amount"] <= 0:
            return self._error(400, "invalid_request_error", "Amount must be at least 1.", code="amount_too_small")
        self.intents[intent["id"]] = intent
        return self._json(intent)

    def _search_intents(self, query: str) -> Response:
        """Search Query Language, the one clause we use: metadata['<key>']:'<value>'."""
        clause = re.fullmatch(r"metadata\['([^']+)'\]:'([^']*)'", query.strip())
        if clause is None:
            return self._error(400, "invalid_request_error", "The stand-in searches by one metadata clause only.")
        key, value = clause.groups()
        found = [i for i in self.intents.values() if (i.get("metadata") or {}).get(key) == value]
        found.sort(key=lambda i: i["created"], reverse=True)
        url = "/v1/payment_intents/search"
        return self._json({"object": "search_result", "data": found, "has_more": False, "next_page": None, "url": url})

    def _cancel_intent(self, intent_id: str) -> Response:
        intent = self.intents.get(intent_id)
        if intent is None:
            return self._error(404, "invalid_request_error", "No such payment_intent", code="resource_missing")
        if intent["status"] in ("succeeded", "canceled"):
            return self._error(
                400,
                "invalid_request_error",
                f"You cannot cancel this PaymentIntent because it has a status of {intent['status']}.",
                code="payment_intent_unexpected_state",
            )
        intent["status"] = "canceled"
        self._emit("payment_intent.canceled", intent)
        return self._json(intent)

    def _terminal(self, method: str, parts: list[str], params: dict[str, Any]) -> Response:
        helper = parts[0] == "test_helpers"
        parts = parts[1:] if helper else parts
        if parts == ["terminal", "readers"] and not helper:
            if method == "GET":
                data = [_public(r) for r in self.readers.values()]
                return self._json({"object": "list", "data": data, "has_more": False, "url": "/v1/terminal/readers"})
            if method == "POST":
                if params.get("registration_code") not in ("simulated-wpe", "simulated-s700"):
                    return self._error(400, "invalid_request_error", "Invalid registration code.")
                return self._json(self._new_reader(params))
        reader = self.readers.get(parts[2]) if len(parts) > 2 else None
        if reader is None:
            return self._error(404, "invalid_request_error", "No such terminal.reader", code="resource_missing")
        action = parts[3:]
        if helper and action == ["present_payment_method"] and method == "POST":
            return self._present(reader, params)
        if method == "GET" and not action:
            return self._json(reader)
        if method == "POST" and action == ["process_payment_intent"]:
            intent = self.intents.get(str(params.get("payment_intent")))
            if intent is None:
                return self._error(400, "invalid_request_error", "No such payment_intent", code="resource_missing")
            if intent["status"] != "requires_payment_method" or "card_present" not in intent["payment_method_types"]:
                return self._error(
                    400,
                    "invalid_request_error",
                    "This PaymentIntent cannot be processed.",
                    code="payment_intent_unexpected_state",
                )
            if reader["action"] and reader["action"]["status"] == "in_progress":
                return self._error(400, "invalid_request_error", "Reader is busy.", code="terminal_reader_busy")
            intent["last_payment_error"] = None
            reader["action"] = {
                "type": "process_payment_intent",
                "status": "in_progress",
                "failure_code": None,
                "failure_message": None,
                "process_payment_intent": {"payment_intent": intent["id"]},
            }
            return self._json(reader)
        if method == "POST" and action == ["cancel_action"]:
            if not reader["action"] or reader["action"]["status"] != "in_progress":
                return self._error(
                    400, "invalid_request_error", "Reader has no action in progress.", code="terminal_reader_busy"
                )
            reader["action"].update(status="failed", failure_code="customer_canceled", failure_message="Canceled")
            return self._json(reader)
        return self._error(404, "invalid_request_error", "Unrecognized request URL.")

    def _present(self, reader: dict[str, Any], params: dict[str, Any]) -> Response:
        """A card tapped on the simulated reader: the reader's payment succeeds or is declined."""
        action = reader["action"]
        if not action or action["status"] != "in_progress":
            return self._error(400, "invalid_request_error", "Reader has no action in progress.")
        intent = self.intents[action["process_payment_intent"]["payment_intent"]]
        card = "".join(
            ch for ch in str((params.get("card_present") or {}).get("number") or "4242424242424242") if ch.isdigit()
        )
        if card not in TEST_CARDS:
            return self._error(400, "invalid_request_error", "Unknown test card number.")
        decline = TEST_CARDS[card]
        if decline:
            intent["last_payment_error"] = {
                "type": "card_error",
                "code": decline[0],
                "decline_code": decline[1],
                "message": decline[2],
            }
            action.update(status="failed", failure_code=decline[0], failure_message=decline[2])
            self._emit("payment_intent.payment_failed", intent)
            self._emit("terminal.reader.action_failed", reader)
        else:
            intent.update(status="succeeded", amount_received=intent["amount"], last_payment_error=None)
            action.update(status="succeeded")
            self._emit("payment_intent.succeeded", intent)
            self._emit("terminal.reader.action_succeeded", reader)
        return self._json(reader)

    def charged(self, reference: str) -> int:
        """Yen received for a reference (tests: nothing charged twice, nothing charged on a decline)."""
        return sum(
            int(i.get("amount_received") or 0)
            for i in self.intents.values()
            if (i.get("metadata") or {}).get("reference") == reference and i["status"] == "succeeded"
        )

    def pay(self, session_id: str, card: str) -> tuple[bool, str | None]:
        """Pay an open session with a test card: (paid, decline code)."""
        card = "".join(ch for ch in card if ch.isdigit())
        with self._lock:
            session = self.sessions.get(session_id)
            if session is None or session["status"] != "open" or session["expires_at"] < time.time():
                return False, "expired"
            if card not in TEST_CARDS:
                return False, "invalid"
            decline = TEST_CARDS[card]
            intent = {
                "id": _id("pi"),
                "object": "payment_intent",
                "amount": session["amount_total"],
                "amount_received": 0 if decline else session["amount_total"],
                "currency": session["currency"],
                "metadata": session["_intent_metadata"],
                "status": "requires_payment_method" if decline else "succeeded",
                "created": int(time.time()),
                "last_payment_error": {"type": decline[0], "code": decline[0], "decline_code": decline[1]}
                if decline
                else None,
            }
            self.intents[intent["id"]] = intent
            if decline:
                self._emit("payment_intent.payment_failed", intent)
                return False, decline[1] if decline[1] == "insufficient_funds" else decline[0]
            session.update(status="complete", payment_status="paid", payment_intent=intent["id"])
            event = self._emit("checkout.session.completed", session)
        self.deliver(event)
        return True, None

    # --- webhooks ---------------------------------------------------------------------------------------
    def _emit(self, kind: str, obj: dict[str, Any]) -> dict[str, Any]:
        event = {
            "id": _id("evt"),
            "object": "event",
            "api_version": "2025-10-29.clover",
            "created": int(time.time()),
            "data": {"object": _public(obj)},
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": kind,
        }
        self.events.append(event)
        return event

    def deliver(self, event: dict[str, Any]) -> int | None:
        """POST a signed event to the webhook URL (unless dropping); returns the status code."""
        with self._lock:
            if self.drop_next > 0:
                self.drop_next -= 1
                return None
        if not self.webhook_url:
            return None
        payload = json.dumps(event)
        response = requests.post(
            self.webhook_url,
            data=payload,
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Stripe-Signature": sign(payload, self.webhook_secret),
                "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
            },
            timeout=30,
        )
        self.delivered.append(event["id"])
        return response.status_code

    # --- control (tests) --------------------------------------------------------------------------------
    def _control(self, request: Request, what: str) -> Response:
        body = request.get_json(silent=True) or {}
        if what.startswith("pay/") and request.method == "POST":
            paid, reason = self.pay(what.removeprefix("pay/"), str(body.get("card", "")))
            return self._json({"paid": paid, "reason": reason})
        if what == "drop" and request.method == "POST":
            self.drop_next = int(body.get("count", 1))
            return self._json({"drop_next": self.drop_next})
        if what == "events":
            return self._json({"events": self.events, "delivered": self.delivered})
        if what.startswith("redeliver/") and request.method == "POST":
            event = next((e for e in self.events if e["id"] == what.removeprefix("redeliver/")), None)
            if event is None:
                return self._error(404, "invalid_request_error", "No such event")
            return self._json({"status": self.deliver(event)})
        return self._error(404, "invalid_request_error", "Unrecognized control")

    # --- hosted checkout page ---------------------------------------------------------------------------
    def _page(self, request: Request, session_id: str) -> Response:
        session = self.sessions.get(session_id)
        if session is None:
            return Response("Not found", status=404)
        lang = "ja" if (session.get("locale") or "ja") == "ja" else "en"
        text = PAGE_TEXT[lang]
        problem = None
        if request.method == "POST":
            paid, reason = self.pay(session_id, request.form.get("card", ""))
            if paid:
                target = str(session["success_url"]).replace("{CHECKOUT_SESSION_ID}", session_id)
                return Response(status=303, headers={"Location": target})
            problem = text.get(reason or "invalid", text["invalid"])
        elif session["status"] != "open":
            problem = text["expired"]
        return Response(self._form(session, text, lang, problem), content_type="text/html; charset=utf-8")

    @staticmethod
    def _form(session: dict[str, Any], text: dict[str, str], lang: str, problem: str | None) -> str:
        e = html.escape
        alert = f'<p role="alert" id="problem" class="problem">{e(problem)}</p>' if problem else ""
        described = ' aria-describedby="problem" aria-invalid="true"' if problem else ""
        return f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(text["title"])} – Stripe (local)</title>
<style>{STYLE}</style></head>
<body><main><h1>{e(text["title"])}</h1>
<p>{e(session.get("_description", ""))}</p><p class="amount">¥{int(session["amount_total"]):,}</p>
<p>{e(text["test"])}</p>{alert}
<form method="post"><label for="card">{e(text["card"])}</label>
<input id="card" name="card" inputmode="numeric" autocomplete="cc-number" required{described}>
<label for="exp">{e(text["expiry"])}</label><input id="exp" name="exp" autocomplete="cc-exp" value="12 / 34">
<label for="cvc">{e(text["cvc"])}</label>
<input id="cvc" name="cvc" inputmode="numeric" autocomplete="cc-csc" value="123">
<label for="holder">{e(text["name"])}</label><input id="holder" name="holder" autocomplete="cc-name">
<button type="submit">{e(text["pay"])} ¥{int(session["amount_total"]):,}</button></form>
<p><a href="{e(str(session.get("cancel_url") or "/"))}">{e(text["back"])}</a></p></main></body></html>"""

    # --- responses --------------------------------------------------------------------------------------
    def _fault(self, fault: Fault) -> Response:
        if fault.kind == "malformed":
            return Response("<html><body>502 Bad Gateway</body></html>", status=200, content_type="application/json")
        if fault.status == 429:
            return self._error(429, "invalid_request_error", "Too many requests.", code="rate_limit")
        return self._error(fault.status, "api_error", "An unexpected error occurred.")

    @staticmethod
    def _json(obj: dict[str, Any]) -> Response:
        return Response(json.dumps(_public(obj)), content_type="application/json")

    @staticmethod
    def _error(status: int, kind: str, message: str, code: str | None = None) -> Response:
        error: dict[str, Any] = {"type": kind, "message": message}
        if code:
            error["code"] = code
        return Response(json.dumps({"error": error}), status=status, content_type="application/json")


def _public(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if not k.startswith("_")}
