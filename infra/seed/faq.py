"""Seed the FAQ table from madoguchi/data/faq/*.json. Idempotent: an entry already there (perhaps edited by
staff since) is left as it is; only missing entries are added, each as version 1."""

from __future__ import annotations

from madoguchi.faq.dynamodb import DynamoFaqStore
from madoguchi.faq.models import seed_entries
from madoguchi.shared.errors import Conflict


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
