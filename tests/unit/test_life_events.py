"""The one-stop life events: their rules (data/life_events/*.json) and the plan the answers give."""

from collections.abc import Iterator

import pytest
from pydantic import ValidationError

from infra.local.identity import DEMO_USERS
from madoguchi.cases.life_events import (
    EVENT_IDS,
    Condition,
    InvalidAnswers,
    LifeEvent,
    Plan,
    life_event,
    life_events,
    plan,
)
from madoguchi.shared.departments import DEPARTMENTS
from madoguchi.shared.errors import DomainError, NotFound

REQUIRED_LANGS = ("ja", "ja-easy", "en")
ALL_LANGS = ("ja", "ja-easy", "en", "pt", "vi", "zh")


def step_ids(p: Plan) -> list[str]:
    return [s.department for s in p.steps]


def procedure_ids(p: Plan) -> set[str]:
    return {proc.id for s in p.steps for proc in s.procedures}


def remaining_ids(p: Plan) -> set[str]:
    return {r.id for r in p.remaining}


# --- Every rule, with answers under which it applies and answers under which it does not -------------------

# (event, kind, id, answers that make it apply, answers that do not)
RULES = [
    # bereavement: hoken
    ("bereavement", "procedure", "kokuho-soshitsu", {"had_kokuho": True}, {"had_kokuho": False}),
    ("bereavement", "procedure", "kokuho-sosaihi", {"had_kokuho": True}, {"had_koki": True}),
    ("bereavement", "procedure", "koki-soshitsu", {"had_koki": True}, {"had_kokuho": True}),
    ("bereavement", "procedure", "koki-sosaihi", {"had_koki": True}, {"had_koki": False}),
    ("bereavement", "procedure", "kaigo-soshitsu", {"had_kaigo": True}, {"had_koki": True}),
    ("bereavement", "procedure", "kogaku-ryoyohi", {"had_koki": True}, {"had_kaigo": True}),
    ("bereavement", "procedure", "kogaku-ryoyohi", {"had_kokuho": True}, {"had_kokuho": False, "had_koki": False}),
    # bereavement: zei, shisan, kodomo (the step's condition) and their procedures
    ("bereavement", "step", "zei", {"was_taxpayer": True}, {"owned_property": True}),
    ("bereavement", "procedure", "juminzei-sozokunin", {"was_taxpayer": True}, {"was_taxpayer": False}),
    ("bereavement", "step", "shisan", {"owned_property": True}, {"was_taxpayer": True}),
    ("bereavement", "procedure", "kotei-sozokunin", {"owned_property": True}, {"owned_property": False}),
    (
        "bereavement",
        "procedure",
        "mitoki-kaoku",
        {"owned_property": True, "owned_unregistered_house": True},
        {"owned_property": True},
    ),
    (
        "bereavement",
        "procedure",
        "mitoki-kaoku",
        {"owned_property": True, "owned_unregistered_house": True},
        {"owned_unregistered_house": True},
    ),
    ("bereavement", "step", "kodomo", {"had_children_allowance": True}, {"had_children_allowance": False}),
    ("bereavement", "procedure", "jido-teate-shometsu", {"had_children_allowance": True}, {}),
    ("bereavement", "procedure", "kodomo-iryohi-henko", {"had_children_allowance": True}, {}),
    # bereavement: shimin
    ("bereavement", "procedure", "setainushi-henko", {"was_householder": "with_family"}, {"was_householder": "alone"}),
    ("bereavement", "procedure", "setainushi-henko", {"was_householder": "with_family"}, {"was_householder": "no"}),
    ("bereavement", "procedure", "inkan-haishi", {"had_inkan": True}, {"had_mynumber_card": True}),
    ("bereavement", "procedure", "mynumber-henno", {"had_mynumber_card": True}, {"had_inkan": True}),
    # bereavement: remaining
    ("bereavement", "remaining", "nenkin", {"received_pension": True}, {"received_pension": False}),
    ("bereavement", "remaining", "shogai-techo-henkan", {"had_disability_card": True}, {}),
    ("bereavement", "remaining", "suido-meigi", {"was_householder": "with_family"}, {"was_householder": "no"}),
    ("bereavement", "remaining", "suido-meigi", {"was_householder": "alone"}, {}),
    ("bereavement", "remaining", "sozoku-toki", {"owned_property": True}, {"was_taxpayer": True}),
    ("bereavement", "remaining", "jun-kakutei-shinkoku", {"was_taxpayer": True}, {"owned_property": True}),
    # moving_in: shimin
    ("moving_in", "procedure", "kaigai-tennyu", {"from_abroad": True}, {"from_abroad": False}),
    ("moving_in", "procedure", "mynumber-jusho-henko", {"has_mynumber_card": True}, {}),
    ("moving_in", "procedure", "inkan-toroku", {"wants_inkan": True}, {"wants_inkan": False}),
    # moving_in: hoken
    ("moving_in", "procedure", "kokuho-kanyu", {"join_kokuho": True}, {"from_abroad": True}),
    (
        "moving_in",
        "procedure",
        "kokumin-nenkin-kanyu",
        {"from_abroad": True, "join_kokuho": True},
        {"join_kokuho": True},
    ),
    (
        "moving_in",
        "procedure",
        "kokumin-nenkin-kanyu",
        {"from_abroad": True, "join_kokuho": True},
        {"from_abroad": True},
    ),
    ("moving_in", "procedure", "kaigo-shutoku", {"over_65": True}, {"has_care_certificate": True}),
    ("moving_in", "procedure", "kaigo-jukyu-shikaku", {"has_care_certificate": True}, {"over_65": True}),
    # moving_in: kodomo
    ("moving_in", "step", "kodomo", {"has_children": True}, {"children_school_age": True}),
    ("moving_in", "procedure", "jido-teate", {"has_children": True}, {"has_children": False}),
    ("moving_in", "procedure", "kodomo-iryohi-josei", {"has_children": True}, {}),
    # moving_in: remaining
    ("moving_in", "remaining", "gakko-tennyu", {"children_school_age": True}, {"has_children": True}),
    ("moving_in", "remaining", "inu-toroku", {"has_pet_dog": True}, {"has_pet_dog": False}),
    ("moving_in", "remaining", "shogai-techo-jusho", {"has_disability_card": True}, {}),
]

