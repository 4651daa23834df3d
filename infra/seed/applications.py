"""Demo resident records (what the city already knows: 住民記録) that prefill application forms."""

from __future__ import annotations

import json
from pathlib import Path

from madoguchi.applications.dynamodb import DynamoApplicationStore
from madoguchi.applications.models import Resident

RESIDENTS = Path(__file__).resolve().parent / "residents.json"


def residents() -> list[Resident]:
    return [Resident.model_validate(r) for r in json.loads(RESIDENTS.read_text())]


def seed_residents(applications_table: str) -> int:
    store = DynamoApplicationStore(applications_table)
    items = residents()
    for resident in items:
        store.put_resident(resident)
    return len(items)
