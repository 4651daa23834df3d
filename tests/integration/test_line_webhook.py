"""LINE → our webhook → FAQ answer → LINE reply, with LINE's signature checked by the official SDK."""

import requests

from infra.local.line import LineStandIn


def replies_to(local_stack, token: str) -> list[dict]:
    return [m for m in local_stack.line.sent if m["kind"] == "reply" and m["replyToken"] == token]


def test_a_signed_question_gets_the_faq_answer_as_a_reply(local_stack, stack_url):
    # Given a user asking the official account in Japanese
    body = LineStandIn.webhook_body("コンビニで住民票は何時まで取れますか")
    token = __import__("json").loads(body)["events"][0]["replyToken"]
    headers = {"Content-Type": "application/json", "X-Line-Signature": LineStandIn.signature(body)}
    # When LINE posts the signed event
    response = requests.post(f"{stack_url}/line/webhook", data=body.encode(), headers=headers, timeout=30)
    # Then it is accepted and the answer (public text only) reaches the LINE stand-in as a reply
    assert response.status_code == 200
    [reply] = replies_to(local_stack, token)
    texts = [m["text"] for m in reply["messages"]]
    assert "23時" in texts[0]
    assert "コンビニで住民票は何時まで取れますか" not in "".join(texts)  # the user's words are never echoed


def test_user_says_helper_signs_like_line(local_stack, stack_url):
    before = len(local_stack.line.sent)
    response = local_stack.line.user_says(stack_url, "Where can I get my resident record?")
    assert response.status_code == 200
    assert len(local_stack.line.sent) == before + 1
    assert "Citizens Division" in local_stack.line.sent[-1]["messages"][0]["text"]


def test_a_question_the_faq_cannot_answer_gets_the_phone_number(local_stack, stack_url):
    local_stack.line.user_says(stack_url, "Quero saber sobre a previsão do tempo amanhã em Tóquio")
    texts = [m["text"] for m in local_stack.line.sent[-1]["messages"]]
    assert any("059-354-8111" in t for t in texts)


def test_wrong_channel_secret_is_401_and_nothing_is_sent(local_stack, stack_url):
    before = len(local_stack.line.sent)
    response = local_stack.line.user_says(stack_url, "住民票", channel_secret="not-our-channel-secret")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    assert len(local_stack.line.sent) == before


def test_tampered_body_is_401(local_stack, stack_url):
    before = len(local_stack.line.sent)
    body = LineStandIn.webhook_body("住民票")
    signature = LineStandIn.signature(body)
    tampered = body.replace("住民票", "印鑑証明")
    headers = {"Content-Type": "application/json", "X-Line-Signature": signature}
    response = requests.post(f"{stack_url}/line/webhook", data=tampered.encode(), headers=headers, timeout=30)
    assert response.status_code == 401
    assert len(local_stack.line.sent) == before


def test_missing_signature_is_401(stack_url):
    body = LineStandIn.webhook_body("住民票")
    response = requests.post(
        f"{stack_url}/line/webhook", data=body.encode(), headers={"Content-Type": "application/json"}, timeout=30
    )
    assert response.status_code == 401
