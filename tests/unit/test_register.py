"""The procedure register (issue 15): every catalogue procedure carries its yearly volume, its legal basis for
online receipt and its channels, is written in six languages, and has a form that can actually be filled in."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from infra.seed import procedures
from madoguchi.applications import service as logic
from madoguchi.applications.forms import Form, form, validate
from madoguchi.applications.models import CreateApplication
from madoguchi.guide.service import guide_data
from madoguchi.procedures.models import Procedure
from madoguchi.procedures.service import ProcedureDeps, get_procedure
from madoguchi.shared.auth import Caller, Role
from madoguchi.shared.departments import DEPARTMENTS
from madoguchi.shared.i18n import LANGS, Localized
from tests.fakes.applications import MemoryApplicationStore, MemoryAttachments
from tests.fakes.procedures import MemoryProcedureStore

REGISTER = procedures()
IDS = [p.id for p in REGISTER]
# the procedures the issue names: they must be in the register
NAMED = {
    "kokuho-kanyu",
    "kokuho-dattai",
    "ninshin-todoke",
    "jido-teate",
    "inkan-toroku",
    "tenshutsu-todoke",
    "tenkyo-todoke",
    "inu-toroku",
    "juminhyo",
    "koseki-shomei",
    "shotoku-kazei-shomei",
    "nozei-shomei",
}


def texts(p: Procedure) -> list[tuple[str, Localized]]:
    found: list[tuple[str, Localized]] = [("name", p.name), ("summary", p.summary), ("where", p.where)]
    found += [(f"documents[{i}]", d) for i, d in enumerate(p.documents)]
    if p.deadline:
        found.append(("deadline", p.deadline))
    if p.online_receipt:
        found.append(("online_receipt.note", p.online_receipt.note))
    return found


def form_texts(f: Form) -> list[tuple[str, Localized]]:
    found: list[tuple[str, Localized]] = []
    for x in f.fields:
        found.append((x.id, x.label))
        if x.help:
            found.append((f"{x.id}.help", x.help))
        found += [(f"{x.id}.{c.value}", c.label) for c in x.choices]
    for a in f.attachments:
        found.append((a.id, a.label))
        if a.help:
            found.append((f"{a.id}.help", a.help))
    if f.counter_note:
        found.append(("counter_note", f.counter_note))
    return found


def valid_answers(f: Form) -> dict[str, Any]:
    """A complete, valid set of answers built from the form's own rules (every field asked is answered)."""
    answers: dict[str, Any] = {}
    for x in f.fields:
        if x.when is not None:
            continue  # conditional fields stay unasked: their condition's value is chosen below
        answers[x.id] = _value(x, answers)
    conditions = {x.when.field for x in f.fields if x.when is not None}
    for name in conditions:  # pick a value that does not open the condition, so the form is complete as is
        spec = f.field(name)
        assert spec is not None
        opened = {x.when.equals for x in f.fields if x.when is not None and x.when.field == name}
        if spec.type == "choice":
            answers[name] = next(c.value for c in spec.choices if c.value not in opened)
        elif spec.type == "bool":
            answers[name] = next(v for v in (False, True) if v not in opened)
    return answers


def _value(x: Any, answers: dict[str, Any]) -> Any:
    if x.type == "choice":
        return x.choices[0].value
    if x.type == "bool":
        return False
    if x.type == "number":
        return x.min if x.min is not None else 1
    if x.type == "phone":
        return "059-354-8111"
    if x.type == "date":
        return (date(2026, 1, 10) + timedelta(days=30 if x.after else 0)).isoformat()
    if x.pattern == "^[0-9]{10}$":
        return "0123456789"
    if x.pattern == "^[0-9]{7}$":
        return "0123456"
    assert x.pattern is None, f"add a sample for pattern {x.pattern}"
    return "四日市市諏訪町1番5号"[: x.max_length]


def test_the_register_holds_at_least_twenty_procedures_including_the_named_ones():
    assert len(REGISTER) >= 20
    assert len(set(IDS)) == len(IDS)
    assert set(IDS) >= NAMED


@pytest.mark.parametrize("procedure", REGISTER, ids=IDS)
def test_every_text_of_every_procedure_is_in_six_languages(procedure: Procedure):
    for where, text in texts(procedure):
        assert set(text) == set(LANGS), (procedure.id, where)
        assert all(value.strip() for value in text.values()), (procedure.id, where)
    assert procedure.documents, procedure.id
    assert procedure.department in DEPARTMENTS


@pytest.mark.parametrize("procedure", REGISTER, ids=IDS)
def test_every_procedure_has_a_volume_and_a_legal_basis(procedure: Procedure):
    assert procedure.volume is not None and procedure.volume.count > 0
    assert procedure.volume.fiscal_year == 2025 and procedure.volume.estimate  # demo data: never a real count
    receipt = procedure.online_receipt
    assert receipt is not None and receipt.law
    # the law decides the channel: allowed online means online here; counter only means never online
    assert ("online" in procedure.channels) == (receipt.basis != "counter_only"), procedure.id
    assert procedure.online_here == (receipt.basis == "allowed")
    assert (receipt.signed_service_url is not None) == (receipt.basis == "e_signature")


@pytest.mark.parametrize("procedure", REGISTER, ids=IDS)
def test_every_procedure_has_a_form_in_six_languages_that_can_be_completed(procedure: Procedure):
    found = form(procedure.id)
    assert found is not None and found.procedure == procedure.id
    for where, text in form_texts(found):
        assert set(text) == set(LANGS), (procedure.id, where)
    answers = valid_answers(found)
    assert validate(found, answers, complete=True) == [], procedure.id
    for spec in found.fields:
        if spec.after:
            assert found.field(spec.after) is not None, (procedure.id, spec.id)
    if not procedure.online_here:  # said where and how, since it is not submitted online here
        assert found.counter_note is not None, procedure.id


def test_the_detail_shows_the_basis_deadline_and_volume_in_the_asked_language():
    store = MemoryProcedureStore(REGISTER)
    tenshutsu = get_procedure("tenshutsu-todoke", ProcedureDeps(store), lang="pt")
    assert tenshutsu.online_receipt is not None and tenshutsu.online_receipt.basis == "e_signature"
    assert tenshutsu.online_receipt.signed_service_url == "https://myna.go.jp/"
    assert "My Number" in tenshutsu.online_receipt.note
    assert tenshutsu.deadline and "14" in tenshutsu.deadline
    assert tenshutsu.volume is not None and tenshutsu.volume.estimate
    assert tenshutsu.yearly_volume == tenshutsu.volume.count and not tenshutsu.online_here


def test_a_signed_only_procedure_filled_in_here_goes_to_the_counter_not_online():
    deps = logic.ApplicationDeps(MemoryApplicationStore(), MemoryProcedureStore(REGISTER), MemoryAttachments())
    resident = Caller(sub="resident-x", role=Role.RESIDENT)
    when = datetime(2026, 11, 27, 1, tzinfo=UTC)
    signed = logic.create(CreateApplication(procedure="kaigo-nintei", answers={}), resident, deps, when, lang="ja")
    allowed = logic.create(CreateApplication(procedure="kokuho-kanyu", answers={}), resident, deps, when, lang="ja")
    assert signed.channel == "counter" and allowed.channel == "online"


def test_the_guide_links_its_procedures_to_the_register():
    linked = {p.catalogue for p in guide_data().procedures.values() if p.catalogue}
    assert linked <= set(IDS)
    assert {"kokuho-kanyu", "tenshutsu-todoke", "ninshin-todoke", "inkan-toroku"} <= linked
