"""The guide's rules as data (events, procedures, offices, documents) and the shapes its API answers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from madoguchi.cases.life_events import Answer, Condition, Question, check_conditions, distinct, life_event
from madoguchi.procedures.models import PROCEDURE_ID_PATTERN, Channel
from madoguchi.shared.i18n import Lang, Localized

GuideEventId = Literal[
    "pregnancy",
    "birth",
    "marriage",
    "divorce",
    "moving_in",
    "moving_out",
    "moving_within",
    "death",
    "employment",
    "independence",
]
GUIDE_EVENT_IDS: tuple[str, ...] = GuideEventId.__args__  # type: ignore[attr-defined]


class Deadline(BaseModel):
    """`days` after the event. Notifications under the Family Register Act (戸籍法) count the day of the event
    itself (初日算入: a birth on 1 April must be notified by 14 April); the Civil Code's rule (民法140条, 初日不算入)
    applies to the rest (moving in on 1 April: by 15 April)."""

    model_config = ConfigDict(extra="forbid")

    days: int = Field(ge=0)
    first_day_counts: bool = False

    def due(self, event_date: date) -> date:
        return event_date + timedelta(days=self.days - 1 if self.first_day_counts else self.days)


class GuideProcedure(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=PROCEDURE_ID_PATTERN)
    name: Localized
    office: str
    documents: list[str] = Field(default_factory=list, description="ids in documents.json")
    deadline: Deadline | None = None
    timing: Localized | None = Field(default=None, description="When there is no deadline in days, e.g. before moving")
    catalogue: str | None = Field(default=None, description="Procedure id in GET /procedures (channels, fee)")
    online_url: str | None = Field(default=None, description="An online service outside the city's site")


class Office(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Localized
    counter: Localized | None = None
    floor: str | None = None
    city_hall: bool = False


class GuideItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    procedure: str
    when: Condition | None = None


class GuideEvent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: GuideEventId
    order: int
    name: Localized
    date_label: Localized = Field(description="What the event date means, e.g. the day of death")
    life_event: str | None = Field(default=None, description="The one-stop case whose rules this event shares")
    questions: list[Question] = Field(default_factory=list)
    items: list[GuideItem] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        distinct("question", [q.id for q in self.all_questions()])
        distinct("procedure", [item.procedure for item in self.all_items()])
        check_conditions(self.all_questions(), (i.when for i in self.all_items() if i.when is not None))
        return self

    def all_questions(self) -> list[Question]:
        shared = life_event(self.life_event).questions if self.life_event else []
        return [*shared, *self.questions]

    def all_items(self) -> list[GuideItem]:
        """The event's own items first (they come before a case), then the one-stop case's rules."""
        return [*self.items, *_case_items(self.life_event)] if self.life_event else list(self.items)


def _both(first: Condition | None, second: Condition | None) -> Condition | None:
    present = [c for c in (first, second) if c is not None]
    if len(present) < 2:
        return present[0] if present else None
    return Condition(all=present)


def _case_items(event_id: str) -> Iterator[GuideItem]:
    event = life_event(event_id)
    for step in event.steps:
        for procedure in step.procedures:
            yield GuideItem(procedure=procedure.id, when=_both(step.when, procedure.when))
    for remaining in event.remaining:
        yield GuideItem(procedure=remaining.id, when=remaining.when)


class GuideData(BaseModel):
    """Everything the guide reads, validated together once per container."""

    events: dict[str, GuideEvent]
    procedures: dict[str, GuideProcedure]
    offices: dict[str, Office]
    documents: dict[str, Localized]

    @model_validator(mode="after")
    def _references(self) -> Self:
        for procedure in self.procedures.values():
            if procedure.office not in self.offices:
                raise ValueError(f"{procedure.id}: unknown office {procedure.office}")
            missing = [d for d in procedure.documents if d not in self.documents]
            if missing:
                raise ValueError(f"{procedure.id}: unknown documents {missing}")
        for event in self.events.values():
            unknown = [i.procedure for i in event.all_items() if i.procedure not in self.procedures]
            if unknown:
                raise ValueError(f"{event.id}: unknown procedures {unknown}")
        return self


# --- API shapes ------------------------------------------------------------------------------------------


class GuideQuestion(BaseModel):
    id: str
    kind: Literal["yes_no", "choice"]
    text: str
    choices: list[dict[str, str]] = Field(default_factory=list, description="[{id, label}] for choice questions")


class GuideEventSummary(BaseModel):
    id: str
    name: str
    date_label: str
    one_stop: str | None = Field(description="Life-event id of the one-stop case the counter can open, if any")


class GuideEventView(GuideEventSummary):
    questions: list[GuideQuestion]


class GuideEventList(BaseModel):
    lang: Lang
    events: list[GuideEventSummary]


class GuideChecklistRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    event: str = Field(description="Guide event id, e.g. death", max_length=40)
    event_date: date = Field(
        description="The day of the event (YYYY-MM-DD): birth, death, moving …",
        ge=date(1900, 1, 1),
        le=date(2999, 12, 31),
    )
    answers: dict[str, Answer] = Field(default_factory=dict, max_length=40)


class GuidePlace(BaseModel):
    office: str
    name: str
    counter: str | None
    floor: str | None
    city_hall: bool


class GuideChecklistItem(BaseModel):
    procedure_id: str
    name: str
    department: str | None = Field(description="City department id (madoguchi.departments), None outside city hall")
    place: GuidePlace
    documents: list[str]
    deadline: date | None = Field(description="Last day, from the event date; None when there is no fixed term")
    deadline_days: int | None
    timing: str | None = Field(description="When there is no deadline in days")
    channels: list[Channel]
    online: bool
    kiosk: bool
    fee_yen: int | None
    link: str | None = Field(description="Where to do or read about it online")


class GuideChecklist(BaseModel):
    lang: Lang
    event: GuideEventSummary
    event_date: date
    items: list[GuideChecklistItem]


class GuideNavigationStep(BaseModel):
    department: str
    name: str
    place: GuidePlace
    items: list[GuideChecklistItem]
    check: list[str] = Field(description="What the clerk verifies (from the one-stop case's rules)")
    explain: list[str] = Field(description="What the clerk tells the resident")


class GuideNavigation(BaseModel):
    lang: Lang
    event: GuideEventSummary
    event_date: date
    one_stop_departments: list[str] = Field(
        description="Departments a one-stop case opened with these answers involves"
    )
    steps: list[GuideNavigationStep]
    elsewhere: list[GuideChecklistItem] = Field(description="Procedures at outside offices")
