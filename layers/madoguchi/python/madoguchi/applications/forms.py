"""Procedures as data: each procedure's form (typed fields, rules, help text in six languages), its attachments,
internal verifications and processing target, kept in madoguchi/data/forms/<procedure>.json next to the code.

Forms change with the code that validates them (a new field type needs both), so they ship in the layer and are
reviewed as data; the catalogue table keeps what the city edits often (fees, channels, where).
"""

from __future__ import annotations

import json
import re
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from madoguchi.shared.i18n import Lang, Localized, pick

FORMS_DIR = Path(__file__).resolve().parent / "data"

FieldType = Literal["text", "number", "date", "choice", "bool", "phone"]
# What the city or the card reader already knows: a form field marked with one of these is filled from it.
PrefillKey = Literal["name", "address", "date_of_birth", "sex", "phone"]
PHONE = re.compile(r"^0[0-9]{1,4}-?[0-9]{1,4}-?[0-9]{3,4}$")
MAX_TEXT = 500


class Choice(BaseModel):
    value: str
    label: Localized


class Condition(BaseModel):
    field: str
    equals: str | bool


class FormField(BaseModel):
    id: str
    type: FieldType
    required: bool = True
    label: Localized
    help: Localized | None = None
    max_length: int = MAX_TEXT
    min: int | None = None
    max: int | None = None
    pattern: str | None = None
    choices: list[Choice] = Field(default_factory=list)
    prefill: PrefillKey | None = None
    when: Condition | None = None  # asked (and required) only when another answer has this value
    after: str | None = None  # a date field that must not be earlier than this one
    fee_multiplier: bool = False  # the fee is per unit of this number (e.g. copies)


class AttachmentSpec(BaseModel):
    id: str
    required: bool = True
    label: Localized
    help: Localized | None = None


class VerificationSpec(BaseModel):
    """A certificate the city itself issues, checked by the owning department instead of asked for."""

    department: str
    certificate: Localized
    question: str


class Form(BaseModel):
    procedure: str
    identity_proof: bool
    processing_days: int = Field(ge=0)
    certificate: bool = Field(description="Staff issue a certificate (PDF) when approved")
    fields: list[FormField]
    attachments: list[AttachmentSpec] = Field(default_factory=list)
    verifications: list[VerificationSpec] = Field(default_factory=list)
    counter_note: Localized | None = None

    def field(self, field_id: str) -> FormField | None:
        return next((f for f in self.fields if f.id == field_id), None)

    def applies(self, f: FormField, answers: dict[str, Any]) -> bool:
        return f.when is None or answers.get(f.when.field) == f.when.equals

    def units(self, answers: dict[str, Any]) -> int:
        """How many units the fee is charged for (1 unless a field such as `copies` multiplies it)."""
        for f in self.fields:
            if f.fee_multiplier and isinstance(answers.get(f.id), int):
                return int(answers[f.id])
        return 1


@cache
def form(procedure_id: str) -> Form | None:
    path = FORMS_DIR / f"{procedure_id}.json"
    if not re.fullmatch(r"[a-z0-9-]+", procedure_id) or not path.is_file():
        return None
    return Form.model_validate(json.loads(path.read_text()))


def form_ids() -> list[str]:
    return sorted(p.stem for p in FORMS_DIR.glob("*.json"))


# --- validation ------------------------------------------------------------------------------------------------

Problem = tuple[list[str | int], str]


def validate(f: Form, answers: dict[str, Any], *, complete: bool) -> list[Problem]:
    """Problems of `answers` as (path, reason). A draft (`complete=False`) may leave fields empty."""
    problems: list[Problem] = []
    for name in answers:
        if f.field(name) is None:
            problems.append((["body", "answers", name], "field_unknown"))
    for spec in f.fields:
        path: list[str | int] = ["body", "answers", spec.id]
        value = answers.get(spec.id)
        if not f.applies(spec, answers):
            if value not in (None, ""):
                problems.append((path, "field_not_applicable"))
            continue
        if value is None or value == "":
            if complete and spec.required and spec.type != "bool":
                problems.append((path, "field_missing"))
            continue
        reason = _check(spec, value, answers)
        if reason:
            problems.append((path, reason))
    return problems


def _check(spec: FormField, value: Any, answers: dict[str, Any]) -> str | None:
    if spec.type in ("text", "phone"):
        if not isinstance(value, str):
            return "wrong_type"
        if len(value) > spec.max_length:
            return "too_long"
        if spec.type == "phone" and not PHONE.fullmatch(value):
            return "phone_invalid"
        if spec.pattern and not re.fullmatch(spec.pattern, value):
            return "pattern_mismatch"
        return None
    if spec.type == "number":
        if isinstance(value, bool) or not isinstance(value, int):
            return "wrong_type"
        if (spec.min is not None and value < spec.min) or (spec.max is not None and value > spec.max):
            return "out_of_range"
        return None
    if spec.type == "bool":
        return None if isinstance(value, bool) else "wrong_type"
    if spec.type == "choice":
        return None if isinstance(value, str) and value in {c.value for c in spec.choices} else "choice_invalid"
    # date
    parsed = _date(value)
    if parsed is None:
        return "date_invalid"
    if spec.after:
        start = _date(answers.get(spec.after))
        if start is not None and parsed < start:
            return "date_before_start"
    return None


def _date(value: Any) -> date | None:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


# --- what the API shows, in the caller's language ---------------------------------------------------------------


class ChoiceView(BaseModel):
    value: str
    label: str


class ConditionView(BaseModel):
    field: str
    equals: str | bool


class FieldView(BaseModel):
    id: str
    type: FieldType
    required: bool
    label: str
    help: str | None
    max_length: int
    min: int | None
    max: int | None
    pattern: str | None
    choices: list[ChoiceView]
    prefill: PrefillKey | None
    when: ConditionView | None


class AttachmentSpecView(BaseModel):
    id: str
    required: bool
    label: str
    help: str | None


class FormView(BaseModel):
    procedure: str
    identity_proof: bool
    processing_days: int
    fields: list[FieldView]
    attachments: list[AttachmentSpecView]
    not_asked: list[str] = Field(description="City-issued certificates checked internally instead of attached")
    counter_note: str | None


def view(f: Form, lang: Lang) -> FormView:
    return FormView(
        procedure=f.procedure,
        identity_proof=f.identity_proof,
        processing_days=f.processing_days,
        fields=[
            FieldView(
                id=x.id,
                type=x.type,
                required=x.required,
                label=pick(x.label, lang),
                help=pick(x.help, lang) if x.help else None,
                max_length=x.max_length,
                min=x.min,
                max=x.max,
                pattern=x.pattern,
                choices=[ChoiceView(value=c.value, label=pick(c.label, lang)) for c in x.choices],
                prefill=x.prefill,
                when=ConditionView(field=x.when.field, equals=x.when.equals) if x.when else None,
            )
            for x in f.fields
        ],
        attachments=[
            AttachmentSpecView(
                id=a.id, required=a.required, label=pick(a.label, lang), help=pick(a.help, lang) if a.help else None
            )
            for a in f.attachments
        ],
        not_asked=[pick(v.certificate, lang) for v in f.verifications],
        counter_note=pick(f.counter_note, lang) if f.counter_note else None,
    )
