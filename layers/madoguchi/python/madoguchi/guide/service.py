"""The procedure guide (迷わない窓口): a resident answers a few questions about a life event and gets the
procedures that apply, where to do them, what to bring and by when.

Rules are data, read by the one evaluator of madoguchi.life_events (`Question`, `Condition`):
- `data/guide/<event>.json`: one file per life event, its questions and the procedures that apply when.
  An event served by a one-stop case (`life_event`: bereavement, moving_in) takes the questions, department
  steps and remaining procedures of that case's own rules file, so the guide, the staff intake navigation and
  the departments of a one-stop case come from the same rules; the guide file only adds what happens before
  the case (e.g. the death notification).
- `data/guide/procedures.json`: what the resident needs to know about each procedure (office, documents,
  deadline, the catalogue entry that says whether it can be done online or at a kiosk).
- `data/guide/offices.json`: city divisions and outside offices, with counter and floor.
- `data/guide/documents.json`: the documents to bring, named once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from madoguchi.cases.life_events import Answer, InvalidAnswers, Question, check_answers, holds, life_event
from madoguchi.guide.models import (
    GUIDE_EVENT_IDS,
    GuideChecklist,
    GuideChecklistItem,
    GuideChecklistRequest,
    GuideData,
    GuideEvent,
    GuideEventList,
    GuideEventSummary,
    GuideEventView,
    GuideNavigation,
    GuideNavigationStep,
    GuidePlace,
    GuideProcedure,
    GuideQuestion,
    Office,
)
from madoguchi.procedures.models import Channel, Procedure
from madoguchi.procedures.store import ProcedureStore
from madoguchi.shared.auth import Caller, Role, require
from madoguchi.shared.errors import InvalidInput, NotFound
from madoguchi.shared.i18n import Lang, pick

DATA_DIR = Path(__file__).parent / "data"


@dataclass(frozen=True)
class GuideDeps:
    procedures: ProcedureStore

    def catalogue(self) -> dict[str, Procedure]:
        return {p.id: p for p in self.procedures.list()}


def _read(name: str) -> str:
    return (DATA_DIR / name).read_text(encoding="utf-8")


@cache
def guide_data() -> GuideData:
    import json

    procedures = [GuideProcedure.model_validate(p) for p in json.loads(_read("procedures.json"))]
    events = [GuideEvent.model_validate_json(_read(f"events/{event_id}.json")) for event_id in GUIDE_EVENT_IDS]
    return GuideData(
        events={e.id: e for e in sorted(events, key=lambda e: e.order)},
        procedures={p.id: p for p in procedures},
        offices={k: Office.model_validate(v) for k, v in json.loads(_read("offices.json")).items()},
        documents=json.loads(_read("documents.json")),
    )


def guide_event(event_id: str) -> GuideEvent:
    if event_id not in GUIDE_EVENT_IDS:
        raise NotFound()
    return guide_data().events[event_id]


# --- Logic -----------------------------------------------------------------------------------------------


def summary(event: GuideEvent, lang: Lang) -> GuideEventSummary:
    return GuideEventSummary(
        id=event.id, name=pick(event.name, lang), date_label=pick(event.date_label, lang), one_stop=event.life_event
    )


def list_events(*, lang: Lang) -> GuideEventList:
    return GuideEventList(lang=lang, events=[summary(e, lang) for e in guide_data().events.values()])


def describe(event_id: str, *, lang: Lang) -> GuideEventView:
    event = guide_event(event_id)
    questions = [
        GuideQuestion(
            id=q.id,
            kind=q.kind,
            text=pick(q.text, lang),
            choices=[{"id": c, "label": pick(q.choice_labels[c], lang)} for c in q.choices],
        )
        for q in event.all_questions()
    ]
    return GuideEventView(**summary(event, lang).model_dump(), questions=questions)


def applicable(event: GuideEvent, answers: Mapping[str, Answer]) -> list[GuideProcedure]:
    """The procedures whose rule holds, in the event's order (raises InvalidAnswers for bad answers)."""
    try:
        check_answers(_Questions(event.all_questions()), answers)
    except InvalidAnswers as e:
        raise InvalidInput([(["body", "answers", question], problem) for question, problem in e.fields]) from e
    data = guide_data()
    return [data.procedures[i.procedure] for i in event.all_items() if holds(i.when, answers)]


class _Questions:
    def __init__(self, questions: list[Question]) -> None:
        self.questions = questions


def place(office_id: str, lang: Lang) -> GuidePlace:
    office = guide_data().offices[office_id]
    return GuidePlace(
        office=office_id,
        name=pick(office.name, lang),
        counter=pick(office.counter, lang) if office.counter else None,
        floor=office.floor,
        city_hall=office.city_hall,
    )


