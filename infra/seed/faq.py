"""Seed the FAQ table from madoguchi/data/faq/*.json. Idempotent: an entry already there (perhaps edited by
staff since) is left as it is; only missing entries are added, each as version 1."""

from __future__ import annotations

from madoguchi.adapters.faq_dynamodb import DynamoFaqStore
from madoguchi.errors import Conflict
from madoguchi.faq import seed_entries


def seed_faq(faq_table: str) -> int:
    store = DynamoFaqStore(faq_table)
    added = 0
    for entry in seed_entries():
        try:
            store.save(entry, expected_version=0)
            added += 1
        except Conflict:
            continue
    return added
