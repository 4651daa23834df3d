"""Enrolled devices. Managers (窓口管理) enrol kiosks and ticket machines, list and revoke them; a device redeems
its one-time code once for its own credential, renews its token while enrolled, and asks who it is."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from madoguchi.devices import service as devices
from madoguchi.devices.models import (
    Device,
    DeviceDetail,
    DeviceList,
    DeviceSession,
    DeviceView,
    Enrolment,
    EnrolRequest,
    RedeemRequest,
    RenewRequest,
)
from madoguchi.shared.api import (
    NOT_FOUND,
    SECURITY,
    SIGNED_IN,
    UNAVAILABLE,
    ErrorBody,
    IdempotencyKey,
    current_caller,
    make_resolver,
)
from madoguchi.shared.auth import DeviceKind
from madoguchi.shared.clock import now
from madoguchi.shared.public_origin import site_origin
from madoguchi.wiring import device_identities, device_store

logger = Logger()
metrics = Metrics()
app = make_resolver()

REFUSED: dict[int, OpenAPIResponse] = {
    401: {
        "description": "Code unknown, used or expired, or device not enrolled",
        "content": {"application/json": {"model": ErrorBody}},
    },
    403: {
        "description": "The code or token is another kind of device's",
        "content": {"application/json": {"model": ErrorBody}},
    },
}


def deps() -> devices.DevicesDeps:
    return devices.DevicesDeps(devices=device_store(), identities=device_identities())


@app.post(
    "/staff/devices",
    summary="Enrol a kiosk or ticket machine: a pending device and its one-time code (shown once)",
    description="Send an `Idempotency-Key` header (one per press of the button): a retry with the same key by the "
    "same manager is the same pending device with a fresh code (the first code no longer enrols); once the device "
    "has redeemed its code, a retry answers 409.",
    tags=["devices"],
    security=SECURITY,
    responses={**SIGNED_IN, 200: {"description": "The device, its code, the device page's link and its QR code"}},
)
def enrol(body: EnrolRequest, idempotency_key: IdempotencyKey = None) -> Enrolment:
    enrolment = devices.enrol(body, current_caller(app), deps(), now(), site_origin(), idempotency_key=idempotency_key)
    logger.info("device enrolled", extra={"device_id": enrolment.device.id, "kind": enrolment.device.kind})
    return enrolment


@app.get(
    "/staff/devices",
    summary="Every enrolled, pending and revoked device",
    tags=["devices"],
    security=SECURITY,
    responses={**SIGNED_IN, 200: {"description": "The enrolled devices"}},
)
def list_devices() -> DeviceList:
    return devices.list_devices(current_caller(app), deps())


@app.get(
    "/staff/devices/<deviceId>",
    summary="One device and its audit trail",
    tags=["devices"],
    security=SECURITY,
    responses={**SIGNED_IN, **NOT_FOUND, 200: {"description": "The device"}},
)
def device_detail(deviceId: str) -> DeviceDetail:
    return devices.detail(deviceId, current_caller(app), deps())


@app.post(
    "/staff/devices/<deviceId>/revoke",
    summary="Revoke a device: refused from its next request; its refresh token stops working",
    tags=["devices"],
    security=SECURITY,
    responses={**SIGNED_IN, **NOT_FOUND, **UNAVAILABLE, 200: {"description": "The device, revoked"}},
)
def revoke(deviceId: str) -> Device:
    device = devices.revoke(deviceId, current_caller(app), deps(), now())
    logger.info("device revoked", extra={"device_id": device.id})
    return device


@app.post(
    "/devices/enrol",
    summary="Redeem a one-time enrolment code (the device's first start): the device's first tokens",
    tags=["devices"],
    responses={**REFUSED, **UNAVAILABLE, 200: {"description": "The device's tokens"}},
)
def redeem(body: RedeemRequest) -> DeviceSession:
    session = devices.redeem(body, deps(), now())
    metrics.add_metric(name="DevicesEnrolled", unit="Count", value=1)
    return session


@app.post(
    "/devices/token",
    summary="Renew an enrolled device's ID token with its refresh token",
    tags=["devices"],
    responses={**REFUSED, **UNAVAILABLE, 200: {"description": "Renewed tokens"}},
)
def renew(body: RenewRequest) -> DeviceSession:
    return devices.renew(body, deps())


@app.get(
    "/devices/me",
    summary="The calling device's record (401 once revoked; 403 from a page for the other kind)",
    tags=["devices"],
    security=SECURITY,
    responses={**REFUSED, 200: {"description": "The device"}},
)
def whoami(kind: Annotated[DeviceKind | None, Query()] = None) -> DeviceView:
    return devices.whoami(current_caller(app), devices.DevicesDeps(devices=device_store()), kind)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
