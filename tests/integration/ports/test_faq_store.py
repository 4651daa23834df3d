"""One contract for FaqStore, run against the in-memory fake and the DynamoDB adapter (moto, table from the
catalogue): versioned saves guarded by the version edited, history and review questions newest first."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from madoguchi.faq.models import FaqEntry, FaqUnanswered
from madoguchi.faq.store import FaqStore
from madoguchi.shared.errors import Conflict, NotFound
from madoguchi.shared.i18n import LANGS
from tests.fakes.faq import MemoryFaqStore
from tests.integration.ports.emulated_table import emulated_table

NOW = datetime(2030, 5, 1, 1, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", "dynamodb"])
def store(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[FaqStore]:
    if request.param == "memory":
        yield MemoryFaqStore()
        return
    from madoguchi.faq.dynamodb import DynamoFaqStore

    with emulated_table(monkeypatch, "faq") as name:
        yield DynamoFaqStore(name)


def entry(entry_id: str, version: int, text: str = "q") -> FaqEntry:
    six = {lang: f"{text} {lang}" for lang in LANGS}
    return FaqEntry(id=entry_id, topic="hours", q=six, a=six, link="/guide/", version=version, updated_at=NOW)


def question(question_id: str) -> FaqUnanswered:
    return FaqUnanswered(
        id=question_id, text="[#]?", lang="ja", channel="web", best_entry=None, confidence=0.25, asked_at=NOW
    )


def test_an_empty_faq_has_version_zero(store: FaqStore) -> None:
    assert store.version() == 0 and store.entries() == [] and store.get("none") is None
    assert store.history("none") == []


def test_saves_are_guarded_by_the_version_edited_and_bump_the_faqs_version(store: FaqStore) -> None:
    store.save(entry("hours", 1), expected_version=0)
    with pytest.raises(Conflict):  # created twice
        store.save(entry("hours", 1, "other"), expected_version=0)
    store.save(entry("hours", 2, "new"), expected_version=1)
    with pytest.raises(Conflict):  # a lost update: someone saved version 2 first
        store.save(entry("hours", 2, "stale"), expected_version=1)
    assert store.get("hours") == entry("hours", 2, "new")
    assert [e.version for e in store.history("hours")] == [2, 1]
    assert store.version() == 2


def test_entries_are_listed_by_id(store: FaqStore) -> None:
    for entry_id in ("queue", "hours", "konbini"):
        store.save(entry(entry_id, 1), expected_version=0)
    assert [e.id for e in store.entries()] == ["hours", "konbini", "queue"]


def test_review_questions_newest_first_and_resolved_once(store: FaqStore) -> None:
    for minute in (1, 3, 2):
        store.add_unanswered(question(f"u2030050101{minute:02d}00aaaa"))
    with pytest.raises(Conflict):
        store.add_unanswered(question("u20300501010100aaaa"))
    assert [q.id for q in store.unanswered(2)] == ["u20300501010300aaaa", "u20300501010200aaaa"]
    store.resolve_unanswered("u20300501010300aaaa")
    with pytest.raises(NotFound):
        store.resolve_unanswered("u20300501010300aaaa")
    assert [q.id for q in store.unanswered(10)] == ["u20300501010200aaaa", "u20300501010100aaaa"]
    assert store.unanswered(10)[0].confidence == pytest.approx(0.25)


def test_asked_at_survives_the_round_trip(store: FaqStore) -> None:
    store.add_unanswered(question("u1"))
    assert store.unanswered(1)[0].asked_at == NOW
