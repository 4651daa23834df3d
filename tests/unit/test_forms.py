"""Each procedure's form: complete, translated, and its validation rules."""

from __future__ import annotations

from typing import Any

import pytest

from infra.seed import procedures
from madoguchi.applications.forms import form, form_ids, validate, view
from madoguchi.shared.i18n import LANGS

APPLICANT = {
    "applicant_name": "市民 一郎",
    "applicant_address": "三重県四日市市諏訪町1番5号",
    "applicant_date_of_birth": "1985-04-12",
    "phone": "059-354-8111",
}
VALID: dict[str, dict[str, Any]] = {
    "juminhyo": {
        **APPLICANT,
        "subject": "member",
        "member_names": "市民 花子",
        "copies": 2,
        "include_honseki": True,
        "purpose": "other",
        "purpose_detail": "年金の手続",
        "delivery": "post",
    },
    "inkan-toroku-shomei": {**APPLICANT, "copies": 1, "purpose": "vehicle"},
    "koseki-shomei": {
        **APPLICANT,
        "kind": "tohon",
        "honseki": "四日市市諏訪町1番",
        "head_of_register": "市民 一郎",
        "copies": 1,
        "purpose": "bank",
        "delivery": "pickup",
    },
    "shotoku-kazei-shomei": {**APPLICANT, "fiscal_year": 2026, "copies": 1, "purpose": "visa", "delivery": "post"},
    "jido-teate": {
        **APPLICANT,
        "child_name": "市民 次郎",
        "child_date_of_birth": "2021-01-01",
        "children_count": 1,
        "bank_name": "百五銀行",
        "branch_name": "本店",
        "account_number": "0123456",
    },
    "kodomo-iryohi-josei": {
        **APPLICANT,
        "child_name": "市民 次郎",
        "child_date_of_birth": "2021-01-01",
        "insurance_type": "shakai",
    },
    "kokyobutsu-shiyo-kyoka": {
        **APPLICANT,
        "location": "諏訪町地内 市道",
        "use_purpose": "足場の設置",
        "area_m2": 12,
        "start_date": "2026-12-01",
        "end_date": "2026-12-10",
    },
    "tennyu-todoke": {
        "applicant_name": "Ana Souza",
        "applicant_date_of_birth": "1992-02-03",
        "sex": "female",
        "previous_address": "静岡県浜松市中区1-1",
        "new_address": "四日市市笹川4丁目10番地",
        "moved_on": "2026-11-20",
        "household_size": 2,
        "phone": "080-2345-6789",
    },
}


def reasons(procedure: str, answers: dict[str, Any], complete: bool = True) -> dict[str, str]:
    found = form(procedure)
    assert found is not None
    return {str(path[-1]): reason for path, reason in validate(found, answers, complete=complete)}


def test_every_catalogue_procedure_has_a_form():
    assert sorted(p.id for p in procedures()) == form_ids()


@pytest.mark.parametrize("procedure", sorted(VALID))
def test_valid_answers_pass_and_every_label_is_in_six_languages(procedure: str):
    assert reasons(procedure, VALID[procedure]) == {}
    found = form(procedure)
    assert found is not None
    for field in found.fields:
        assert set(field.label) == set(LANGS), (procedure, field.id)
        for choice in field.choices:
            assert set(choice.label) == set(LANGS), (procedure, field.id, choice.value)
    for attachment in found.attachments:
        assert set(attachment.label) == set(LANGS)
    for lang in LANGS:
        assert all(f.label for f in view(found, lang).fields)


@pytest.mark.parametrize("procedure", sorted(VALID))
def test_a_draft_may_be_empty_but_a_submission_may_not(procedure: str):
    assert reasons(procedure, {}, complete=False) == {}
    missing = reasons(procedure, {})
    assert missing and set(missing.values()) == {"field_missing"}


def test_juminhyo_rules():
    base = VALID["juminhyo"]
    assert reasons("juminhyo", {**base, "copies": 11}) == {"copies": "out_of_range"}
    assert reasons("juminhyo", {**base, "copies": "2"}) == {"copies": "wrong_type"}
    assert reasons("juminhyo", {**base, "copies": True}) == {"copies": "wrong_type"}
    assert reasons("juminhyo", {**base, "delivery": "fax"}) == {"delivery": "choice_invalid"}
    assert reasons("juminhyo", {**base, "include_honseki": "yes"}) == {"include_honseki": "wrong_type"}
    # member names only when some members are asked for; purpose details only for "other"
    assert reasons("juminhyo", {**base, "subject": "self"}) == {"member_names": "field_not_applicable"}
    without = {k: v for k, v in base.items() if k != "purpose_detail"}
    assert reasons("juminhyo", without) == {"purpose_detail": "field_missing"}
    assert reasons("juminhyo", {**base, "unknown": 1}) == {"unknown": "field_unknown"}
    assert reasons("juminhyo", {**base, "phone": "not a phone"}) == {"phone": "phone_invalid"}
    assert reasons("juminhyo", {**base, "applicant_name": "x" * 61}) == {"applicant_name": "too_long"}


def test_fee_units_follow_copies():
    found = form("juminhyo")
    assert found is not None and found.units({"copies": 3}) == 3 and found.units({}) == 1


def test_dates_and_patterns():
    assert reasons("jido-teate", {**VALID["jido-teate"], "account_number": "12345"}) == {
        "account_number": "pattern_mismatch"
    }
    assert reasons("jido-teate", {**VALID["jido-teate"], "child_date_of_birth": "2021-02-30"}) == {
        "child_date_of_birth": "date_invalid"
    }
    permit = VALID["kokyobutsu-shiyo-kyoka"]
    assert reasons("kokyobutsu-shiyo-kyoka", {**permit, "end_date": "2026-11-30"}) == {"end_date": "date_before_start"}
    assert reasons("shotoku-kazei-shomei", {**VALID["shotoku-kazei-shomei"], "fiscal_year": 2019}) == {
        "fiscal_year": "out_of_range"
    }


def test_children_allowance_asks_the_tax_division_not_the_resident():
    found = form("jido-teate")
    assert found is not None
    assert [v.department for v in found.verifications] == ["zei"]
    assert all("証明" not in a.label["ja"] for a in found.attachments)


def test_counter_only_procedures_say_where_and_how():
    for p in procedures():
        found = form(p.id)
        assert found is not None
        if "online" not in p.channels:
            assert found.counter_note is not None and set(found.counter_note) == set(LANGS), p.id


def test_unknown_or_malicious_form_ids():
    assert form("nope") is None and form("../procedures") is None
