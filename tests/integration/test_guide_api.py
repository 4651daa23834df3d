"""The procedure guide through the local gateway: questions, checklist, .ics and the staff navigation."""

import requests


def test_events_are_listed_in_the_callers_language(stack_url):
    body = requests.get(f"{stack_url}/guide/events", params={"lang": "pt"}, timeout=10).json()
    ids = [e["id"] for e in body["events"]]
    assert ids[:4] == ["pregnancy", "birth", "marriage", "divorce"] and "death" in ids and "independence" in ids
    death = next(e for e in body["events"] if e["id"] == "death")
    assert death["name"] == "Falecimento na família" and death["one_stop"] == "bereavement"


def test_death_questions_are_the_one_stop_cases_questions(stack_url):
    guide = requests.get(f"{stack_url}/guide/events/death?lang=en", timeout=10).json()
    case = requests.get(f"{stack_url}/life-events/bereavement?lang=en", timeout=10).json()
    assert [q["id"] for q in guide["questions"]] == [q["id"] for q in case["questions"]]


def test_checklist_for_a_death_with_kokuho_and_property(stack_url):
    body = requests.post(
        f"{stack_url}/guide/checklist?lang=ja",
        timeout=10,
        json={"event": "death", "event_date": "2026-11-20", "answers": {"had_kokuho": True, "owned_property": True}},
    ).json()
    items = {i["procedure_id"]: i for i in body["items"]}
    assert body["items"][0]["procedure_id"] == "shibo-todoke"
    assert items["shibo-todoke"]["deadline"] == "2026-11-26"
    assert items["kokuho-soshitsu"]["deadline"] == "2026-12-04"
    assert items["kokuho-soshitsu"]["place"] == {
        "office": "hoken",
        "name": "保険年金課",
        "counter": "本庁舎1階 10〜14番窓口",
        "floor": "1F",
        "city_hall": True,
    }
    assert "sozoku-toki" in items and "nenkin" not in items


def test_moving_in_uses_the_catalogue_for_kiosk_and_online(stack_url):
    body = requests.post(
        f"{stack_url}/guide/checklist?lang=en",
        timeout=10,
        json={"event": "moving_in", "event_date": "2026-04-01", "answers": {"has_children": True}},
    ).json()
    items = {i["procedure_id"]: i for i in body["items"]}
    catalogue = requests.get(f"{stack_url}/procedures/jido-teate", timeout=10).json()
    assert items["jido-teate"]["channels"] == catalogue["channels"]
    assert items["jido-teate"]["link"] == "/?procedure=jido-teate"
    assert items["jido-teate"]["deadline"] == "2026-04-16"
    assert items["tennyu-todoke"]["deadline"] == "2026-04-15"


def test_bad_answers_are_422_with_paths_in_the_callers_language(stack_url):
    response = requests.post(
        f"{stack_url}/guide/checklist?lang=vi",
        timeout=10,
        json={"event": "birth", "event_date": "2026-04-01", "answers": {"parent_on_kokuho": "yes"}},
    )
    assert response.status_code == 422
    body = response.json()
    assert body["message"] == "Vui lòng kiểm tra thông tin đã nhập."
    assert body["detail"][0]["loc"] == ["body", "answers", "parent_on_kokuho"]


def test_unknown_event_is_404_and_bad_date_422(stack_url):
    unknown = requests.post(f"{stack_url}/guide/checklist", json={"event": "x", "event_date": "2026-04-01"}, timeout=10)
    assert unknown.status_code == 404
    bad = requests.post(f"{stack_url}/guide/checklist", json={"event": "birth", "event_date": "1 April"}, timeout=10)
    assert bad.status_code == 422
    far = requests.post(f"{stack_url}/guide/checklist", json={"event": "birth", "event_date": "9999-12-31"}, timeout=10)
    assert far.status_code == 422


def test_ics_lists_the_deadlines(stack_url):
    response = requests.post(
        f"{stack_url}/guide/checklist.ics?lang=en",
        timeout=10,
        json={"event": "birth", "event_date": "2026-04-01", "answers": {"parent_on_kokuho": True}},
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/calendar")
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.text
    assert "SUMMARY:Birth notification" in text and "DTSTART;VALUE=DATE:20260414" in text
    assert text.count("BEGIN:VEVENT") == 4  # birth, child allowance, medical aid, baby's kokuho


def test_staff_navigation_is_for_staff_only(stack_url, auth_header):
    body = {"event": "death", "event_date": "2026-11-20", "answers": {"had_kokuho": True, "was_taxpayer": True}}
    assert requests.post(f"{stack_url}/staff/guide/navigation", json=body, timeout=10).status_code == 401
    resident = requests.post(
        f"{stack_url}/staff/guide/navigation", json=body, headers=auth_header("resident-1"), timeout=10
    )
    assert resident.status_code == 403
    nav = requests.post(
        f"{stack_url}/staff/guide/navigation?lang=ja", json=body, headers=auth_header("staff-onestop"), timeout=10
    ).json()
    assert nav["one_stop_departments"] == ["hoken", "zei"]
    assert [s["department"] for s in nav["steps"]] == ["shimin", "hoken", "zei"]
    assert any("保険証" in c for c in nav["steps"][1]["check"])
