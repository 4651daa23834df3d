"""The card's four items match the resident record they came from, and nobody else's."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from madoguchi.kiosk.matching import FourItems, lookup_key, matches

SEED = Path(__file__).resolve().parents[2] / "infra" / "seed" / "residents.json"


def records() -> dict[str, FourItems]:
    return {
        r["id"]: FourItems(r["name"], r["address"], r["date_of_birth"], r["sex"])
        for r in json.loads(SEED.read_text(encoding="utf-8"))
    }


def test_resident_1_s_card_matches_her_record_only() -> None:
    card = FourItems("市民 一郎", "三重県四日市市諏訪町1番5号", "1985-04-12", "male")
    assert [rid for rid, record in records().items() if matches(card, record)] == ["resident-1"]


def test_writing_differences_do_not_matter() -> None:
    record = records()["resident-1"]
    card = FourItems("市民　一郎", "三重県四日市市諏訪町１番５号", "1985-04-12", "male")  # full-width space and digits
    assert matches(card, record)
    assert lookup_key(card) == lookup_key(record)
    dashed = FourItems("Ana Souza", "三重県四日市市笹川4ー10", "1992-02-03", "female")
    assert matches(dashed, replace(dashed, address="三重県四日市市笹川4－10"))


@pytest.mark.parametrize(
    "change",
    [
        {"name": "市民 一朗"},
        {"address": "三重県四日市市諏訪町1番6号"},  # moved, card not updated
        {"date_of_birth": "1985-04-13"},
        {"sex": "female"},
    ],
)
def test_any_real_difference_refuses(change: dict[str, str]) -> None:
    record = records()["resident-1"]
    assert not matches(replace(record, **change), record)


def test_a_stranger_matches_nobody() -> None:
    stranger = FourItems("他市 太郎", "愛知県名古屋市中区三の丸3丁目1番1号", "1970-01-01", "male")
    assert not any(matches(stranger, record) for record in records().values())
