"""The LINE adapter (official SDK) against the local stand-in, with its token read from the emulated
Secrets Manager: the path production takes, only the endpoint differs."""

from __future__ import annotations

import uuid

import pytest
from linebot.v3.messaging.exceptions import ApiException

from infra import catalogue
from infra.local.secrets import LOCAL_SECRETS
from infra.local.stack import LocalStack
from madoguchi.messaging import line as line_adapter
from madoguchi.messaging.line import LineMessagingApi
from madoguchi.shared.secrets import secret
from madoguchi.shared.settings import settings
from tests.fakes.messaging import MemoryLineMessenger


@pytest.fixture
def messenger(local_stack: LocalStack) -> LineMessagingApi:
    settings.cache_clear()
    return LineMessagingApi()


@pytest.mark.parametrize("spec", catalogue.SECRETS, ids=lambda s: s.key)
def test_each_secret_is_read_from_secrets_manager(local_stack: LocalStack, spec: catalogue.Secret) -> None:
    settings.cache_clear()
    value = secret(spec.key)
    assert set(value) == set(spec.fields)
    assert value == LOCAL_SECRETS[spec.key]


def test_push_reaches_line_with_the_channel_token(local_stack: LocalStack, messenger: LineMessagingApi) -> None:
    user = f"U{uuid.uuid4().hex}"
    messenger.push(user, ["受付番号 A-012 の順番が近づきました", "https://example.city/t/abc"])
    [sent] = [m for m in local_stack.line.sent if m.get("to") == user]
    assert sent["kind"] == "push"
    assert [m["text"] for m in sent["messages"]] == [
        "受付番号 A-012 の順番が近づきました",
        "https://example.city/t/abc",
    ]


def test_a_retried_push_is_delivered_once(local_stack: LocalStack, messenger: LineMessagingApi) -> None:
    user, key = f"U{uuid.uuid4().hex}", str(uuid.uuid4())
    messenger.push(user, ["A-013"], retry_key=key)
    messenger.push(user, ["A-013"], retry_key=key)  # LINE answers 409 (already accepted): delivered, not an error
    assert len([m for m in local_stack.line.sent if m.get("to") == user]) == 1


def test_reply_uses_the_reply_token(local_stack: LocalStack, messenger: LineMessagingApi) -> None:
    token = uuid.uuid4().hex
    messenger.reply(token, ["窓口は 8:30 から 17:15 まで開いています"])
    assert [m["kind"] for m in local_stack.line.sent if m.get("replyToken") == token] == ["reply"]


def test_a_wrong_channel_token_is_refused(local_stack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(line_adapter, "secret", lambda key: {"channel_access_token": "forged"})
    with pytest.raises(ApiException) as raised:
        LineMessagingApi().push("U0", ["x"])
    assert raised.value.status == 401


def test_the_memory_messenger_keeps_the_same_retry_rule() -> None:
    memory = MemoryLineMessenger()
    memory.push("U1", ["A-001"], retry_key="k")
    memory.push("U1", ["A-001"], retry_key="k")
    memory.reply("r", ["hello"])
    assert [m["kind"] for m in memory.sent] == ["push", "reply"]
