"""The transactional outbox end to end on the local stack: a state change and its domain event are written in one
transaction, the outbox's stream delivers the event to the metrics consumer (infra/local/streams.py, as the event
source mapping does in the cloud), and the counters move exactly once — also when a record is delivered again or
the consumer fails for a while; a batch that keeps failing is described on the on-failure queue and redriven."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import boto3
import pytest
import requests
import stripe
from PIL import Image

from infra import catalogue
from infra.local import s3_events
from infra.local.secrets import LOCAL_SECRETS
from infra.local.streams import failure_queue_name
from infra.redrive import lambda_record
from madoguchi.metrics.dynamodb import DynamoMetricsStore
from madoguchi.metrics.models import BUCKET_BOUNDS_MINUTES, TOKYO
from madoguchi.shared.clock import now
from tests.integration import reservations_helpers as reservations
from tests.integration import test_kiosk_orders as kiosk_orders
from tests.integration.test_kiosk_api import Kiosk

pytestmark = pytest.mark.xdist_group("applications")

KODOMO = {"child_name": "市民 太郎", "child_date_of_birth": "2020-05-05", "insurance_type": "kokuho"}
Snapshot = dict[str, dict[tuple[str, str], dict[str, Any]]]


@pytest.fixture
def call(stack_url: str, auth_header: Callable[[str], dict[str, str]]) -> Callable[..., requests.Response]:
    def request(method: str, path: str, user: str | None, body: Any = None) -> requests.Response:
        headers = auth_header(user) if user else {}
        return requests.request(method, f"{stack_url}{path}", json=body, headers=headers, timeout=30)

    return request


@pytest.fixture
def ok(call: Callable[..., requests.Response]) -> Callable[..., dict[str, Any]]:
    def request(method: str, path: str, user: str | None, body: Any = None) -> dict[str, Any]:
        response = call(method, path, user, body)
        assert response.status_code == 200, response.text
        return dict(response.json())

    return request


@pytest.fixture
def store(local_stack: Any) -> DynamoMetricsStore:
    return DynamoMetricsStore(catalogue.table("metrics").local_name)


def snapshot(local_stack: Any, store: DynamoMetricsStore) -> Snapshot:
    """Every counter of today and this month (Tokyo), after everything written so far was delivered."""
    local_stack.streams.drain()
    today = now().astimezone(TOKYO).date().isoformat()
    return {
        period: {(c.procedure_id, c.channel): c.model_dump() for c in counters}
        for period, counters in (("month", store.month(today[:7])), ("day", store.day(today)))
    }


def moved(before: Snapshot, after: Snapshot) -> dict[tuple[str, str, str, str], int]:
    """What changed: (period, procedure, channel, figure) -> difference (histograms as figure[bucket])."""
    changes: dict[tuple[str, str, str, str], int] = {}
    for period, rows in after.items():
        for key, row in rows.items():
            old = before[period].get(key, {})
            for name, value in row.items():
                if isinstance(value, int) and value != old.get(name, 0):
                    changes[(period, *key, name)] = value - old.get(name, 0)
                if isinstance(value, list):
                    for i, n in enumerate(value):
                        was = old.get(name, [0] * len(value))[i]
                        if n != was:
                            changes[(period, *key, f"{name}[{i}]")] = n - was
    return changes


def both(procedure: str, channel: str, **figures: int) -> dict[tuple[str, str, str, str], int]:
    return {(p, procedure, channel, f): n for p in ("month", "day") for f, n in figures.items()}


def upload(ok: Callable[..., dict[str, Any]], application_id: str, user: str, kind: str) -> None:
    png = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 10, 10)).save(png, "PNG")
    ticket = ok(
        "POST", f"/applications/{application_id}/attachments", user, {"kind": kind, "content_type": "image/png"}
    )
    posted = requests.post(ticket["url"], data=ticket["fields"], files={"file": ("p", png.getvalue())}, timeout=30)
    assert posted.status_code in (200, 204)
    s3_events.drain()


def test_an_application_submitted_online_moves_received_online_by_one(local_stack, store, ok):
    draft = ok("POST", "/applications", "resident-2", {"procedure": "kodomo-iryohi-josei", "answers": KODOMO})
    upload(ok, draft["id"], "resident-2", "insurance_card")
    before = snapshot(local_stack, store)

    assert ok("POST", f"/applications/{draft['id']}/submit", "resident-2", {})["status"] == "received"

    assert moved(before, snapshot(local_stack, store)) == both("kodomo-iryohi-josei", "online", received=1)


def test_a_certificate_issued_at_a_counter_completes_it_once_with_its_times(local_stack, store, ok, call):
    # Given a seal certificate pre-registered at home and accepted at the counter (a counter receipt)
    draft = ok(
        "POST",
        "/applications",
        "resident-1",
        {"procedure": "inkan-toroku-shomei", "answers": {"copies": 1, "purpose": "vehicle"}},
    )
    ok("POST", f"/applications/{draft['id']}/submit", "resident-1", {})
    before = snapshot(local_stack, store)
    ok("POST", f"/staff/applications/{draft['id']}/accept", "staff-shimin")
    received = snapshot(local_stack, store)
    assert moved(before, received) == both("inkan-toroku-shomei", "counter", received=1)

    # When staff review, approve (a certificate procedure is not done yet) and print the certificate
    ok("POST", f"/staff/applications/{draft['id']}/decision", "staff-shimin", {"decision": "start_review"})
    ok("POST", f"/staff/applications/{draft['id']}/decision", "staff-shimin", {"decision": "approve"})
    assert moved(received, snapshot(local_stack, store)) == {}
    pdf = call("POST", f"/staff/applications/{draft['id']}/certificate", "staff-shimin", {})
    assert pdf.status_code == 200
    # a second copy printed later is no second completion
    assert call("POST", f"/staff/applications/{draft['id']}/certificate", "staff-shimin", {}).status_code == 200

    # Then: one completion, its lead, handling and waiting times each in the first bucket (all within minutes)
    assert moved(received, snapshot(local_stack, store)) == both(
        "inkan-toroku-shomei",
        "counter",
        completed=1,
        **{"lead_time[0]": 1, "handling_time[0]": 1, "waiting_time[0]": 1},
    )


def test_a_ticket_served_moves_receipt_then_completion_with_its_wait(local_stack, store, ok):
    counter = "shimin_cert"
    # serve whoever waits already, so call-next calls ours
    while (t := ok("POST", f"/queues/{counter}/call-next", "staff-shimin", {"desk": "2"})["ticket"]) is not None:
        ok("POST", f"/queues/{counter}/tickets/{t['id']}/complete", "staff-shimin")
    before = snapshot(local_stack, store)

    month = now().astimezone(TOKYO).strftime("%Y-%m")
    load_before = {c.counter_id: c for c in store.month_with_counters(month)[1]}.get(counter)
    hours = {now().astimezone(TOKYO).hour}
    ticket = ok("POST", f"/queues/{counter}/tickets", "ticket-1", {"service": "koseki"})
    hours.add(now().astimezone(TOKYO).hour)
    issued = snapshot(local_stack, store)
    assert moved(before, issued) == both("koseki-shomei", "counter", received=1)

    called = ok("POST", f"/queues/{counter}/call-next", "staff-shimin", {"desk": "2"})["ticket"]
    assert called["id"] == ticket["id"]
    assert moved(issued, snapshot(local_stack, store)) == {}  # a call alone counts nothing
    ok("POST", f"/queues/{counter}/tickets/{ticket['id']}/complete", "staff-shimin")

    # The counter's load moved too: one ticket issued in this hour, one served, its wait in the first bucket
    local_stack.streams.drain()
    load = {c.counter_id: c for c in store.month_with_counters(month)[1]}[counter]
    was = load_before.model_dump() if load_before else {"received": 0, "completed": 0, "received_by_hour": [0] * 24,
                                                        "waiting_time": [0] * len(load.waiting_time)}  # fmt: skip
    assert (load.received - was["received"], load.completed - was["completed"]) == (1, 1)
    by_hour = [n - m for n, m in zip(load.received_by_hour, was["received_by_hour"], strict=True)]
    assert sum(by_hour) == 1 and by_hour.index(1) in hours
    assert load.waiting_time[0] - was["waiting_time"][0] == 1
    assert moved(issued, snapshot(local_stack, store)) == both(
        "koseki-shomei",
        "counter",
        completed=1,
        **{"lead_time[0]": 1, "handling_time[0]": 1, "waiting_time[0]": 1},
    )


def test_a_certificate_issued_at_a_kiosk_moves_receipt_and_completion_on_the_kiosk_channel(
    local_stack, store, stack_url, auth_header
):
    kiosk = Kiosk(stack_url, auth_header("kiosk-1"))
    session_id = kiosk_orders.authenticated(kiosk, local_stack.jpki.issue())
    terminal = stripe.StripeClient(local_stack.stripe.api_key, base_addresses={"api": local_stack.stripe.url})
    reader = next(r for r, v in local_stack.stripe.readers.items() if v["metadata"].get("kiosk") == "kiosk-1")
    before = snapshot(local_stack, store)
    placed = kiosk_orders.order(kiosk, session_id, str(uuid.uuid4()))
    assert placed.status_code == 200, placed.text
    order_id = placed.json()["order_id"]
    assert moved(before, snapshot(local_stack, store)) == {}  # an unpaid order is not yet a receipt

    kiosk_orders.tap(terminal, reader, kiosk_orders.APPROVED)
    assert kiosk_orders.poll(kiosk, session_id, order_id)["state"] == "issued"
    assert kiosk_orders.poll(kiosk, session_id, order_id)["state"] == "issued"  # polled again: issued once
    # ordered and printed within a minute: lead, handling and waiting times all in the first bucket
    assert moved(before, snapshot(local_stack, store)) == both(
        "juminhyo",
        "kiosk",
        received=1,
        completed=1,
        payment_succeeded=1,
        **{"lead_time[0]": 1, "handling_time[0]": 1, "waiting_time[0]": 1},
    )


def test_a_declined_kiosk_order_counts_only_its_failed_payment(local_stack, store, stack_url, auth_header):
    kiosk = Kiosk(stack_url, auth_header("kiosk-1"))
    session_id = kiosk_orders.authenticated(kiosk, local_stack.jpki.issue())
    terminal = stripe.StripeClient(local_stack.stripe.api_key, base_addresses={"api": local_stack.stripe.url})
    reader = next(r for r, v in local_stack.stripe.readers.items() if v["metadata"].get("kiosk") == "kiosk-1")
    before = snapshot(local_stack, store)
    order_id = kiosk_orders.order(kiosk, session_id, str(uuid.uuid4())).json()["order_id"]
    kiosk_orders.tap(terminal, reader, kiosk_orders.DECLINED)
    assert kiosk_orders.poll(kiosk, session_id, order_id)["state"] == "declined"
    assert kiosk_orders.poll(kiosk, session_id, order_id)["state"] == "declined"  # polled again: counted once
    assert moved(before, snapshot(local_stack, store)) == both("juminhyo", "kiosk", payment_failed=1)


def test_a_faq_hand_off_to_a_person_moves_the_hand_off_counter_by_one(local_stack, store, ok):
    before = snapshot(local_stack, store)
    assert ok("POST", "/faq/chat", None, {"message": "コンビニで住民票は何時まで取れますか"})["confident"]
    assert moved(before, snapshot(local_stack, store)) == {}  # answered: nobody handed over
    reply = ok("POST", "/faq/chat", None, {"message": "犬の散歩コースのおすすめは？"})
    assert not reply["confident"] and reply["contact"]
    assert moved(before, snapshot(local_stack, store)) == both("faq", "online", handed_off=1)


def outbox_records(local_stack: Any) -> list[dict[str, Any]]:
    """The outbox stream's records as the consumer receives them (the local delivery's own conversion)."""
    mapping = next(m for m in local_stack.streams.mappings if m.fn.name == "metrics_events")
    streams = boto3.client("dynamodbstreams")
    iterator = streams.get_shard_iterator(
        StreamArn=mapping.stream_arn, ShardId=mapping.shard_id, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records = streams.get_records(ShardIterator=iterator, Limit=1000)["Records"]
    return [lambda_record(r, mapping.stream_arn, "ap-northeast-1") for r in records if r["eventName"] == "INSERT"]


def test_a_redelivered_record_counts_once(local_stack, store, ok):
    ticket = ok("POST", "/queues/zei/tickets", "ticket-1", {"service": "shotoku"})
    before = snapshot(local_stack, store)
    [record] = [r for r in outbox_records(local_stack) if ticket["id"] in r["dynamodb"]["NewImage"]["pk"]["S"]]

    # When the stream delivers the same record again (as Lambda may after a timeout), twice
    for _ in range(2):
        result = local_stack.functions.pools["metrics_events"].invoke({"Records": [record]})
        assert result == {"batchItemFailures": []}

    assert moved(before, snapshot(local_stack, store)) == {}


@pytest.fixture
def failing_aggregator(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, int]]:
    """The metrics table answering 500 (InternalServerError) to the aggregator's next `failures` writes."""
    from botocore.exceptions import ClientError

    state = {"failures": 0, "calls": 0}
    original = DynamoMetricsStore.add

    def add(self: DynamoMetricsStore, event: Any, delta: Any, load: Any = None) -> bool:
        state["calls"] += 1
        if state["failures"] > 0:
            state["failures"] -= 1
            raise ClientError({"Error": {"Code": "InternalServerError", "Message": "injected"}}, "TransactWriteItems")
        return original(self, event, delta, load)

    monkeypatch.setattr(DynamoMetricsStore, "add", add)
    yield state