# Rules without a condition of their own: they apply whenever their step does (or always, for remaining).
UNCONDITIONAL = [
    ("bereavement", "remaining", "ginko-sozoku"),
    ("moving_in", "procedure", "tennyu-todoke"),
    ("moving_in", "remaining", "menkyo-jusho"),
]


def planned(p: Plan, kind: str) -> set[str]:
    return {"step": set(step_ids(p)), "procedure": procedure_ids(p), "remaining": remaining_ids(p)}[kind]


@pytest.mark.parametrize(
    ("event_id", "kind", "item", "applies", "does_not"), RULES, ids=[f"{r[0]}-{r[2]}-{i}" for i, r in enumerate(RULES)]
)
def test_each_rule_applies_only_when_its_answers_say_so(event_id, kind, item, applies, does_not):
    event = life_event(event_id)
    assert item in planned(plan(event, applies), kind)
    assert item not in planned(plan(event, does_not), kind)


@pytest.mark.parametrize(("event_id", "kind", "item"), UNCONDITIONAL)
def test_unconditional_rules_apply_with_no_answers(event_id, kind, item):
    assert item in planned(plan(life_event(event_id), {}), kind)


def rules_with_conditions(event: LifeEvent) -> Iterator[tuple[str, str]]:
    for step in event.steps:
        if step.when is not None:
            yield "step", step.department
        for proc in step.procedures:
            if proc.when is not None or step.when is not None:
                yield "procedure", proc.id
    for r in event.remaining:
        if r.when is not None:
            yield "remaining", r.id


@pytest.mark.parametrize("event_id", EVENT_IDS)
def test_every_rule_of_the_data_is_tested_here(event_id):
    event = life_event(event_id)
    tested = {(kind, item) for e, kind, item, *_ in RULES if e == event_id}
    assert set(rules_with_conditions(event)) == tested
    every = {("procedure", p.id) for s in event.steps for p in s.procedures}
    every |= {("remaining", r.id) for r in event.remaining}
    untested = every - tested - {(kind, item) for e, kind, item in UNCONDITIONAL if e == event_id}
    assert not untested


# --- Plans ------------------------------------------------------------------------------------------------


def test_a_typical_bereavement_goes_to_hoken_zei_and_shisan_with_the_pension_left_to_the_resident():
    # Given a resident on kokuho who drew a pension, owned a house and paid resident tax, with no children
    answers = {"had_kokuho": True, "received_pension": True, "owned_property": True, "was_taxpayer": True}

    # When the one-stop clerk opens the case
    p = plan(life_event("bereavement"), answers)

    # Then hoken, zei and shisan each get one step, in the event's order, and the pension office remains
    assert step_ids(p) == ["hoken", "zei", "shisan"]
    assert [proc.id for proc in p.steps[0].procedures] == ["kokuho-soshitsu", "kokuho-sosaihi", "kogaku-ryoyohi"]
    assert "nenkin" in remaining_ids(p)
    assert remaining_ids(p) == {"nenkin", "sozoku-toki", "jun-kakutei-shinkoku", "ginko-sozoku"}


