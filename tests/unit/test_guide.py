"""The procedure guide's rules (data/guide/*) and what the checklist makes of them."""

from datetime import date
from itertools import product

import pytest

from madoguchi.cases.life_events import life_event, plan
from madoguchi.guide.models import GUIDE_EVENT_IDS, Deadline, GuideChecklistRequest
from madoguchi.guide.service import (
    GuideDeps,
    applicable,
    checklist,
    describe,
    guide_data,
    guide_event,
    ics,
    navigation,
)
from madoguchi.procedures.models import Procedure
from madoguchi.shared.auth import Caller, Role
from madoguchi.shared.errors import Forbidden, InvalidInput, NotFound
from tests.fakes.procedures import MemoryProcedureStore

ALL_LANGS = ("ja", "ja-easy", "en", "pt", "vi", "zh")
DAY = date(2026, 4, 1)
STAFF = Caller(sub="staff-onestop", role=Role.STAFF, department="onestop")


def catalogue(*procedures: Procedure) -> GuideDeps:
    return GuideDeps(MemoryProcedureStore(list(procedures)))


def ids(event: str, answers: dict[str, bool | str]) -> list[str]:
    return [p.id for p in applicable(guide_event(event), answers)]


# (event, procedure, answers under which it applies, answers under which it does not)
RULES = [
    ("pregnancy", "ninshin-todoke", {}, None),
    ("pregnancy", "ninpu-kenshin", {}, None),
    ("pregnancy", "boshi-techo-foreign", {"wants_foreign_handbook": True}, {"parent_on_kokuho": True}),
    ("pregnancy", "shussan-ikuji-ichijikin", {"parent_on_kokuho": True}, {"wants_foreign_handbook": True}),
    ("birth", "shussei-todoke", {}, None),
    ("birth", "jido-teate", {}, None),
    ("birth", "kodomo-iryohi-josei", {}, None),
    ("birth", "kokuho-kanyu-baby", {"parent_on_kokuho": True}, {"parent_on_kokuho": False}),
    ("birth", "shussan-ikuji-ichijikin", {"parent_on_kokuho": True}, {"foreign_baby": True}),
    ("birth", "shussei-jukoku", {"foreign_baby": True}, {"parent_on_kokuho": True}),
    ("marriage", "konin-todoke", {}, None),
    ("marriage", "tenkyo-todoke", {"address_change": "within_city"}, {"address_change": "to_other_city"}),
    ("marriage", "tenshutsu-todoke", {"address_change": "to_other_city"}, {"address_change": "none"}),
    ("marriage", "mynumber-kisai-henko", {"name_changes": True, "has_mynumber_card": True}, {"name_changes": True}),
    (
        "marriage",
        "mynumber-jusho-henko",
        {"address_change": "within_city", "has_mynumber_card": True},
        {"address_change": "to_other_city", "has_mynumber_card": True},
    ),
    ("marriage", "inkan-saitoroku", {"name_changes": True, "has_inkan": True}, {"has_inkan": True}),
    ("marriage", "kokuho-dattai", {"on_kokuho": True, "joins_spouse_insurance": True}, {"on_kokuho": True}),
    ("marriage", "nenkin-shubetsu-henko", {"joins_spouse_insurance": True}, {"on_kokuho": True}),
    ("divorce", "rikon-todoke", {"divorce_kind": "agreement"}, {"divorce_kind": "court"}),
    ("divorce", "rikon-todoke-saiban", {"divorce_kind": "court"}, {"divorce_kind": "agreement"}),
    ("divorce", "tenkyo-todoke", {"address_change": "within_city"}, {"address_change": "none"}),
    ("divorce", "tenshutsu-todoke", {"address_change": "to_other_city"}, {"address_change": "within_city"}),
    ("divorce", "mynumber-kisai-henko", {"name_changes": True, "has_mynumber_card": True}, {"has_mynumber_card": True}),
    ("divorce", "inkan-saitoroku", {"name_changes": True, "has_inkan": True}, {"name_changes": True}),
    ("divorce", "kokuho-kanyu", {"was_dependant": True}, {"was_dependant": False}),
    ("divorce", "nenkin-shubetsu-henko", {"was_dependant": True}, {"raising_children": True}),
    ("divorce", "jido-teate", {"raising_children": True}, {"was_dependant": True}),
    ("divorce", "jido-fuyo-teate", {"raising_children": True}, {}),
    ("divorce", "hitorioya-iryohi", {"raising_children": True}, {"raising_children": False}),
    ("moving_out", "tenshutsu-todoke", {}, None),
    ("moving_out", "kokuho-soshitsu", {"on_kokuho": True}, {"has_children": True}),
    ("moving_out", "kaigo-soshitsu", {"has_care_insurance": True}, {"on_kokuho": True}),
    ("moving_out", "jido-teate-shometsu", {"has_children": True}, {"children_school_age": True}),
    ("moving_out", "kodomo-iryohi-henko", {"has_children": True}, {}),
    ("moving_out", "gakko-tenko", {"children_school_age": True}, {"has_children": True}),
    ("moving_out", "suido-kaishi", {}, None),
    ("moving_within", "tenkyo-todoke", {}, None),
    ("moving_within", "mynumber-jusho-henko", {"has_mynumber_card": True}, {"has_licence": True}),
    ("moving_within", "gakko-tenko", {"children_school_age": True}, {}),
    ("moving_within", "menkyo-jusho", {"has_licence": True}, {"has_dog": True}),
    ("moving_within", "shogai-techo-jusho", {"has_disability_card": True}, {}),
    ("moving_within", "inu-toroku", {"has_dog": True}, {"has_licence": True}),
    ("moving_within", "suido-kaishi", {}, None),
    ("death", "shibo-todoke", {}, None),
    ("death", "kaso-kyoka", {}, None),
    ("employment", "shakai-hoken-kanyu", {"change": "started"}, {"change": "left"}),
    ("employment", "kokuho-dattai", {"change": "started", "on_kokuho": True}, {"change": "left", "on_kokuho": True}),
    ("employment", "kokuho-kanyu", {"change": "left"}, {"change": "left", "continues_employer_insurance": True}),
    ("employment", "nenkin-shubetsu-henko", {"change": "left"}, {"change": "started"}),
    ("employment", "koyo-hoken", {"change": "left", "wants_benefits": True}, {"change": "left"}),
    ("employment", "nenkin-menjo", {"change": "left"}, {"change": "started", "wants_benefits": True}),
    ("independence", "tenkyo-todoke", {"where_to": "within_city"}, {"where_to": "to_other_city"}),
    ("independence", "tenshutsu-todoke", {"where_to": "to_other_city"}, {"where_to": "within_city"}),
    (
        "independence",
        "mynumber-jusho-henko",
        {"where_to": "within_city", "has_mynumber_card": True},
        {"where_to": "to_other_city", "has_mynumber_card": True},
    ),
    ("independence", "kokuho-kanyu", {"where_to": "within_city", "joins_kokuho": True}, {"joins_kokuho": True}),
    ("independence", "gakusei-nofu-tokurei", {"student_over_20": True}, {"joins_kokuho": True}),
    ("independence", "suido-kaishi", {}, None),
]


