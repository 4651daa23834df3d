"""Every five minutes (EventBridge): ask Stripe about each checkout still pending after a few minutes and settle
its reservation or application fee, so a lost webhook never leaves a paid booking or application waiting."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.utilities.typing import LambdaContext

from madoguchi.applications import service as applications
from madoguchi.applications.service import ApplicationDeps
from madoguchi.reservations import service as reservations
from madoguchi.shared.clock import now
from madoguchi.shared.settings import settings
from madoguchi.wiring import (
    application_store,
    payment_gateway,
    procedure_store,
    reservation_store,
)


def application_deps() -> ApplicationDeps:
    return ApplicationDeps(
        store=application_store(),
        procedures=procedure_store(),
        payments=payment_gateway,  # a fee received owes its tags and e-mail as effects (no S3 or SES here)
    )


logger = Logger()
metrics = Metrics()


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    counts = reservations.reconcile(
        reservations.ReservationDeps(store=reservation_store(), payments=payment_gateway()),
        now(),
        after_minutes=settings().reconcile_after_minutes,
    )
    fees = applications.reconcile_payments(application_deps(), now(), after_minutes=settings().reconcile_after_minutes)
    counts.update(fees_checked=fees["checked"], fees_received=fees["received"], fees_reopened=fees["reopened"])
    metrics.add_metric(name="PaymentsReconciled", unit="Count", value=counts["settled"] + fees["received"])
    logger.info("Reconciled payments", extra=counts)
    return counts
