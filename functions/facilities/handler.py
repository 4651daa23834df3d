"""Facilities: the list and each facility's availability (a day) and calendar (a month) for anyone; facility
settings, the day's bookings and closures for staff of 施設管理課 (department shisetsu) only."""

from __future__ import annotations

from datetime import date
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from madoguchi.reservations import service as reservations
from madoguchi.reservations.facilities import Availability, Facility, FacilityList, MonthView
from madoguchi.reservations.models import ClosureRequest, ClosureResult, DayBookings
from madoguchi.shared.api import NOT_FOUND, SECURITY, SIGNED_IN, current_caller, make_resolver, request_lang
from madoguchi.shared.clock import now
from madoguchi.wiring import payment_gateway, reservation_store

logger = Logger()
metrics = Metrics()
app = make_resolver()

STAFF = {**SIGNED_IN, **NOT_FOUND}


def deps() -> reservations.ReservationDeps:
    return reservations.ReservationDeps(store=reservation_store(), payments=payment_gateway())


@app.get("/facilities", summary="Facilities that can be booked", tags=["facilities"])
def list_facilities(kind: str | None = None) -> FacilityList:
    return reservations.list_facilities(kind, deps(), lang=request_lang(app))


@app.get(
    "/facilities/<facilityId>/availability",
    summary="Free, held and booked slots of one day (Asia/Tokyo)",
    tags=["facilities"],
    responses={**NOT_FOUND, 200: {"description": "Every slot of the day"}},
)
def availability(facilityId: str, date: date) -> Availability:
    return reservations.availability(facilityId, date, deps(), now())


@app.get(
    "/facilities/<facilityId>/calendar",
    summary="Free and taken slots per day of a month, for the calendar",
    tags=["facilities"],
    responses={**NOT_FOUND, 200: {"description": "One entry per day"}},
)
def calendar(facilityId: str, month: str) -> MonthView:
    return reservations.month_view(facilityId, month, deps(), now())


@app.get(
    "/staff/facilities/<facilityId>",
    summary="A facility's settings (staff)",
    tags=["staff"],
    security=SECURITY,
    responses={**STAFF, 200: {"description": "The settings"}},
)
def settings_of(facilityId: str) -> Facility:
    return reservations.staff_facility(facilityId, current_caller(app), deps())


@app.put(
    "/staff/facilities/<facilityId>",
    summary="Change an existing facility's settings: units, hours, closed days, prices, lottery (staff)",
    description="An unknown facility id answers 404 (this never creates a facility). Every change is "
    "audit-logged with the staff member, the time and the names of the settings changed.",
    tags=["staff"],
    security=SECURITY,
    responses={**STAFF, 200: {"description": "The new settings"}},
)
def change_settings(facilityId: str, body: Facility) -> Facility:
    return reservations.put_facility(facilityId, body, current_caller(app), deps(), now())


@app.get(
    "/staff/facilities/<facilityId>/bookings",
    summary="Every slot of a day with its reservation (staff)",
    tags=["staff"],
    security=SECURITY,
    responses={**STAFF, 200: {"description": "The day's slots"}},
)
def bookings(facilityId: str, date: date) -> DayBookings:
    return reservations.day_bookings(facilityId, date, current_caller(app), deps(), now())


@app.post(
    "/staff/facilities/<facilityId>/closures",
    summary="Close a facility for a day: its reservations are cancelled and refunded in full (staff)",
    tags=["staff"],
    security=SECURITY,
    responses={**STAFF, 200: {"description": "What was cancelled and refunded"}},
)
def close(facilityId: str, body: ClosureRequest) -> ClosureResult:
    result = reservations.close_day(facilityId, body, current_caller(app), deps(), now())
    metrics.add_metric(name="ClosureCancellations", unit="Count", value=len(result.cancelled))
    return result


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