@pytest.mark.parametrize(("event", "procedure", "applies", "does_not"), RULES)
def test_each_rule_applies_exactly_when_its_condition_holds(event, procedure, applies, does_not):
    assert procedure in ids(event, applies)
    if does_not is not None:
        assert procedure not in ids(event, does_not)


def test_every_own_rule_of_every_event_is_in_the_table():
    tested = {(event, procedure) for event, procedure, *_ in RULES}
    for event in guide_data().events.values():
        for item in event.items:
            assert (event.id, item.procedure) in tested


@pytest.mark.parametrize("event_id", ["death", "moving_in"])
def test_events_with_a_one_stop_case_use_the_cases_own_rules(event_id):
    # Given the guide event that shares a one-stop case's rules
    event = guide_event(event_id)
    assert event.life_event
    case_event = life_event(event.life_event)
    yes_no = [q.id for q in case_event.questions if q.kind == "yes_no"]
    # Then for every pattern of the first answers, the guide lists exactly what the case plans, plus its own items
    for values in product([True, False], repeat=4):
        answers: dict[str, bool | str] = dict(zip(yes_no[:4], values, strict=True))
        planned = plan(case_event, answers)
        expected = [p.id for s in planned.steps for p in s.procedures] + [r.id for r in planned.remaining]
        own = [i.procedure for i in event.items]
        assert ids(event_id, answers) == own + expected


def test_every_event_has_questions_and_text_in_six_languages():
    data = guide_data()
    assert set(data.events) == set(GUIDE_EVENT_IDS)
    for event in data.events.values():
        assert set(event.name) == set(ALL_LANGS)
        assert set(event.date_label) == set(ALL_LANGS)
        for question in event.questions:
            assert set(question.text) == set(ALL_LANGS)
    for procedure in data.procedures.values():
        assert set(procedure.name) == set(ALL_LANGS), procedure.id
        assert procedure.deadline or procedure.timing, procedure.id
        if procedure.timing:
            assert set(procedure.timing) == set(ALL_LANGS)
    for office in data.offices.values():
        assert set(office.name) == set(ALL_LANGS)
    for text in data.documents.values():
        assert set(text) == set(ALL_LANGS)


