"""Every minute (EventBridge): expire holds and unpaid lottery wins whose time is up, so a slot frees itself on
time whatever DynamoDB TTL's delay; their Stripe checkouts are closed first (a paid one is settled instead)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.utilities.typing import LambdaContext

from madoguchi.reservations import sweeper
from madoguchi.reservations.service import ReservationDeps
from madoguchi.shared.clock import now
from madoguchi.wiring import payment_gateway, reservation_store

logger = Logger()
metrics = Metrics()


def deps() -> ReservationDeps:
    return ReservationDeps(store=reservation_store(), payments=payment_gateway())


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    counts = sweeper.sweep(deps(), now())
    for name, value in counts.items():
        metrics.add_metric(name=f"Holds{name.capitalize()}", unit="Count", value=value)
    logger.info("Swept holds", extra=counts)
    return counts
