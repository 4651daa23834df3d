"""Demo resident records for the kiosk: the four items a card is matched with, and what its certificates show
(住民票の写し; the registered seal of resident-1; tax years of resident-1 and resident-pt; the 戸籍 of resident-1,
whose 本籍 is in the city — resident-2's is elsewhere and resident-pt, a foreign resident, has none). The city loads
its 住民記録, 印鑑登録原票, 課税台帳 and 戸籍 the same way."""

from __future__ import annotations

import json
from typing import Any

from infra.seed import SEED_DIR
from madoguchi.kiosk.dynamodb import DynamoFamilyRegisters, DynamoResidentDirectory, DynamoResidentRecords
from madoguchi.kiosk.matching import FourItems, lookup_key
from madoguchi.kiosk.models import FamilyRegister, HouseholdMember, ResidentRecord, SealRegistration, TaxYear


def resident_record(record: dict[str, Any]) -> ResidentRecord:
    """The seed's resident as the records port holds it: the resident first, then the rest of the household."""
    me = HouseholdMember(
        name=record["name"],
        date_of_birth=record["date_of_birth"],
        sex=record["sex"],
        relationship=record["relationship"],
        became_resident_on=record["became_resident_on"],
    )
    others = [HouseholdMember.model_validate(member) for member in record.get("household", [])]
    return ResidentRecord(
        id=record["id"],
        address=record["address"],
        household_head=record["household_head"],
        members=[me, *others],
        seal=SealRegistration.model_validate(record["seal"]) if "seal" in record else None,
        tax_years=[TaxYear.model_validate(year) for year in record.get("tax_years", [])],
    )


def family_registers() -> dict[str, FamilyRegister]:
    """The demo 戸籍 this city keeps, by the id of each resident listed in one."""
    registers = json.loads((SEED_DIR / "family_registers.json").read_text(encoding="utf-8"))
    return {
        resident_id: FamilyRegister.model_validate({k: v for k, v in entry.items() if k != "resident_ids"})
        for entry in registers
        for resident_id in entry["resident_ids"]
    }


def seed_kiosk_residents(kiosk_table: str) -> int:
    """The demo residents' four items and records (resident-1 is the emulated card's holder); idempotent."""
    directory = DynamoResidentDirectory(kiosk_table)
    records = DynamoResidentRecords(kiosk_table)
    residents = json.loads((SEED_DIR / "residents.json").read_text(encoding="utf-8"))
    for resident in residents:
        items = FourItems(resident["name"], resident["address"], resident["date_of_birth"], resident["sex"])
        directory.put(resident["id"], lookup_key(items), items)
        records.put(resident_record(resident))
    registers = DynamoFamilyRegisters(kiosk_table)
    for resident_id, register in family_registers().items():
        registers.put(resident_id, register)
    return len(residents)
