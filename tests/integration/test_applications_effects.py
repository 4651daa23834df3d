"""Issue 13, nothing lost under faults, for applications on the local stack: a received application's file tags,
a rejected application's refund and every status e-mail are owed in the change's own transaction and carried out
by the outbox worker (the outbox stream, then the schedule) — with S3, Stripe or SES failing (/_local/faults), and
with the function killed between the write and the call. The same handlers and code path as after `cdk deploy`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import boto3
import pytest
import requests
from boto3.dynamodb.conditions import Attr

from infra import catalogue
from madoguchi.effects.models import due_key
from madoguchi.shared.clock import now
from tests.integration.test_applications_flow import Api, jpeg_with_location

pytestmark = [pytest.mark.faults, pytest.mark.xdist_group("faults")]

Arm = Callable[..., None]
REFERENCED = {"Key": "referenced", "Value": "true"}
ANSWERS = {"subject": "self", "copies": 2, "purpose": "bank", "delivery": "pickup"}


@pytest.fixture
def api(stack_url: str, auth_header: Callable[[str], dict[str, str]]) -> Api:
    return Api(stack_url, auth_header)


@pytest.fixture
def arm(stack_url: str) -> Iterator[Arm]:
    def arm_fault(provider: str, kind: str = "status", **fault: Any) -> None:
        body = {"provider": provider, "kind": kind, **fault}
        response = requests.post(f"{stack_url}/_local/faults", json=body, timeout=10)
        assert response.status_code == 200, response.text

    yield arm_fault
    disarm(stack_url)


def disarm(stack_url: str) -> None:
    requests.delete(f"{stack_url}/_local/faults", timeout=10)


def outbox() -> Any:
    return boto3.resource("dynamodb").Table(catalogue.table("outbox").local_name)


def effects_of(application_id: str, what: str) -> list[dict[str, Any]]:
    """The outbox's effect items of one application and kind (`tag_files`, `refund`, `notify`)."""
    found = outbox().scan(FilterExpression=Attr("pk").begins_with(f"applications:{application_id}:{what}:"))
    items = found["Items"]
    while "LastEvaluatedKey" in found:
        found = outbox().scan(
            FilterExpression=Attr("pk").begins_with(f"applications:{application_id}:{what}:"),
            ExclusiveStartKey=found["LastEvaluatedKey"],
        )
        items += found["Items"]
    return sorted(items, key=lambda i: str(i["pk"]))


def make_due(item: dict[str, Any]) -> None:
    """Its backoff has passed: the schedule takes it."""
    outbox().update_item(
        Key={"pk": item["pk"]},
        UpdateExpression="SET due_at = :due",
        ExpressionAttributeValues={":due": due_key(now() - timedelta(seconds=1), str(item["pk"]))},
    )


def tags(application_id: str, attachment_id: str) -> list[dict[str, str]]:
    bucket = catalogue.bucket("attachments").local_name
    key = f"files/{application_id}/{attachment_id}"
    return list(boto3.client("s3").get_object_tagging(Bucket=bucket, Key=key)["TagSet"])


def mails_about(api: Api, to: str, code: str) -> list[dict[str, Any]]:
    outbox = requests.get(f"{api.url}/_local/outbox", params={"to": to}, timeout=10).json()
    return [m for m in outbox["messages"] if code in m["subject"]]


def paid_application(api: Api, local_stack: Any) -> dict[str, Any]:
    draft = api.ok("POST", "/applications", "resident-1", {"procedure": "juminhyo", "answers": ANSWERS})
    api.upload(draft["id"], "resident-1", jpeg_with_location(), kind="identity_document")
    waiting = api.ok("POST", f"/applications/{draft['id']}/submit", "resident-1", {})
    assert local_stack.stripe.pay(waiting["payment_url"].rstrip("/").rsplit("/", 1)[-1], "4242424242424242")[0]
    received = api.ok("POST", f"/applications/{draft['id']}/payment", "resident-1")
    assert received["status"] == "received"
    return received


def intent_of(local_stack: Any, application_id: str) -> str:
    [session] = [
        s for s in local_stack.stripe.sessions.values() if s["client_reference_id"] == f"application:{application_id}"
    ]
    return str(session["payment_intent"])


def refunds_of(local_stack: Any, intent: str) -> list[int]:
    return [r["amount"] for r in local_stack.stripe.refunds.values() if r["payment_intent"] == intent]


def test_a_paid_application_is_tagged_and_e_mailed_once_by_the_worker(api: Api, local_stack: Any) -> None:
    received = paid_application(api, local_stack)
    local_stack.streams.drain()
    [tag] = effects_of(received["id"], "tag_files")
    assert "queue" not in tag and "done_at" in tag and tag["attempts"] == 0
    assert REFERENCED in tags(received["id"], received["attachments"][0]["id"])
    # awaiting payment, then received with the fee paid: one e-mail each
    mails = mails_about(api, "ichiro@example.jp", received["code"])
    assert len(mails) == 2 and sum(1 for m in mails if "600" in m["body"]) == 1
    for item in effects_of(received["id"], "notify"):  # the outbox holds ids and amounts, never the address
        assert "ichiro" not in str(item["event"]) and "queue" not in item