def test_family_register_deadlines_count_the_day_of_the_event():
    # 戸籍法: a death on 1 April is notified by 7 April; a birth by 14 April
    assert Deadline(days=7, first_day_counts=True).due(DAY) == date(2026, 4, 7)
    assert Deadline(days=14, first_day_counts=True).due(DAY) == date(2026, 4, 14)
    # 住民基本台帳法 (Civil Code, 初日不算入): moving in on 1 April is notified by 15 April
    assert Deadline(days=14).due(DAY) == date(2026, 4, 15)


def test_death_checklist_has_the_death_notification_first_with_its_deadline_and_counter():
    listed = checklist(
        GuideChecklistRequest(event="death", event_date=DAY, answers={"had_kokuho": True}), catalogue(), lang="ja"
    )
    first = listed.items[0]
    assert first.procedure_id == "shibo-todoke"
    assert first.deadline == date(2026, 4, 7)
    assert first.department == "shimin"
    assert first.place.floor == "1F" and first.place.counter
    assert "死亡診断書（死体検案書）" in first.documents
    deadlines = [i.deadline for i in listed.items if i.deadline]
    assert deadlines == sorted(deadlines)
    assert all(i.deadline is None for i in listed.items[len(deadlines) :])


def test_moving_in_takes_channels_fee_and_link_from_the_catalogue():
    listed_proc = Procedure(
        id="tennyu-todoke",
        category="notification",
        department="shimin",
        fee_yen=0,
        channels=["kiosk", "counter"],
        name={"ja": "転入届"},
        summary={"ja": "-"},
        where={"ja": "1F"},
    )
    listed = checklist(GuideChecklistRequest(event="moving_in", event_date=DAY), catalogue(listed_proc), lang="en")
    tennyu = next(i for i in listed.items if i.procedure_id == "tennyu-todoke")
    assert tennyu.deadline == date(2026, 4, 15)
    assert tennyu.kiosk and not tennyu.online
    assert tennyu.link == "/?procedure=tennyu-todoke" and tennyu.fee_yen == 0
    assert tennyu.name == "Moving-in notification"


def test_moving_out_can_be_filed_online_with_the_my_number_card():
    listed = checklist(GuideChecklistRequest(event="moving_out", event_date=DAY), catalogue(), lang="vi")
    tenshutsu = next(i for i in listed.items if i.procedure_id == "tenshutsu-todoke")
    assert tenshutsu.online and tenshutsu.link and tenshutsu.link.startswith("https://")
    assert tenshutsu.deadline is None and tenshutsu.timing and "14" in tenshutsu.timing


def test_answers_that_do_not_fit_are_refused_with_their_paths():
    with pytest.raises(InvalidInput) as raised:
        checklist(
            GuideChecklistRequest(event="divorce", event_date=DAY, answers={"divorce_kind": "war", "x": True}),
            catalogue(),
            lang="ja",
        )
    assert sorted(raised.value.fields) == [
        (["body", "answers", "divorce_kind"], "not_a_choice"),
        (["body", "answers", "x"], "unknown_question"),
    ]


def test_unknown_event_is_not_found():
    with pytest.raises(NotFound):
        describe("wedding-anniversary", lang="ja")


def test_questions_of_a_shared_event_come_from_the_case():
    view = describe("death", lang="zh")
    assert [q.id for q in view.questions] == [q.id for q in life_event("bereavement").questions]
    assert view.one_stop == "bereavement"


def test_staff_navigation_groups_by_department_with_what_to_check():
    answers: dict[str, bool | str] = {"had_kokuho": True, "owned_property": True, "received_pension": True}
    nav = navigation(
        GuideChecklistRequest(event="death", event_date=DAY, answers=answers), STAFF, catalogue(), lang="ja"
    )
    assert nav.one_stop_departments == ["hoken", "shisan"]
    assert [s.department for s in nav.steps] == ["shimin", "hoken", "shisan"]  # 死亡届 first, then the case
    hoken = next(s for s in nav.steps if s.department == "hoken")
    assert "保険証（資格確認書）の回収" in hoken.check
    assert {i.place.office for i in nav.elsewhere} >= {"nenkin_jimusho", "homukyoku"}


@pytest.mark.parametrize(
    "caller", [Caller(sub="resident-1", role=Role.RESIDENT), Caller(sub="kiosk-1", role=Role.DEVICE)]
)
def test_staff_navigation_is_for_staff_only(caller):
    with pytest.raises(Forbidden):
        navigation(GuideChecklistRequest(event="death", event_date=DAY), caller, catalogue(), lang="ja")


def test_ics_has_one_event_per_deadline():
    from icalendar import Calendar

    listed = checklist(GuideChecklistRequest(event="birth", event_date=DAY), catalogue(), lang="ja")
    calendar = Calendar.from_ical(ics(listed))
    events = calendar.walk("VEVENT")
    assert len(events) == sum(1 for i in listed.items if i.deadline)
    birth = next(e for e in events if str(e["summary"]) == "出生届")
    assert birth.decoded("dtstart") == date(2026, 4, 14)
