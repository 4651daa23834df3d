"""One contract for LineLinkStore, run against the in-memory fake and the DynamoDB adapter (moto, table from the
catalogue): an authorisation in progress is taken once, links are per resident, unlinking is idempotent."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from madoguchi.messaging.models import LineLink, PendingLink
from madoguchi.messaging.store import LineLinkStore
from tests.fakes.messaging import MemoryLineLinkStore
from tests.integration.ports.emulated_table import emulated_table

NOW = datetime(2030, 5, 1, 1, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", "dynamodb"])
def store(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[LineLinkStore]:
    if request.param == "memory":
        yield MemoryLineLinkStore()
        return
    from madoguchi.messaging.dynamodb import DynamoLineLinkStore

    with emulated_table(monkeypatch, "messaging") as name:
        yield DynamoLineLinkStore(name)


def pending(state: str, resident: str = "resident-a") -> PendingLink:
    return PendingLink(
        state=state, resident=resident, nonce="n" * 43, code_verifier="v" * 43, expires_at=NOW + timedelta(minutes=10)
    )


def test_an_authorisation_is_taken_once(store: LineLinkStore) -> None:
    store.put_pending(pending("s" * 43))
    taken = store.take_pending("s" * 43)
    assert taken == pending("s" * 43)
    assert store.take_pending("s" * 43) is None
    assert store.take_pending("unknown" * 5) is None


def test_of_concurrent_takers_exactly_one_gets_it(store: LineLinkStore) -> None:
    store.put_pending(pending("c" * 43))
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: store.take_pending("c" * 43), range(4)))
    assert sum(r is not None for r in results) == 1


def test_links_are_per_resident_relinked_and_forgotten(store: LineLinkStore) -> None:
    a = LineLink(resident="resident-a", line_user_id="U" + "a" * 32, linked_at=NOW)
    store.put_link(a)
    assert store.get_link("resident-a") == a and store.get_link("resident-b") is None
    again = LineLink(resident="resident-a", line_user_id="U" + "b" * 32, linked_at=NOW + timedelta(days=1))
    store.put_link(again)
    assert store.get_link("resident-a") == again
    store.delete_link("resident-a")
    store.delete_link("resident-a")
    assert store.get_link("resident-a") is None
