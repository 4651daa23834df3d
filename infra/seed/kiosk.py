"""Demo resident records for the kiosk's card matching (the city loads its 住民記録 the same way)."""

from __future__ import annotations

import json

from infra.seed import SEED_DIR
from madoguchi.kiosk.dynamodb import DynamoResidentDirectory
from madoguchi.kiosk.matching import FourItems, lookup_key


def seed_kiosk_residents(kiosk_table: str) -> int:
    """The demo residents' four items (resident-1 is the emulated card's holder); idempotent."""
    directory = DynamoResidentDirectory(kiosk_table)
    records = json.loads((SEED_DIR / "residents.json").read_text(encoding="utf-8"))
    for record in records:
        items = FourItems(record["name"], record["address"], record["date_of_birth"], record["sex"])
        directory.put(record["id"], lookup_key(items), items)
    return len(records)
