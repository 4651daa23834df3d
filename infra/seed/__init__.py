"""The city's reference data (procedures) and demo data, loaded through the same ports the handlers use.

Locally the stack seeds it at start; in an AWS account run `python -m infra.seed --catalogue-table NAME`.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from madoguchi.adapters.dynamodb import DynamoProcedureStore
from madoguchi.procedures import Procedure

SEED_DIR = Path(__file__).resolve().parent


def procedures() -> list[Procedure]:
    return [Procedure.model_validate(p) for p in json.loads((SEED_DIR / "procedures.json").read_text())]


def seed(catalogue_table: str, faq_table: str | None = None) -> int:
    """Write the reference data; idempotent (puts overwrite by key). Returns how many items were written."""
    store = DynamoProcedureStore(catalogue_table)
    items = procedures()
    for procedure in items:
        store.put(procedure)
    faq_table = faq_table if faq_table is not None else os.environ.get("FAQ_TABLE", "")
    if faq_table:
        from infra.seed.faq import seed_faq

        return len(items) + seed_faq(faq_table)
    return len(items)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--catalogue-table", required=True)
    parser.add_argument("--faq-table", default="", help="also add the FAQ entries missing from this table")
    args = parser.parse_args()
    print(f"seeded {seed(args.catalogue_table, args.faq_table)} items")


if __name__ == "__main__":
    main()
