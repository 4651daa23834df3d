"""The bridge's HTTP doorway, on 127.0.0.1 only, for the kiosk and staff pages of the configured site.

Every request must come from an allowed Origin (the city's site) and name this host in Host (no DNS
rebinding); answers carry CORS and Private Network Access headers for exactly that origin. Request bodies,
PINs and card data are never logged.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from dataclasses import asdict
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from devices.cardbridge.bridge import CardBridge, NoCard, NoReader, NotPermitted
from devices.cardbridge.card import CardError, InvalidPinFormat, LastPinTry, NotMyNumberCard, PinLocked, WrongPin

log = logging.getLogger("cardbridge")

MAX_BODY = 8 * 1024
MAX_WAIT_SECONDS = 25.0
_STATUS_BY_ERROR: dict[type[CardError], HTTPStatus] = {
    InvalidPinFormat: HTTPStatus.BAD_REQUEST,
    WrongPin: HTTPStatus.UNAUTHORIZED,
    PinLocked: HTTPStatus.LOCKED,
    LastPinTry: HTTPStatus.LOCKED,
    NotPermitted: HTTPStatus.FORBIDDEN,
    NoCard: HTTPStatus.CONFLICT,
    NoReader: HTTPStatus.SERVICE_UNAVAILABLE,
    NotMyNumberCard: HTTPStatus.UNPROCESSABLE_ENTITY,
}


class BridgeServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, bridge: CardBridge, allowed_origins: frozenset[str], port: int = 0) -> None:
        if not allowed_origins:
            raise ValueError("at least one allowed origin (the city's site) is required")
        self.bridge = bridge
        self.allowed_origins = allowed_origins
        super().__init__(("127.0.0.1", port), _Handler)  # loopback only, never 0.0.0.0

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def allowed_hosts(self) -> frozenset[str]:
        return frozenset({f"127.0.0.1:{self.port}", f"localhost:{self.port}"})


class _Handler(BaseHTTPRequestHandler):
    server: BridgeServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.command, urlsplit(self.path).path)  # no query, no body

    # -- doorway checks ---------------------------------------------------------------------------------------

    def _origin(self) -> str | None:
        origin = self.headers.get("Origin")
        host = self.headers.get("Host", "")
        if host not in self.server.allowed_hosts or origin not in self.server.allowed_origins:
            return None
        return origin

    def do_OPTIONS(self) -> None:
        origin = self._origin()
        if origin is None:
            self._send(HTTPStatus.FORBIDDEN, {"error": "origin_not_allowed"}, origin=None)
            return
        self.send_response(HTTPStatus.NO_CONTENT)
        self._cors_headers(origin)
        self.send_header("Access-Control-Allow-Methods", "GET, POST")
        self.send_header("Access-Control-Allow-Headers", "Content-Type")
        self.send_header("Access-Control-Max-Age", "600")
        if self.headers.get("Access-Control-Request-Private-Network") == "true":
            self.send_header("Access-Control-Allow-Private-Network", "true")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        self._dispatch({"/v1/status": self._status, "/v1/events": self._events, "/v1/card/pins": self._pins})

    def do_POST(self) -> None:
        self._dispatch(
            {
                "/v1/card/basic-four": self._basic_four,
                "/v1/card/sign": self._sign,
                "/v1/card/individual-number": self._individual_number,
            }
        )

    def _dispatch(self, routes: dict[str, Any]) -> None:
        origin = self._origin()
        if origin is None:
            self._send(HTTPStatus.FORBIDDEN, {"error": "origin_not_allowed"}, origin=None)
            return
        url = urlsplit(self.path)
        route = routes.get(url.path)
        if route is None:
            self._send(HTTPStatus.NOT_FOUND, {"error": "not_found"}, origin=origin)
            return
        try:
            if self.command == "POST":
                status, payload = route(self._json_body())
            else:
                status, payload = route({key: values[-1] for key, values in parse_qs(url.query).items()})
        except _BadRequest as error:
            status, payload = HTTPStatus.BAD_REQUEST, {"error": "bad_request", "message": str(error)}
        except CardError as error:
            status, payload = self._card_error(error)
        self._send(status, payload, origin=origin)

    @staticmethod
    def _card_error(error: CardError) -> tuple[HTTPStatus, dict[str, Any]]:
        payload: dict[str, Any] = {"error": error.code, "message": str(error)}
        if isinstance(error, WrongPin | PinLocked | LastPinTry):
            payload.update(pin=error.pin, tries_left=error.tries_left)
        return _STATUS_BY_ERROR.get(type(error), HTTPStatus.BAD_GATEWAY), payload

    # -- routes -----------------------------------------------------------------------------------------------

    def _status(self, _query: dict[str, str]) -> tuple[HTTPStatus, dict[str, Any]]:
        readers = dict(self.server.bridge.readers_with_card)
        return HTTPStatus.OK, {
            "readers": [{"name": name, "card": present} for name, present in sorted(readers.items())],
            "last_event": self.server.bridge.events.last_seq,
        }

    def _events(self, query: dict[str, str]) -> tuple[HTTPStatus, dict[str, Any]]:
        try:
            since = int(query.get("since", "0"))
            wait = min(float(query.get("wait", "0")), MAX_WAIT_SECONDS)
        except ValueError as error:
            raise _BadRequest("since and wait are numbers") from error
        events = self.server.bridge.events.since(since, wait_seconds=max(wait, 0.0))
        return HTTPStatus.OK, {"events": events, "last_event": self.server.bridge.events.last_seq}

    def _pins(self, _query: dict[str, str]) -> tuple[HTTPStatus, dict[str, Any]]:
        return HTTPStatus.OK, {"tries_left": self.server.bridge.pin_status()}

    def _basic_four(self, body: dict[str, Any]) -> tuple[HTTPStatus, dict[str, Any]]:
        return HTTPStatus.OK, asdict(self.server.bridge.basic_four(_pin(body)))

    def _sign(self, body: dict[str, Any]) -> tuple[HTTPStatus, dict[str, Any]]:
        challenge = body.get("challenge")
        if not isinstance(challenge, str):
            raise _BadRequest("challenge (base64url) is required")
        try:
            raw = base64.b64decode(challenge + "=" * (-len(challenge) % 4), altchars=b"-_", validate=True)
        except (binascii.Error, ValueError) as error:
            raise _BadRequest("challenge is not base64url") from error
        signed = self.server.bridge.sign_challenge(raw, _pin(body))
        return HTTPStatus.OK, {
            "signature": _b64url(signed.signature),
            "certificate": _b64url(signed.certificate),
            "algorithm": "RS256",
        }

    def _individual_number(self, body: dict[str, Any]) -> tuple[HTTPStatus, dict[str, Any]]:
        procedure = body.get("procedure")
        if not isinstance(procedure, str):
            raise _BadRequest("procedure is required")
        return HTTPStatus.OK, {"individual_number": self.server.bridge.individual_number(_pin(body), procedure)}

    # -- plumbing ---------------------------------------------------------------------------------------------

    def _json_body(self) -> dict[str, Any]:
        if self.headers.get_content_type() != "application/json":
            raise _BadRequest("Content-Type must be application/json")
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError as error:
            raise _BadRequest("Content-Length is not a number") from error
        if not 0 < length <= MAX_BODY:
            raise _BadRequest("the body is missing or too large")
        try:
            body = json.loads(self.rfile.read(length))
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise _BadRequest("the body is not JSON") from error
        if not isinstance(body, dict):
            raise _BadRequest("the body is a JSON object")
        return body

    def _cors_headers(self, origin: str) -> None:
        self.send_header("Access-Control-Allow-Origin", origin)
        self.send_header("Vary", "Origin")

    def _send(self, status: HTTPStatus, payload: dict[str, Any], *, origin: str | None) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        if origin is not None:
            self._cors_headers(origin)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Cache-Control", "no-store")  # card data never lands in a browser cache
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _BadRequest(Exception):
    pass


def _pin(body: dict[str, Any]) -> str:
    pin = body.get("pin")
    if not isinstance(pin, str):
        raise _BadRequest("pin is required")
    return pin


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
