"""The city's reference data (procedures) and demo data, loaded through the same ports the handlers use.

Locally the stack seeds it at start; in an AWS account run `python -m infra.seed --catalogue-table NAME`.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from madoguchi.procedures.dynamodb import DynamoProcedureStore
from madoguchi.procedures.models import Procedure

SEED_DIR = Path(__file__).resolve().parent


def procedures() -> list[Procedure]:
    return [Procedure.model_validate(p) for p in json.loads((SEED_DIR / "procedures.json").read_text())]


def seed(
    catalogue_table: str,
    faq_table: str | None = None,
    applications_table: str | None = None,
    queue_table: str | None = None,
    congestion_table: str | None = None,
    kiosk_table: str | None = None,
    metrics_table: str | None = None,
) -> int:
    """Write the reference data; idempotent (puts overwrite by key). Returns how many items were written."""
    store = DynamoProcedureStore(catalogue_table)
    items = procedures()
    for procedure in items:
        store.put(procedure)
    count = len(items)
    faq_table = faq_table if faq_table is not None else os.environ.get("FAQ_TABLE", "")
    if faq_table:
        from infra.seed.faq import seed_faq

        count += seed_faq(faq_table)
    applications_table = applications_table or os.environ.get("APPLICATIONS_TABLE")
    if applications_table:
        from infra.seed.applications import seed_residents

        count += seed_residents(applications_table)
    if queue_table and congestion_table:
        from infra.seed.queue_history import seed_queue

        count += seed_queue(queue_table, congestion_table)
    if kiosk_table:
        from infra.seed.kiosk import seed_kiosk_residents

        count += seed_kiosk_residents(kiosk_table)
    if metrics_table:
        from infra.seed.metrics_history import seed_metrics
        from madoguchi.metrics.dynamodb import DynamoMetricsStore

        count += seed_metrics(DynamoMetricsStore(metrics_table), items)
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--catalogue-table", required=True)
    parser.add_argument("--faq-table", default="", help="also add the FAQ entries missing from this table")
    parser.add_argument("--applications-table", default="", help="also the demo resident records")
    parser.add_argument("--queue-table", help="with --congestion-table: demo ticket history and its calendar")
    parser.add_argument("--congestion-table")
    parser.add_argument("--kiosk-table", help="also the demo residents' records for the kiosk's card matching")
    parser.add_argument("--metrics-table", help="twelve months of demo figures (infra/seed/metrics_history.py)")
    args = parser.parse_args()
    count = seed(
        args.catalogue_table,
        args.faq_table,
        args.applications_table,
        queue_table=args.queue_table,
        congestion_table=args.congestion_table,
        kiosk_table=args.kiosk_table,
        metrics_table=args.metrics_table,
    )
    print(f"seeded {count} items")


if __name__ == "__main__":
    main()
