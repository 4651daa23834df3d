"""The procedure catalogue through the local gateway, DynamoDB on the emulated account."""

import requests


def test_portal_list_is_japanese_by_default_and_english_on_request(stack_url):
    ja = requests.get(f"{stack_url}/procedures", timeout=10).json()
    en = requests.get(f"{stack_url}/procedures", params={"lang": "en"}, timeout=10).json()
    assert ja["lang"] == "ja" and en["lang"] == "en"
    assert len(ja["procedures"]) >= 8
    assert ja["procedures"][0]["name"] == "住民票の写し"
    assert en["procedures"][0]["name"] == "Copy of Resident Record"


def test_accept_language_chooses_the_language(stack_url):
    body = requests.get(f"{stack_url}/procedures", headers={"Accept-Language": "zh-CN,zh;q=0.9"}, timeout=10).json()
    assert body["lang"] == "zh"
    assert body["procedures"][0]["name"] == "住民票副本"


def test_one_procedure_has_documents_fee_and_channels(stack_url):
    body = requests.get(f"{stack_url}/procedures/inkan-toroku-shomei?lang=en", timeout=10).json()
    assert body["fee_yen"] == 300
    assert body["channels"] == ["kiosk", "counter"]
    assert body["documents"] == ["Seal registration card"]
    assert body["department"] == {"id": "shimin", "name": "Citizens Division"}


def test_unknown_procedure_is_404_with_the_error_body(stack_url):
    response = requests.get(f"{stack_url}/procedures/no-such-thing?lang=en", timeout=10)
    assert response.status_code == 404
    assert response.json() == {
        "code": "not_found",
        "message": "We could not find what you are looking for.",
        "detail": [],
    }


def test_wrong_method_on_a_known_path_is_405(stack_url):
    response = requests.delete(f"{stack_url}/procedures", timeout=10)
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_health(stack_url):
    assert requests.get(f"{stack_url}/health", timeout=10).json() == {"status": "ok"}
