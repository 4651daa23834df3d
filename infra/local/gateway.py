"""The local API gateway: HTTP requests in, API Gateway REST proxy events to our handlers, responses out.

It authenticates like the Cognito authorizer (infra/local/authorizer.py: ID tokens of the local OpenID Connect
provider's pools, verified against their JWKS; claims in requestContext.authorizer.claims, 401 on routes that
need a token), serves web/dist, /openapi.json, /config.json and, only here, POST /_local/token and
/_local/faults (the stand-ins' faults on demand). When the pools' keys cannot be read it answers 503
(auth_unavailable), not 401.
"""

from __future__ import annotations

import base64
import json
import mimetypes
import re
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from werkzeug.wrappers import Request, Response

from infra import catalogue
from infra.catalogue import Function, Route
from infra.local.authorizer import CognitoAuthorizer, KeysUnavailable
from infra.local.faults import Faults
from infra.local.functions import ACCOUNT, Functions
from infra.local.identity import UnknownUser
from infra.local.oidc import LocalOidcProvider
from madoguchi.shared.api import ErrorBody
from madoguchi.shared.i18n import message, negotiate

WEB_DIST = catalogue.ROOT / "web" / "dist"


@dataclass(frozen=True)
class CompiledRoute:
    route: Route
    function: Function
    pattern: re.Pattern[str]


def _compile(route: Route, fn: Function) -> CompiledRoute:
    regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(route.path))
    return CompiledRoute(route, fn, re.compile(f"^{regex}$"))


def _multi(pairs: list[tuple[str, str]]) -> tuple[dict[str, str] | None, dict[str, list[str]] | None]:
    if not pairs:
        return None, None
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for key, value in pairs:
        single[key] = value  # API Gateway keeps the last value
        multi.setdefault(key, []).append(value)
    return single, multi


