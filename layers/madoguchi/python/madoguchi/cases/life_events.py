"""Life events (ライフイベント) served at the one-stop counter: their questions, rules and the plan they give.

An event's rules are data (`data/life_events/<id>.json`): each department step and procedure, and each thing
left to the resident elsewhere (`remaining`), applies when its condition on the answers holds.

`Question`, `Condition` and `check_answers` are the project's one evaluator of rules-as-data: the resident
procedure guide (madoguchi.guide) reads these same files for bereavement and moving in, and its own files for
the other life events, with the same condition language.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Literal, Protocol, Self, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

from madoguchi.procedures.models import PROCEDURE_ID_PATTERN
from madoguchi.shared.errors import DomainError, NotFound
from madoguchi.shared.i18n import Localized

Answer = bool | str  # yes/no questions are answered with a bool, "choice" questions with one of their choices
EventId = Literal["bereavement", "moving_in"]
EVENT_IDS: tuple[str, ...] = get_args(EventId)
AnswerProblem = Literal["unknown_question", "wrong_type", "not_a_choice"]

# Departments whose staff work cases in the system; anything else is `remaining` for the resident.
STAFFED_DEPARTMENTS = frozenset({"shimin", "hoken", "zei", "shisan", "kodomo"})
QUESTION_ID_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"
DATA_DIR = Path(__file__).parent / "data"


class InvalidAnswers(DomainError):
    """Answers that do not fit the event's questions; `fields` is [(question_id, problem), ...]."""

    status = 422
    code = "validation_error"

    def __init__(self, fields: list[tuple[str, str]]) -> None:
        super().__init__(fields=fields)
        self.fields = fields


class Condition(BaseModel):
    """`{"answer": id, "is": value}`, `{"all": [...]}` or `{"any": [...]}`. A missing yes/no answer counts as
    false and a missing choice as none of the choices."""

    model_config = ConfigDict(extra="forbid", validate_by_name=True, validate_by_alias=True, serialize_by_alias=True)

    answer: str | None = None
    is_: Answer | None = Field(default=None, alias="is")
    all: list[Condition] | None = None
    any: list[Condition] | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Self:
        if sum(form is not None for form in (self.answer, self.all, self.any)) != 1:
            raise ValueError("a condition is exactly one of answer/is, all or any")
        if (self.answer is None) != (self.is_ is None):
            raise ValueError("answer and is go together")
        return self

    def holds(self, answers: Mapping[str, Answer]) -> bool:
        if self.all is not None:
            return all(c.holds(answers) for c in self.all)
        if self.any is not None:
            return any(c.holds(answers) for c in self.any)
        key = self.answer or ""
        if isinstance(self.is_, bool):
            return answers.get(key, False) is self.is_
        return answers.get(key) == self.is_

    def leaves(self) -> Iterator[Condition]:
        """The answer/is tests this condition is made of."""
        for part in (self.all or []) + (self.any or []):
            yield from part.leaves()
        if self.answer is not None:
            yield self


def holds(when: Condition | None, answers: Mapping[str, Answer]) -> bool:
    return when is None or when.holds(answers)


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=QUESTION_ID_PATTERN)
    kind: Literal["yes_no", "choice"]
    text: Localized
    choices: list[str] = Field(default_factory=list)
    choice_labels: dict[str, Localized] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _choices_fit_kind(self) -> Self:
        if self.kind == "yes_no" and (self.choices or self.choice_labels):
            raise ValueError(f"yes/no question {self.id} has choices")
        if self.kind == "choice":
            if not self.choices or len(set(self.choices)) != len(self.choices):
                raise ValueError(f"choice question {self.id} needs distinct choices")
            if set(self.choice_labels) != set(self.choices):
                raise ValueError(f"choice question {self.id} needs one label per choice")
        return self

    def problem_with(self, value: object) -> AnswerProblem | None:
        if self.kind == "yes_no":
            return None if isinstance(value, bool) else "wrong_type"
        if not isinstance(value, str):
            return "wrong_type"
        return None if value in self.choices else "not_a_choice"


