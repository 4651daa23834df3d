"""One contract for the family-register port, run against the in-memory fake and the DynamoDB adapter (moto, the
kiosk table from the catalogue): the register of a listed resident comes back whole, anyone else's is None."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from infra.seed.kiosk import family_registers
from madoguchi.kiosk.store import FamilyRegisters
from tests.fakes.kiosk import MemoryFamilyRegisters
from tests.integration.ports.emulated_table import emulated_table

DEMO = family_registers()


@pytest.fixture(params=["memory", "dynamodb"])
def registers(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[FamilyRegisters]:
    if request.param == "memory":
        yield MemoryFamilyRegisters(DEMO)
        return
    from madoguchi.kiosk.dynamodb import DynamoFamilyRegisters

    with emulated_table(monkeypatch, "kiosk") as name:
        store = DynamoFamilyRegisters(name)
        for resident_id, register in DEMO.items():
            store.put(resident_id, register)
        yield store


def test_a_listed_resident_gets_the_whole_register_and_others_none(registers: FamilyRegisters) -> None:
    register = registers.register_of("resident-1")
    assert register == DEMO["resident-1"]
    assert register is not None and [m.name for m in register.members] == ["市民 一郎", "市民 美咲", "市民 桜"]
    assert register.members[0].status[1].kind == "marriage"
    for elsewhere in ("resident-2", "resident-pt", "nobody"):
        assert registers.register_of(elsewhere) is None