def test_a_consumer_failing_for_a_while_loses_nothing(local_stack, store, ok, failing_aggregator):
    before = snapshot(local_stack, store)
    failing_aggregator["failures"] = 3  # fewer than the event source's retries

    ok("POST", "/queues/hoken/tickets", "ticket-1", {"service": "nenkin"})

    assert moved(before, snapshot(local_stack, store)) == both("nenkin", "counter", received=1)
    assert failing_aggregator["calls"] >= 4


def test_a_batch_failing_past_its_retries_goes_to_the_failure_queue_and_is_redriven(
    local_stack, store, ok, failing_aggregator
):
    from infra.redrive import redrive

    before = snapshot(local_stack, store)
    failing_aggregator["failures"] = 1 + catalogue.STREAM_RETRY_ATTEMPTS  # every try of the batch fails

    ok("POST", "/queues/kodomo/tickets", "ticket-1", {"service": "iryohi"})
    assert moved(before, snapshot(local_stack, store)) == {}

    # The on-failure queue says where the batch is (not what it holds), as the event source mapping writes it
    fn = catalogue.function("metrics_events")
    sqs = boto3.client("sqs")
    queue_url = sqs.get_queue_url(QueueName=failure_queue_name(fn))["QueueUrl"]
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=0)["Messages"]
    info = json.loads(messages[-1]["Body"])["DDBStreamBatchInfo"]
    assert info["batchSize"] == 1 and info["startSequenceNumber"] == info["endSequenceNumber"]

    # When the operator redrives the queue (docs/operations.md) after the fault is gone, it counts once
    assert redrive(fn.local_name, queue_url) >= 1
    assert redrive(fn.local_name, queue_url) == 0  # the queue is empty now
    assert moved(before, snapshot(local_stack, store)) == both("kodomo-iryohi-josei", "counter", received=1)


