"""One contract for ProcedureStore, run against the in-memory fake and the DynamoDB adapter (moto, table from
the catalogue): every procedure listed once, by id; a put replaces."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from infra.seed import procedures as seed_procedures
from madoguchi.procedures.store import ProcedureStore
from tests.fakes.procedures import MemoryProcedureStore
from tests.integration.ports.emulated_table import emulated_table


@pytest.fixture(params=["memory", "dynamodb"])
def store(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[ProcedureStore]:
    if request.param == "memory":
        yield MemoryProcedureStore()
        return
    from madoguchi.procedures.dynamodb import DynamoProcedureStore

    with emulated_table(monkeypatch, "catalogue") as name:
        yield DynamoProcedureStore(name)


def test_the_catalogue_lists_each_procedure_once_by_id(store: ProcedureStore) -> None:
    assert store.list() == [] and store.get("juminhyo") is None
    seeded = seed_procedures()
    for procedure in reversed(seeded):
        store.put(procedure)
    assert store.list() == sorted(seeded, key=lambda p: p.id)
    assert store.get(seeded[0].id) == seeded[0]


def test_a_put_replaces_the_procedure(store: ProcedureStore) -> None:
    procedure = seed_procedures()[0]
    store.put(procedure)
    store.put(procedure.model_copy(update={"fee_yen": 450}))
    [stored] = store.list()
    assert stored.fee_yen == 450 and store.get(procedure.id) == stored