def test_s3_failing_on_tagging_leaves_the_application_received_and_tags_it_after_the_schedule(
    api: Api, local_stack: Any, arm: Arm
) -> None:
    draft = api.ok("POST", "/applications", "resident-1", {"procedure": "juminhyo", "answers": ANSWERS})
    api.upload(draft["id"], "resident-1", jpeg_with_location(), kind="identity_document")
    waiting = api.ok("POST", f"/applications/{draft['id']}/submit", "resident-1", {})
    # S3 refuses every tagging call (the SDK's tries included) from the moment the fee is paid
    arm("s3", status=500, match="tagging", count=50)
    assert local_stack.stripe.pay(waiting["payment_url"].rstrip("/").rsplit("/", 1)[-1], "4242424242424242")[0]
    received = api.ok("POST", f"/applications/{draft['id']}/payment", "resident-1")
    assert received["status"] == "received"  # the resident is not refused for a tag
    local_stack.streams.drain()
    [tag] = effects_of(draft["id"], "tag_files")
    assert tag["queue"] == "EFFECT" and tag["attempts"] >= 1 and tag["last_error"] == "StorageUnavailable"
    # S3 back (the fault also matched reading tags) and the backoff passed: the schedule tags it, once done
    disarm(api.url)
    attachment_id = received["attachments"][0]["id"]
    assert REFERENCED not in tags(draft["id"], attachment_id)
    make_due(tag)
    local_stack.run_scheduled("outbox_effects")
    assert REFERENCED in tags(draft["id"], attachment_id)
    [tag] = effects_of(draft["id"], "tag_files")
    assert "queue" not in tag and "done_at" in tag


def test_stripe_failing_on_a_refund_leaves_the_rejection_standing_then_refunds_exactly_once(
    api: Api, local_stack: Any, arm: Arm
) -> None:
    received = paid_application(api, local_stack)
    intent = intent_of(local_stack, received["id"])
    arm("stripe", status=500, match="POST /v1/refunds", count=50)
    reject = {"decision": "reject", "reason": "対象外"}
    rejected = api.ok("POST", f"/staff/applications/{received['id']}/decision", "staff-shimin", reject)
    assert rejected["status"] == "rejected"
    local_stack.streams.drain()
    [refund] = effects_of(received["id"], "refund")
    assert refund["queue"] == "EFFECT" and refund["attempts"] >= 1 and refunds_of(local_stack, intent) == []
    # The resident's page says the refund is on its way, not that it was refunded
    page = api.ok("GET", f"/applications/{received['id']}", "resident-1")
    assert page["status"] == "rejected" and page["refund_pending_yen"] == 600 and page["refunded_yen"] == 0
    # A retried decision is refused and owes nothing more
    assert api.call("POST", f"/staff/applications/{received['id']}/decision", "staff-shimin", reject).status_code == 409
    # Stripe back: the schedule sends it once; a second run finds nothing owed
    disarm(api.url)
    make_due(refund)
    local_stack.run_scheduled("outbox_effects")
    local_stack.streams.drain()
    assert refunds_of(local_stack, intent) == [600]
    [refund] = effects_of(received["id"], "refund")
    assert "queue" not in refund
    page = api.ok("GET", f"/applications/{received['id']}", "resident-1")
    assert page["refund_pending_yen"] == 0 and page["refunded_yen"] == 600
    local_stack.run_scheduled("outbox_effects")
    assert refunds_of(local_stack, intent) == [600]


def test_ses_failing_sends_the_e_mail_later_and_once(api: Api, local_stack: Any, arm: Arm) -> None:
    draft = api.ok("POST", "/applications", "resident-1", {"procedure": "juminhyo", "answers": ANSWERS})
    api.upload(draft["id"], "resident-1", jpeg_with_location(), kind="identity_document")
    arm("ses", status=500, match="outbound-emails", count=50)
    waiting = api.ok("POST", f"/applications/{draft['id']}/submit", "resident-1", {})
    assert waiting["status"] == "awaiting_payment"  # the change stands whatever SES says
    local_stack.streams.drain()
    [mail] = effects_of(draft["id"], "notify")
    assert mail["queue"] == "EFFECT" and mail["attempts"] >= 1
    assert mails_about(api, "ichiro@example.jp", draft["code"]) == []
    disarm(api.url)
    make_due(mail)
    local_stack.run_scheduled("outbox_effects")
    local_stack.run_scheduled("outbox_effects")
    local_stack.streams.drain()
    assert len(mails_about(api, "ichiro@example.jp", draft["code"])) == 1


def test_a_function_killed_after_its_write_leaves_the_tags_and_e_mail_owed(api: Api, local_stack: Any) -> None:
    draft = api.ok("POST", "/applications", "resident-2", {"procedure": "kodomo-iryohi-josei", "answers": KODOMO})
    api.upload(draft["id"], "resident-2", jpeg_with_location(), kind="insurance_card")
    attachment_id = api.ok("GET", f"/applications/{draft['id']}", "resident-2")["attachments"][0]["id"]
    # No worker runs (the stream is held): what the request wrote is all there is, as if it died right after
    with local_stack.streams.held():
        received = api.ok("POST", f"/applications/{draft['id']}/submit", "resident-2", {})
        assert received["status"] == "received"
        [tag] = effects_of(draft["id"], "tag_files")
        [mail] = effects_of(draft["id"], "notify")
        for owed in (tag, mail):
            assert owed["queue"] == "EFFECT" and owed["attempts"] == 0
        assert REFERENCED not in tags(draft["id"], attachment_id)
        assert mails_about(api, "hanako@example.jp", draft["code"]) == []
    # The worker then does both, once
    local_stack.streams.drain()
    assert REFERENCED in tags(draft["id"], attachment_id)
    assert len(mails_about(api, "hanako@example.jp", draft["code"])) == 1


KODOMO = {"child_name": "市民 太郎", "child_date_of_birth": "2020-05-05", "insurance_type": "kokuho"}
