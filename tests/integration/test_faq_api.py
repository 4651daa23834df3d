"""FAQ search, chat, staff review and versioned edits through the local gateway (DynamoDB on moto)."""

import uuid

import requests


def test_search_finds_the_entry_from_any_language(stack_url):
    for query, lang in [
        ("住民票 どこ", "ja"),
        ("じゅうみんひょう", "ja-easy"),
        ("resident record", "en"),
        ("phiếu cư trú", "vi"),
        ("住民票副本", "zh"),
    ]:
        body = requests.get(f"{stack_url}/faq/search", params={"q": query, "lang": lang}, timeout=10).json()
        assert body["lang"] == lang
        assert any(hit["id"].startswith("cert-juminhyo") for hit in body["hits"][:3]), query


def test_search_answers_in_the_language_asked(stack_url):
    body = requests.get(f"{stack_url}/faq/search", params={"q": "コンビニ 時間", "lang": "vi"}, timeout=10).json()
    assert body["hits"][0]["id"] == "konbini-hours"
    assert "6:30" in body["hits"][0]["answer"] and "Hằng ngày" in body["hits"][0]["answer"]


def test_empty_query_is_422_in_the_callers_language(stack_url):
    response = requests.get(f"{stack_url}/faq/search", params={"q": " ", "lang": "pt"}, timeout=10)
    assert response.status_code == 422
    assert response.json()["message"] == "Verifique os dados informados."


def test_chat_answers_a_clear_question(stack_url):
    body = requests.post(
        f"{stack_url}/faq/chat?lang=en", json={"message": "convenience store hours"}, timeout=10
    ).json()
    assert body["confident"] is True
    assert body["answer"]["id"] == "konbini-hours"
    assert body["contact"] is None


def test_chat_hands_over_to_a_person_and_keeps_the_question_masked(stack_url, auth_header):
    # Given a question the FAQ cannot answer, with a phone number and an e-mail address in it
    marker = uuid.uuid4().hex[:6]
    message = f"My name is Tanaka{marker}, call me on 090-1234-5678 or tanaka@example.com about weather"
    body = requests.post(f"{stack_url}/faq/chat?lang=en", json={"message": message}, timeout=10).json()
    # Then the resident is told how to reach a person instead of a wrong answer
    assert body["confident"] is False and body["answer"] is None
    assert body["contact"]["phone"] == "059-354-8111"
    # And staff see the question without the personal data
    items = requests.get(f"{stack_url}/staff/faq/unanswered", headers=auth_header("staff-hoken"), timeout=10).json()[
        "items"
    ]
    kept = next(i for i in items if "weather" in i["text"] and i["asked_at"])
    assert "5678" not in kept["text"] and "example.com" not in kept["text"] and marker not in kept["text"]
    assert "[#]" in kept["text"] and "[email]" in kept["text"] and "[name]" in kept["text"]
    # When a member of staff marks it reviewed, it leaves the list
    resolved = requests.post(
        f"{stack_url}/staff/faq/unanswered/{kept['id']}/resolve", headers=auth_header("staff-hoken"), timeout=10
    )
    assert resolved.status_code == 200
    again = requests.post(
        f"{stack_url}/staff/faq/unanswered/{kept['id']}/resolve", headers=auth_header("staff-hoken"), timeout=10
    )
    assert again.status_code == 404


def test_staff_routes_refuse_anonymous_and_residents(stack_url, auth_header):
    paths = [
        ("GET", "/staff/faq/unanswered"),
        ("GET", "/staff/faq/entries/konbini-hours"),
        ("PUT", "/staff/faq/entries/konbini-hours"),
        ("POST", "/staff/faq/unanswered/u1/resolve"),
    ]
    edit = {"topic": "hours", "q": six("Q"), "a": six("A"), "expected_version": 1}
    for method, path in paths:
        body = edit if method == "PUT" else None
        assert requests.request(method, f"{stack_url}{path}", json=body, timeout=10).status_code == 401
        for user in ("resident-1", "kiosk-1"):
            refused = requests.request(method, f"{stack_url}{path}", headers=auth_header(user), json=body, timeout=10)
            assert refused.status_code == 403, (user, method, path)


def six(text: str) -> dict[str, str]:
    return {lang: f"{text} ({lang})" for lang in ("ja", "ja-easy", "en", "pt", "vi", "zh")}


def test_staff_edit_makes_a_new_version_that_search_finds_at_once(stack_url, auth_header):
    staff = auth_header("staff-shimin")
    entry_id = f"test-{uuid.uuid4().hex[:8]}"
    word = f"zebracrossing{uuid.uuid4().hex[:4]}"
    # Given a new entry created by staff
    created = requests.put(
        f"{stack_url}/staff/faq/entries/{entry_id}",
        headers=staff,
        timeout=10,
        json={
            "topic": "hours",
            "q": six("Where is the lost and found?"),
            "a": six("At the information desk."),
            "expected_version": 0,
            "link": "/faq/",
        },
    )
    assert created.status_code == 200 and created.json()["version"] == 1
    # When it is edited with a new word
    edited = requests.put(
        f"{stack_url}/staff/faq/entries/{entry_id}",
        headers=staff,
        timeout=10,
        json={
            "topic": "hours",
            "q": six(f"Where is the {word} office?"),
            "a": six("On the 3rd floor."),
            "expected_version": 1,
        },
    )
    assert edited.json()["version"] == 2 and edited.json()["updated_by"] == "staff-shimin"
    # Then search finds it by the new word, and the history keeps version 1
    hits = requests.get(f"{stack_url}/faq/search", params={"q": word, "lang": "en"}, timeout=10).json()["hits"]
    assert hits[0]["id"] == entry_id
    history = requests.get(f"{stack_url}/staff/faq/entries/{entry_id}", headers=staff, timeout=10).json()
    assert history["entry"]["version"] == 2
    assert [v["version"] for v in history["versions"]] == [1]
    # And an edit of a stale version is refused, changing nothing
    stale = requests.put(
        f"{stack_url}/staff/faq/entries/{entry_id}",
        headers=staff,
        timeout=10,
        json={"topic": "hours", "q": six("stale"), "a": six("stale"), "expected_version": 1},
    )
    assert stale.status_code == 409
    assert (
        requests.get(f"{stack_url}/staff/faq/entries/{entry_id}", headers=staff, timeout=10).json()["entry"]["version"]
        == 2
    )


def test_edit_missing_a_language_is_422_and_names_it(stack_url, auth_header):
    q = six("Q")
    del q["vi"]
    response = requests.put(
        f"{stack_url}/staff/faq/entries/konbini-hours",
        headers=auth_header("staff-shimin"),
        timeout=10,
        json={"topic": "konbini", "q": q, "a": six("A"), "expected_version": 1},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "q", "vi"]
