"""Demo facilities (施設) for reservations, written through the reservation store's port."""

from __future__ import annotations

import json

from infra.seed import SEED_DIR
from madoguchi.reservations.dynamodb import DynamoReservationStore
from madoguchi.reservations.facilities import Facility


def facilities() -> list[Facility]:
    return [Facility.model_validate(f) for f in json.loads((SEED_DIR / "facilities.json").read_text())]


def seed_facilities(reservations_table: str) -> int:
    """Write the demo facilities; idempotent (puts overwrite by key)."""
    store = DynamoReservationStore(reservations_table)
    items = facilities()
    for facility in items:
        store.put_facility(facility)
    return len(items)
