"""Every five minutes (EventBridge): settle the kiosk orders that no poll of the kiosk saw to the end (the kiosk
crashed, the network dropped, the resident walked away): refund what was paid but never printed, cancel the rest
at Stripe (madoguchi.kiosk.reconciler)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.utilities.typing import LambdaContext

from madoguchi.kiosk.reconciler import reconcile_orders
from madoguchi.shared.clock import now
from madoguchi.wiring import kiosk_orders, payment_gateway

logger = Logger()
metrics = Metrics()


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    counts = reconcile_orders(kiosk_orders(), payment_gateway(), now())
    metrics.add_metric(name="KioskOrdersRefunded", unit="Count", value=counts["refunded"])
    metrics.add_metric(name="KioskOrdersCanceled", unit="Count", value=counts["canceled"])
    logger.info("Reconciled kiosk orders", extra=counts)
    return counts