class Gateway:
    def __init__(
        self,
        functions: Functions,
        provider: LocalOidcProvider,
        web_dist: Path = WEB_DIST,
        faults: Faults | None = None,
    ) -> None:
        self.functions = functions
        self.faults = faults or Faults()
        self.provider = provider
        self.authorizer = CognitoAuthorizer(provider.audiences())
        self.web_dist = web_dist
        self.routes = [_compile(r, f) for r, f in catalogue.routes()]
        self._openapi: bytes | None = None

    # --- WSGI -----------------------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        return self.handle(request)(environ, start_response)

    def handle(self, request: Request) -> Response:
        path, method = request.path, request.method
        if path == "/_local/token" and method == "POST":
            return self._token(request)
        if path == "/openapi.json" and method == "GET":
            return Response(self.openapi(), content_type="application/json")
        if path == "/config.json" and method == "GET":
            return self._json(200, self.web_config())
        if path == "/_local/faults":  # arm the stand-ins' faults (infra/local/faults.py)
            return self.faults.control(request)
        if path == "/_local/outbox" and method == "GET":  # e-mails sent through the emulated SES
            from infra.local.outbox import sent

            return self._json(200, {"messages": sent(request.args.get("to"))})
        matched = [(r, m) for r in self.routes if (m := r.pattern.match(path))]
        for compiled, match in matched:
            if compiled.route.method == method:
                return self._invoke(request, compiled, match.groupdict())
        if matched:
            response = self._error(request, 405, "method_not_allowed")
            response.headers["Allow"] = ", ".join(sorted({r.route.method for r, _ in matched}))
            return response
        if method in ("GET", "HEAD"):
            static = self._static(path)
            if static is not None:
                return static
        return self._error(request, 404, "not_found")

    # --- API ------------------------------------------------------------------------------------------
    def _invoke(self, request: Request, compiled: CompiledRoute, path_params: dict[str, str]) -> Response:
        claims = None
        if compiled.route.authenticated:
            try:
                claims = self._claims(request)
            except KeysUnavailable:  # the sign-in service's keys could not be read: try again, not sign in again
                response = self._error(request, 503, "auth_unavailable")
                response.headers["Retry-After"] = "5"
                return response
            if claims is None:
                return self._error(request, 401, "unauthorized")
        event = self.proxy_event(request, compiled, path_params, claims)
        result = self.functions.pools[compiled.function.name].invoke(event)
        body = result.get("body") or ""
        raw = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
        response = Response(raw, status=result.get("statusCode", 200))
        response.headers.clear()
        for key, value in (result.get("headers") or {}).items():
            response.headers[key] = value
        for key, values in (result.get("multiValueHeaders") or {}).items():
            for value in values:
                response.headers.add(key, value)
        return response

    def _claims(self, request: Request) -> dict[str, Any] | None:
        scheme, _, token = (request.headers.get("Authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        try:
            return self.authorizer.verify(token.strip())
        except jwt.InvalidTokenError:
            return None

    @staticmethod
    def proxy_event(
        request: Request, compiled: CompiledRoute, path_params: dict[str, str], claims: dict[str, Any] | None
    ) -> dict[str, Any]:
        """The event API Gateway's REST proxy integration sends (the fields our handlers and Powertools read)."""
        headers, multi_headers = _multi(list(request.headers.items()))
        query, multi_query = _multi(list(request.args.items(multi=True)))
        raw = request.get_data()
        try:
            body: str | None = raw.decode() if raw else None
            is_base64 = False
        except UnicodeDecodeError:
            body, is_base64 = base64.b64encode(raw).decode(), True
        authorizer = {"claims": {k: str(v) for k, v in claims.items()}} if claims else None
        now = time.time()
        return {
            "resource": compiled.route.path,
            "path": request.path,
            "httpMethod": request.method,
            "headers": headers,
            "multiValueHeaders": multi_headers,
            "queryStringParameters": query,
            "multiValueQueryStringParameters": multi_query,
            "pathParameters": path_params or None,
            "stageVariables": None,
            "requestContext": {
                "accountId": ACCOUNT,
                "apiId": "local",
                "authorizer": authorizer,
                "domainName": request.host,
                "httpMethod": request.method,
                "identity": {"sourceIp": request.remote_addr or "127.0.0.1", "userAgent": request.user_agent.string},
                "path": request.path,
                "protocol": request.environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
                "requestId": str(uuid.uuid4()),
                "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
                "requestTimeEpoch": int(now * 1000),
                "resourcePath": compiled.route.path,
                "stage": "local",
            },
            "body": body,
            "isBase64Encoded": is_base64,
        }

    # --- local-only endpoints ---------------------------------------------------------------------------
    def _token(self, request: Request) -> Response:
        try:
            user = (json.loads(request.get_data() or b"{}") or {}).get("user")
            return self._json(200, {"token": self.provider.issue(str(user))})
        except (ValueError, AttributeError, UnknownUser):
            return self._error(request, 400, "bad_request")

    def web_config(self) -> dict[str, Any]:
        """The pages' configuration, shaped as the cloud's (infra/stacks/web.py), from the local provider."""
        return {"auth": self.provider.web_config(), "siteUrl": self.provider.site_url}

    def openapi(self) -> bytes:
        if self._openapi is None:
            from infra.openapi import document

            doc = document(lambda fn: self.functions.pools[fn.name].any_container().app)
            self._openapi = json.dumps(doc, ensure_ascii=False).encode()
        return self._openapi

    # --- static files ---------------------------------------------------------------------------------------
    def _static(self, path: str) -> Response | None:
        root = self.web_dist.resolve()
        candidate = (root / path.lstrip("/")).resolve()
        if not candidate.is_relative_to(root):
            return None
        if candidate.is_dir():
            if not path.endswith("/"):
                return Response(status=308, headers={"Location": path + "/"})
            candidate = candidate / "index.html"
        if not candidate.is_file():
            return None
        content_type = mimetypes.guess_type(candidate.name)[0] or "application/octet-stream"
        if content_type.startswith("text/") or content_type in ("application/javascript", "application/json"):
            content_type += "; charset=utf-8"
        return Response(candidate.read_bytes(), content_type=content_type)

    # --- helpers ----------------------------------------------------------------------------------------------
    @staticmethod
    def _json(status: int, payload: Any) -> Response:
        return Response(json.dumps(payload, ensure_ascii=False), status=status, content_type="application/json")

    def _error(self, request: Request, status: int, code: str) -> Response:
        lang = negotiate(request.args.get("lang"), request.headers.get("Accept-Language"))
        return self._json(status, ErrorBody(code=code, message=message(code, lang)).model_dump())