def test_a_householder_with_family_adds_the_citizens_division_last():
    answers = {
        "had_kokuho": True,
        "received_pension": True,
        "owned_property": True,
        "was_taxpayer": True,
        "was_householder": "with_family",
    }
    p = plan(life_event("bereavement"), answers)
    assert step_ids(p) == ["hoken", "zei", "shisan", "shimin"]
    assert [proc.id for proc in p.steps[-1].procedures] == ["setainushi-henko"]


def test_a_step_with_no_applicable_procedure_is_left_out():
    # hoken and shimin have no condition of their own: with nothing answered, none of their procedures apply
    p = plan(life_event("bereavement"), {})
    assert p.steps == []
    assert remaining_ids(p) == {"ginko-sozoku"}


def test_only_the_applicable_procedures_of_a_step_are_kept():
    p = plan(life_event("bereavement"), {"had_kaigo": True})
    assert step_ids(p) == ["hoken"]
    assert [proc.id for proc in p.steps[0].procedures] == ["kaigo-soshitsu"]


def test_a_family_moving_in_from_abroad_goes_to_shimin_hoken_and_kodomo():
    answers = {"from_abroad": True, "join_kokuho": True, "has_children": True, "children_school_age": True}
    p = plan(life_event("moving_in"), answers)
    assert step_ids(p) == ["shimin", "hoken", "kodomo"]
    assert [proc.id for proc in p.steps[0].procedures] == ["tennyu-todoke", "kaigai-tennyu"]
    assert [proc.id for proc in p.steps[1].procedures] == ["kokuho-kanyu", "kokumin-nenkin-kanyu"]
    assert remaining_ids(p) == {"gakko-tennyu", "menkyo-jusho"}


def test_moving_in_always_has_the_moving_in_notification():
    assert step_ids(plan(life_event("moving_in"), {})) == ["shimin"]


def test_a_plan_carries_the_event():
    event = life_event("moving_in")
    assert plan(event, {}).event is event


# --- Answers are checked against the event's questions -----------------------------------------------------


def test_unknown_wrong_typed_and_impossible_answers_are_refused_with_each_field():
    answers = {
        "had_kokuho": "yes",
        "was_householder": "maybe",
        "has_pet_dog": True,
        "owned_property": 1,
        "received_pension": True,
    }
    with pytest.raises(InvalidAnswers) as refused:
        plan(life_event("bereavement"), answers)
    assert refused.value.fields == [
        ("had_kokuho", "wrong_type"),
        ("was_householder", "not_a_choice"),
        ("has_pet_dog", "unknown_question"),
        ("owned_property", "wrong_type"),
    ]


def test_invalid_answers_are_a_422_validation_error():
    with pytest.raises(DomainError) as refused:
        plan(life_event("moving_in"), {"from_abroad": None})
    assert (refused.value.status, refused.value.code) == (422, "validation_error")
    assert refused.value.params == {"fields": [("from_abroad", "wrong_type")]}


def test_a_choice_answered_with_a_bool_is_wrong_typed():
    with pytest.raises(InvalidAnswers) as refused:
        plan(life_event("bereavement"), {"was_householder": True})
    assert refused.value.fields == [("was_householder", "wrong_type")]


def test_questions_are_optional():
    assert plan(life_event("bereavement"), {"had_kokuho": True}).steps


# --- Loading ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("event_id", ["death", "", "../bereavement", "BEREAVEMENT"])
def test_an_unknown_event_is_not_found(event_id):
    with pytest.raises(NotFound):
        life_event(event_id)


def test_events_are_loaded_once():
    assert life_event("bereavement") is life_event("bereavement")
    assert [e.id for e in life_events()] == list(EVENT_IDS)


@pytest.mark.parametrize("event_id", EVENT_IDS)
def test_an_event_round_trips_through_json(event_id):
    event = life_event(event_id)
    assert LifeEvent.model_validate_json(event.model_dump_json()) == event
    assert '"is":' in event.model_dump_json()


# --- The data: texts, departments, consistency ----------------------------------------------------------


def texts(event: LifeEvent) -> Iterator[tuple[str, dict[str, str], tuple[str, ...]]]:
    """(where, text, languages it must have)."""
    yield "name", event.name, ALL_LANGS
    for q in event.questions:
        yield f"{q.id}.text", q.text, ALL_LANGS
        for choice, label in q.choice_labels.items():
            yield f"{q.id}.{choice}", label, ALL_LANGS
    for step in event.steps:
        for proc in step.procedures:
            yield f"{proc.id}.name", proc.name, ALL_LANGS
            for i, text in enumerate(proc.check):
                yield f"{proc.id}.check[{i}]", text, REQUIRED_LANGS
            for i, text in enumerate(proc.explain):
                yield f"{proc.id}.explain[{i}]", text, REQUIRED_LANGS
    for r in event.remaining:
        yield f"{r.id}.name", r.name, ALL_LANGS
        yield f"{r.id}.where", r.where, REQUIRED_LANGS