def test_the_outbox_holds_no_personal_data_and_expires(local_stack, ok):
    ticket = ok("POST", "/queues/shimin_idou/tickets", "ticket-1", {"service": "tennyu"})
    [record] = [r for r in outbox_records(local_stack) if ticket["id"] in r["dynamodb"]["NewImage"]["pk"]["S"]]
    image = record["dynamodb"]["NewImage"]
    assert set(image) == {"pk", "topic", "event", "expires_at"}
    event = json.loads(image["event"]["S"])
    assert set(event) <= {
        "id", "type", "context", "aggregate_id", "procedure_id", "channel", "counter_id",
        "occurred_at", "received_at", "handling_started_at",
    }  # fmt: skip
    issued = datetime.fromisoformat(event["occurred_at"])
    assert 6 * 86400 < int(image["expires_at"]["N"]) - issued.timestamp() <= 8 * 86400
    assert len(BUCKET_BOUNDS_MINUTES) > 0


# --- reservations and payments (procedure `facility-<id>`, docs/metrics.md) -------------------------------------


@pytest.fixture
def bookings(stack_url: str, auth_header: Callable[[str], dict[str, str]]) -> reservations.Api:
    return reservations.Api(stack_url, auth_header)


def test_a_booking_paid_counts_once_though_the_reconciler_and_a_late_webhook_both_learn_it(
    local_stack, store, bookings
):
    # Given a held booking whose checkout is paid while Stripe's webhook is held back
    held = bookings.held("resident-1", reservations.fresh_day(), [("room-71", "10:00")], facility="sogo-kaikan")
    session_id = bookings.checkout("resident-1", held["id"])["reservation"]["checkout_session_id"]
    before = snapshot(local_stack, store)
    requests.post(f"{local_stack.stripe.url}/_control/drop", json={"count": 1}, timeout=10).raise_for_status()
    assert reservations.pay(local_stack, session_id)["paid"] is True
    assert moved(before, snapshot(local_stack, store)) == {}  # nobody has learnt it yet

    # When the reconciler settles it, and then the webhook arrives after all
    reservations.rewind(held["id"], 10, fields=("checkout_started_at",))
    assert local_stack.run_scheduled("payments_reconciler")["settled"] >= 1
    late = next(
        e
        for e in requests.get(f"{local_stack.stripe.url}/_control/events", timeout=10).json()["events"]
        if e["type"] == "checkout.session.completed" and e["data"]["object"]["id"] == session_id
    )
    payload = json.dumps(late)
    header = stripe.WebhookSignature.generate_signature_header(payload, LOCAL_SECRETS["stripe"]["webhook_secret"])
    delivered = requests.post(
        f"{bookings.url}/payments/stripe/webhook",
        data=payload,
        headers={"Content-Type": "application/json", "Stripe-Signature": header},
        timeout=30,
    )
    assert delivered.status_code == 200, delivered.text

    # Then one booking and one successful payment, on the facility's procedure, online
    assert moved(before, snapshot(local_stack, store)) == both(
        "facility-sogo-kaikan", "online", received=1, payment_succeeded=1
    )

    # And its cancellation counts once (a second cancel is refused)
    cancelled = snapshot(local_stack, store)
    assert bookings.call("POST", f"/reservations/{held['id']}/cancel", "resident-1", {}).status_code == 200
    assert bookings.call("POST", f"/reservations/{held['id']}/cancel", "resident-1", {}).status_code == 409
    assert moved(cancelled, snapshot(local_stack, store)) == both("facility-sogo-kaikan", "online", cancelled=1)