def item(
    procedure: GuideProcedure, event_date: date, catalogue: Mapping[str, Procedure], lang: Lang
) -> GuideChecklistItem:
    data = guide_data()
    listed = catalogue.get(procedure.catalogue) if procedure.catalogue else None
    channels: list[Channel] = list(listed.channels) if listed else ["counter"]
    if procedure.online_url and "online" not in channels:
        channels = ["online", *channels]
    link = procedure.online_url or (f"/?procedure={listed.id}" if listed else None)
    office = data.offices[procedure.office]
    return GuideChecklistItem(
        procedure_id=procedure.id,
        name=pick(procedure.name, lang),
        department=procedure.office if office.city_hall else None,
        place=place(procedure.office, lang),
        documents=[pick(data.documents[d], lang) for d in procedure.documents],
        deadline=procedure.deadline.due(event_date) if procedure.deadline else None,
        deadline_days=procedure.deadline.days if procedure.deadline else None,
        timing=pick(procedure.timing, lang) if procedure.timing else None,
        channels=channels,
        online="online" in channels,
        kiosk="kiosk" in channels,
        fee_yen=listed.fee_yen if listed else None,
        link=link,
    )


def checklist(request: GuideChecklistRequest, deps: GuideDeps, *, lang: Lang) -> GuideChecklist:
    """Applicable procedures, soonest deadline first (those without a fixed term keep the event's order)."""
    return _checklist(request, deps.catalogue(), lang)


def _checklist(request: GuideChecklistRequest, catalogue: Mapping[str, Procedure], lang: Lang) -> GuideChecklist:
    event = guide_event(request.event)
    items = [item(p, request.event_date, catalogue, lang) for p in applicable(event, request.answers)]
    items.sort(key=lambda i: (i.deadline is None, i.deadline or request.event_date))
    return GuideChecklist(lang=lang, event=summary(event, lang), event_date=request.event_date, items=items)


def navigation(
    request: GuideChecklistRequest, caller: Caller | None, deps: GuideDeps, *, lang: Lang
) -> GuideNavigation:
    """The staff intake view (staff of any department): the same checklist by city department, with what to
    check and explain."""
    from madoguchi.cases.life_events import plan

    require(caller, Role.STAFF)
    listed = checklist(request, deps, lang=lang)
    event = guide_event(request.event)
    points: dict[str, tuple[list[str], list[str]]] = {}
    one_stop: list[str] = []
    if event.life_event:
        case_event = life_event(event.life_event)
        answers = {k: v for k, v in request.answers.items() if k in {q.id for q in case_event.questions}}
        for planned in plan(case_event, answers).steps:
            one_stop.append(planned.department)
            for p in planned.procedures:
                points[p.id] = ([pick(c, lang) for c in p.check], [pick(e, lang) for e in p.explain])
    steps: dict[str, GuideNavigationStep] = {}
    elsewhere: list[GuideChecklistItem] = []
    for entry in listed.items:
        if entry.department is None:
            elsewhere.append(entry)
            continue
        step = steps.get(entry.department)
        if step is None:
            step = steps[entry.department] = GuideNavigationStep(
                department=entry.department, name=entry.place.name, place=entry.place, items=[], check=[], explain=[]
            )
        step.items.append(entry)
        check, explain = points.get(entry.procedure_id, ([], []))
        step.check.extend(check)
        step.explain.extend(explain)
    return GuideNavigation(
        lang=lang,
        event=listed.event,
        event_date=request.event_date,
        one_stop_departments=one_stop,
        steps=list(steps.values()),
        elsewhere=elsewhere,
    )


def ics(listed: GuideChecklist) -> bytes:
    """An iCalendar file with one all-day event (and a reminder two days before) per deadline."""
    from icalendar import Alarm, Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//Madoguchi//procedure guide//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-timezone", "Asia/Tokyo")
    for entry in listed.items:
        if entry.deadline is None:
            continue
        event = Event()
        event.add("uid", f"{listed.event.id}-{listed.event_date.isoformat()}-{entry.procedure_id}@madoguchi")
        event.add("summary", entry.name)
        event.add("dtstart", entry.deadline)
        event.add("dtend", entry.deadline + timedelta(days=1))
        event.add("dtstamp", _stamp())
        where = " ".join(part for part in (entry.place.name, entry.place.counter, entry.place.floor) if part)
        event.add("location", where)
        event.add("description", "\n".join([*entry.documents, *([entry.link] if entry.link else [])]))
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", entry.name)
        alarm.add("trigger", timedelta(days=-2))
        event.add_component(alarm)
        calendar.add_component(event)
    return bytes(calendar.to_ical())


def _stamp() -> object:
    from datetime import UTC, datetime

    return datetime.now(UTC).replace(microsecond=0)
