"""Faults on demand for the stand-ins of outside providers (never deployed).

Tests (and people trying the local stack) arm a fault with `POST /_local/faults` on the local gateway:
`{"provider": "stripe", "kind": "status", "status": 500, "match": "/v1/refunds", "count": 1}`; the stand-in
that serves the provider answers the next `count` matching calls with it. `DELETE /_local/faults` disarms all,
`GET /_local/faults` lists what is armed and what was injected.

Providers: stripe (infra/local/stripe_standin.py), line (infra/local/line.py), jwks (the OpenID provider's keys,
infra/local/oidc.py), and the AWS services our functions call through the moto server: ses, stepfunctions, s3,
dynamodb (matched by the request's signing scope; narrow a dynamodb fault with `match`, e.g. the X-Amz-Target
`TransactWriteItems`, since the local stack's own stream reader talks to DynamoDB too).

Kinds: `status` (an error answer in the provider's own shape: 500, 503, 429 …), `hang` (hold the call for
`seconds`, longer than the caller's timeout, then carry it out: the provider did the work, the answer came too
late) and `malformed` (200 with a body that is not the provider's JSON). An AWS fault may name its error `code`
(DynamoDB's throttling: `{"provider": "dynamodb", "status": 400, "code": "ProvisionedThroughputExceededException"}`).
"""

from __future__ import annotations

import json
import threading
from dataclasses import asdict, dataclass, field
from typing import Any

from werkzeug.wrappers import Request, Response

PROVIDERS = ("stripe", "line", "jwks", "ses", "stepfunctions", "s3", "dynamodb")
KINDS = ("status", "hang", "malformed")
# The signing scope (Credential=<key>/<date>/<region>/<service>/aws4_request) of each AWS provider's calls.
AWS_SIGNING_NAMES = {"ses": "ses", "stepfunctions": "states", "s3": "s3", "dynamodb": "dynamodb"}
MAX_HANG_SECONDS = 30.0


@dataclass
class Fault:
    provider: str
    kind: str
    status: int = 500
    seconds: float = 0.0
    match: str = ""  # a substring of "<METHOD> <path>?<query> <X-Amz-Target>"; empty matches every call
    count: int = 1
    code: str = ""  # AWS only: the error code to answer (else one that fits the status)

    @classmethod
    def parse(cls, body: Any) -> Fault:
        """From the control's JSON body; ValueError when it does not describe a fault."""
        if not isinstance(body, dict):
            raise ValueError("a JSON object")
        fault = cls(
            provider=str(body.get("provider", "")),
            kind=str(body.get("kind", "status")),
            status=int(body.get("status", 500)),
            seconds=float(body.get("seconds", 0)),
            match=str(body.get("match", "")),
            count=int(body.get("count", 1)),
            code=str(body.get("code", "")),
        )
        if fault.provider not in PROVIDERS or fault.kind not in KINDS:
            raise ValueError(f"provider in {PROVIDERS}, kind in {KINDS}")
        if not 400 <= fault.status <= 599 or not 1 <= fault.count <= 1000:
            raise ValueError("status 4xx/5xx, count 1..1000")
        if fault.code and not fault.code.isalnum():
            raise ValueError("an error code of letters and digits")
        if fault.kind == "hang" and not 0 < fault.seconds <= MAX_HANG_SECONDS:
            raise ValueError(f"a hang of 0..{MAX_HANG_SECONDS} s")
        return fault


@dataclass
class Faults:
    """What is armed, shared by the stand-ins of one local stack; thread-safe."""

    armed: list[Fault] = field(default_factory=list)
    injected: list[dict[str, Any]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _released: threading.Event = field(default_factory=threading.Event)

    def arm(self, fault: Fault) -> None:
        with self._lock:
            self._released.clear()
            self.armed.append(fault)

    def clear(self) -> None:
        """Disarm everything and cut short the hangs in progress."""
        with self._lock:
            self.armed.clear()
            self.injected.clear()
            self._released.set()

    def take(self, provider: str, call: str) -> Fault | None:
        """The fault to apply to this call, if one is armed (each use counts down)."""
        with self._lock:
            for fault in self.armed:
                if fault.provider == provider and fault.match in call:
                    fault.count -= 1
                    if fault.count <= 0:
                        self.armed.remove(fault)
                    self.injected.append({"provider": provider, "kind": fault.kind, "call": call})
                    return fault
        return None

    def hang(self, fault: Fault) -> None:
        self._released.wait(fault.seconds)

    def state(self) -> dict[str, Any]:
        with self._lock:
            return {"armed": [asdict(f) for f in self.armed], "injected": list(self.injected)}

    # --- the control (served by the local gateway) --------------------------------------------------------
    def control(self, request: Request) -> Response:
        if request.method == "GET":
            return _json(self.state())
        if request.method == "DELETE":
            self.clear()
            return _json(self.state())
        if request.method == "POST":
            try:
                fault = Fault.parse(request.get_json(silent=True))
            except (TypeError, ValueError) as e:
                return _json({"code": "bad_request", "message": f"Expected {e}"}, 400)
            self.arm(fault)
            return _json(self.state())
        return _json({"code": "method_not_allowed", "message": "GET, POST or DELETE"}, 405)


def _json(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")


# --- AWS: a WSGI layer in front of the moto server -----------------------------------------------------------
def _aws_error(request: Request, service: str, status: int, named: str = "") -> Response:
    """The error answer each AWS protocol uses (query/XML for S3, JSON for the others)."""
    code = "SlowDown" if status == 429 or (service == "s3" and status == 503) else "ServiceUnavailable"
    if status == 500:
        code = "InternalError" if service == "s3" else "InternalFailure"
    if status == 429 and service != "s3":
        code = "ThrottlingException"
    code = named or code
    if service == "dynamodb":  # DynamoDB's JSON protocol names the error with its namespace
        code = f"com.amazonaws.dynamodb.v20120810#{code}"
    if service == "s3":
        body = f"<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code><Message>{code}</Message></Error>"
        return Response(body, status=status, content_type="application/xml")
    return Response(
        json.dumps({"__type": code, "message": code}),
        status=status,
        content_type="application/x-amz-json-1.0",
        headers={"x-amzn-ErrorType": code},
    )


def aws_service(request: Request) -> str | None:
    """Which of our AWS providers a request to the moto server is for, from its SigV4 signing scope."""
    authorization = request.headers.get("Authorization", "")
    scope = authorization.split("Credential=", 1)[1].split(",", 1)[0] if "Credential=" in authorization else ""
    parts = scope.split("/")
    signing_name = parts[3] if len(parts) > 3 else ""
    return next((p for p, name in AWS_SIGNING_NAMES.items() if name == signing_name), None)


class AwsFaults:
    """Wraps the moto server's WSGI application: armed faults of ses / stepfunctions / s3 apply to the calls of
    that service; every other request (DynamoDB, the interpreter's callbacks, moto's own API) passes."""

    def __init__(self, app: Any, faults: Faults) -> None:
        self.app = app
        self.faults = faults

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if self.faults.armed:
            request = Request(environ)
            service = aws_service(request)
            if service is not None:
                call = f"{request.method} {request.full_path} {request.headers.get('X-Amz-Target', '')}"
                fault = self.faults.take(service, call)
                if fault is not None:
                    if fault.kind == "hang":
                        self.faults.hang(fault)
                    elif fault.kind == "malformed":
                        return Response("<html>bad gateway</html>", status=200)(environ, start_response)
                    else:
                        return _aws_error(request, service, fault.status, fault.code)(environ, start_response)
        return self.app(environ, start_response)