def test_a_checkout_left_unpaid_until_the_hold_ends_counts_one_failed_payment(local_stack, store, bookings):
    held = bookings.held("resident-2", reservations.fresh_day(), [("room-71", "12:00")], facility="sogo-kaikan")
    bookings.checkout("resident-2", held["id"])
    before = snapshot(local_stack, store)
    reservations.rewind(held["id"], 20)
    assert local_stack.run_scheduled("reservations_sweeper")["expired"] >= 1
    local_stack.run_scheduled("reservations_sweeper")  # a second pass finds nothing to expire
    assert moved(before, snapshot(local_stack, store)) == both("facility-sogo-kaikan", "online", payment_failed=1)


def test_an_application_fee_paid_counts_once_whoever_learns_it(local_stack, store, ok):
    # Given a 住民票 application waiting for its fee, paid with the webhook delivered at once
    answers = {"subject": "self", "copies": 1, "purpose": "bank", "delivery": "pickup"}
    draft = ok("POST", "/applications", "resident-1", {"procedure": "juminhyo", "answers": answers})
    upload(ok, draft["id"], "resident-1", "identity_document")
    waiting = ok("POST", f"/applications/{draft['id']}/submit", "resident-1", {})
    before = snapshot(local_stack, store)
    assert local_stack.stripe.pay(waiting["payment_url"].rstrip("/").rsplit("/", 1)[-1], "4242424242424242")[0]
    # When the resident also comes back to the payment page (a second path learning the same payment)
    assert ok("POST", f"/applications/{draft['id']}/payment", "resident-1")["status"] == "received"
    # Then: one receipt and one successful payment
    assert moved(before, snapshot(local_stack, store)) == both("juminhyo", "online", received=1, payment_succeeded=1)