@pytest.mark.parametrize("event_id", EVENT_IDS)
def test_every_text_is_in_japanese_easy_japanese_and_english(event_id):
    missing = [
        (where, lang) for where, text, langs in texts(life_event(event_id)) for lang in langs if not text.get(lang)
    ]
    assert missing == []


@pytest.mark.parametrize("event_id", EVENT_IDS)
def test_texts_are_short(event_id):
    long = [where for where, text, _ in texts(life_event(event_id)) if len(text["ja"]) > 60]
    assert long == []


@pytest.mark.parametrize("event_id", EVENT_IDS)
def test_every_procedure_tells_the_clerk_what_to_check_and_explain(event_id):
    for step in life_event(event_id).steps:
        for proc in step.procedures:
            assert proc.check and proc.explain, proc.id


@pytest.mark.parametrize("event_id", EVENT_IDS)
def test_every_department_is_known_and_has_demo_staff(event_id):
    staffed = {u.department for u in DEMO_USERS if u.role == "staff"} - {"onestop"}
    for step in life_event(event_id).steps:
        assert step.department in DEPARTMENTS
        assert step.department in staffed


@pytest.mark.parametrize("event_id", EVENT_IDS)
def test_each_department_has_at_most_one_step_per_event(event_id):
    departments = [s.department for s in life_event(event_id).steps]
    assert len(departments) == len(set(departments))


def test_the_events_cover_shimin_hoken_and_kodomo():
    assert {"shimin", "hoken", "kodomo"} <= {s.department for s in life_event("moving_in").steps}
    assert {"hoken", "zei", "shisan", "kodomo", "shimin"} == {s.department for s in life_event("bereavement").steps}


def edited(event_id: str, change) -> dict:
    data = life_event(event_id).model_dump(by_alias=True)
    change(data)
    return data


def test_a_department_twice_in_one_event_is_refused():
    def repeat_hoken(data):
        data["steps"].append({**data["steps"][0], "procedures": [{**data["steps"][0]["procedures"][0], "id": "x"}]})

    with pytest.raises(ValidationError, match="department repeated: hoken"):
        LifeEvent.model_validate(edited("bereavement", repeat_hoken))


@pytest.mark.parametrize("department", ["onestop", "doro", "fukushi"])
def test_a_department_without_staff_in_the_system_is_refused(department):
    def move_step(data):
        data["steps"][0]["department"] = department

    with pytest.raises(ValidationError, match="no staff"):
        LifeEvent.model_validate(edited("bereavement", move_step))


@pytest.mark.parametrize(
    ("when", "message"),
    [
        ({"answer": "had_cat", "is": True}, "unknown question"),
        ({"answer": "had_kokuho", "is": "yes"}, "impossible answer"),
        ({"answer": "was_householder", "is": "sometimes"}, "impossible answer"),
        ({"all": [{"answer": "had_kokuho", "is": True}, {"answer": "was_householder", "is": True}]}, "impossible"),
    ],
)
def test_a_condition_on_an_unknown_question_or_impossible_answer_is_refused(when, message):
    def set_when(data):
        data["remaining"][0]["when"] = when

    with pytest.raises(ValidationError, match=message):
        LifeEvent.model_validate(edited("bereavement", set_when))


# --- Conditions ------------------------------------------------------------------------------------------


def cond(data: dict) -> Condition:
    return Condition.model_validate(data)


def test_a_missing_yes_no_answer_counts_as_no():
    assert not cond({"answer": "had_kokuho", "is": True}).holds({})
    assert cond({"answer": "had_kokuho", "is": False}).holds({})


def test_a_missing_choice_matches_no_choice():
    assert not cond({"answer": "was_householder", "is": "no"}).holds({})
    assert cond({"answer": "was_householder", "is": "no"}).holds({"was_householder": "no"})


def test_all_and_any_combine_conditions():
    a, b = {"answer": "a", "is": True}, {"answer": "b", "is": True}
    assert cond({"all": [a, b]}).holds({"a": True, "b": True})
    assert not cond({"all": [a, b]}).holds({"a": True})
    assert cond({"any": [a, b]}).holds({"b": True})
    assert not cond({"any": [a, b]}).holds({"a": False})
    assert cond({"any": [{"all": [a, b]}, {"answer": "c", "is": "x"}]}).holds({"c": "x"})


def test_a_condition_can_be_built_by_field_name():
    assert Condition(answer="a", is_=True).holds({"a": True})


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"answer": "a"},
        {"is": True},
        {"answer": "a", "is": True, "all": []},
        {"all": [], "any": []},
        {"answer": "a", "equals": True},
    ],
)
def test_a_condition_is_exactly_one_form(data):
    with pytest.raises(ValidationError):
        Condition.model_validate(data)