class StepProcedure(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=PROCEDURE_ID_PATTERN)
    name: Localized
    check: list[Localized] = Field(description="What the department's clerk must verify")
    explain: list[Localized] = Field(description="What to tell the resident")
    when: Condition | None = None


class Step(BaseModel):
    model_config = ConfigDict(extra="forbid")

    department: str
    when: Condition | None = None
    procedures: list[StepProcedure] = Field(min_length=1)

    @model_validator(mode="after")
    def _staffed(self) -> Self:
        if self.department not in STAFFED_DEPARTMENTS:
            raise ValueError(f"{self.department} has no staff in the system: put its procedures in remaining")
        return self


class Remaining(BaseModel):
    """A procedure the resident does elsewhere (another office, or a division not in the system)."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=PROCEDURE_ID_PATTERN)
    name: Localized
    where: Localized
    when: Condition | None = None


class LifeEvent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: EventId
    name: Localized
    questions: list[Question]
    steps: list[Step]
    remaining: list[Remaining]

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        distinct("question", [q.id for q in self.questions])
        distinct("department", [s.department for s in self.steps])
        distinct("procedure", [p.id for s in self.steps for p in s.procedures])
        distinct("remaining", [r.id for r in self.remaining])
        check_conditions(self.questions, self._conditions())
        return self

    def _conditions(self) -> Iterator[Condition]:
        for step in self.steps:
            yield from _present([step.when, *(p.when for p in step.procedures)])
        yield from _present([r.when for r in self.remaining])


def check_conditions(questions: Sequence[Question], conditions: Iterable[Condition]) -> None:
    """Raises ValueError if a condition tests a question that does not exist or an answer it cannot have."""
    by_id = {q.id: q for q in questions}
    for when in conditions:
        for leaf in when.leaves():
            question = by_id.get(leaf.answer or "")
            if question is None:
                raise ValueError(f"condition on unknown question {leaf.answer}")
            if question.problem_with(leaf.is_) is not None:
                raise ValueError(f"condition on {leaf.answer} tests an impossible answer {leaf.is_!r}")


def _present(conditions: list[Condition | None]) -> Iterator[Condition]:
    return (c for c in conditions if c is not None)


def distinct(what: str, ids: list[str]) -> None:
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise ValueError(f"{what} repeated: {', '.join(repeated)}")


class PlannedStep(BaseModel):
    department: str
    procedures: list[StepProcedure]


class Plan(BaseModel):
    event: LifeEvent
    steps: list[PlannedStep]
    remaining: list[Remaining]


def life_event(event_id: str) -> LifeEvent:
    """The event's rules, loaded once per container. Raises NotFound for an unknown id."""
    if event_id not in EVENT_IDS:
        raise NotFound()
    return _load(event_id)


def life_events() -> list[LifeEvent]:
    return [life_event(event_id) for event_id in EVENT_IDS]


@cache
def _load(event_id: str) -> LifeEvent:
    return LifeEvent.model_validate_json((DATA_DIR / f"{event_id}.json").read_text(encoding="utf-8"))


class HasQuestions(Protocol):
    @property
    def questions(self) -> Sequence[Question]: ...


def check_answers(event: HasQuestions, answers: Mapping[str, object]) -> None:
    """Raises InvalidAnswers unless every answer names a question of the event and fits its kind."""
    questions = {q.id: q for q in event.questions}
    fields: list[tuple[str, str]] = []
    for question_id, value in answers.items():
        question = questions.get(question_id)
        problem = "unknown_question" if question is None else question.problem_with(value)
        if problem is not None:
            fields.append((question_id, problem))
    if fields:
        raise InvalidAnswers(fields)


def plan(event: LifeEvent, answers: Mapping[str, Answer]) -> Plan:
    """The department steps (in the event's order, only their applicable procedures) and what remains elsewhere."""
    check_answers(event, answers)
    steps = []
    for step in event.steps:
        if not holds(step.when, answers):
            continue
        procedures = [p for p in step.procedures if holds(p.when, answers)]
        if procedures:
            steps.append(PlannedStep(department=step.department, procedures=procedures))
    remaining = [r for r in event.remaining if holds(r.when, answers)]
    return Plan(event=event, steps=steps, remaining=remaining)