def test_a_onestop_case_counts_its_receipt_when_opened_and_its_completion_when_the_workflow_closes_it(
    local_stack, store, stack_url, auth_header
):
    from tests.integration import test_cases_workflow as cases

    api = cases.Api(stack_url, auth_header)
    before = snapshot(local_stack, store)
    case = api.open_case({"owned_property": True})
    opened = snapshot(local_stack, store)
    assert moved(before, opened) == both("onestop-bereavement", "onestop", received=1)

    task = api.task("staff-shisan", case["id"])
    assert api.decide("staff-shisan", task["id"], "approve").status_code == 200
    api.wait_for_status(case["id"], "closed")
    # closed within minutes of its opening: the lead time in the first bucket
    assert moved(opened, snapshot(local_stack, store)) == both(
        "onestop-bereavement", "onestop", completed=1, **{"lead_time[0]": 1}
    )


def test_an_application_typed_at_the_one_stop_counter_counts_on_the_onestop_channel(local_stack, store, ok):
    answers = {"copies": 1, "purpose": "bank", "delivery": "pickup", "subject": "self"}
    typed = ok(
        "POST",
        "/applications",
        "staff-onestop",
        {"procedure": "juminhyo", "for_resident": "resident-1", "answers": answers},
    )
    assert typed["channel"] == "counter"  # the application itself stays a counter application
    upload(ok, typed["id"], "staff-onestop", "identity_document")
    assert ok("POST", f"/applications/{typed['id']}/submit", "staff-onestop", {})["status"] == "awaiting_confirmation"
    before = snapshot(local_stack, store)
    assert ok("POST", f"/applications/{typed['id']}/confirm", "resident-1", {"confirm": True})["status"] == "received"
    assert moved(before, snapshot(local_stack, store)) == both("juminhyo", "onestop", received=1)
