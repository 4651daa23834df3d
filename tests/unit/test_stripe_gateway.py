"""Issue 13, flaw 8: the Stripe gateway's time budget fits inside every function that calls it, and a rotated
webhook secret is picked up without a restart (the real SDK verifies the signature)."""

from __future__ import annotations

import json
import time

import pytest
import stripe

from infra import catalogue
from infra.local.stripe_standin import sign
from madoguchi.payments import stripe as gateway
from madoguchi.payments.store import InvalidSignature


@pytest.mark.parametrize("fn", [f for f in catalogue.FUNCTIONS if "stripe" in f.secrets], ids=lambda f: f.name)
def test_a_stripe_call_with_its_retries_ends_before_the_function_times_out(fn: catalogue.Function) -> None:
    from stripe._http_client import HTTPClient

    attempts = gateway.NETWORK_RETRIES + 1
    backoff = sum(min(HTTPClient.INITIAL_DELAY * 2**n, HTTPClient.MAX_DELAY) for n in range(gateway.NETWORK_RETRIES))
    assert attempts * gateway.TIMEOUT_SECONDS + backoff < fn.timeout_s


def test_the_client_uses_the_bounded_timeout_and_retries() -> None:
    payments = gateway.StripePayments(lambda fresh=False: {"api_key": "sk_test_1", "webhook_secret": "whsec_1"})
    client = payments._client
    assert isinstance(client._requestor._client, stripe.RequestsClient)
    assert client._requestor._client._timeout == gateway.TIMEOUT_SECONDS
    assert client._requestor._options.max_network_retries == gateway.NETWORK_RETRIES


def event(secret: str) -> tuple[str, str]:
    payload = json.dumps(
        {
            "id": "evt_1",
            "object": "event",
            "type": "checkout.session.completed",
            "created": int(time.time()),
            "data": {"object": {"id": "cs_1"}},
        }
    )
    return payload, sign(payload, secret)


def test_a_rotated_webhook_secret_is_read_again_when_a_signature_fails() -> None:
    reads: list[bool] = []
    current = {"secret": "whsec_old"}

    def keys(fresh: bool = False) -> dict[str, str]:
        reads.append(fresh)
        # the cache still holds the old secret until a fresh read is asked for
        return {"api_key": "sk_test_1", "webhook_secret": current["secret"] if fresh else "whsec_old"}

    payments = gateway.StripePayments(keys)
    current["secret"] = "whsec_new"  # rotated in Secrets Manager
    assert payments.parse_event(*event("whsec_new")).id == "evt_1"
    assert reads == [False, True]
    with pytest.raises(InvalidSignature):
        payments.parse_event(*event("whsec_forged"))


def test_a_rotated_api_key_gets_a_new_client() -> None:
    key = {"api_key": "sk_test_1"}
    payments = gateway.StripePayments(lambda fresh=False: {**key, "webhook_secret": "w"})
    first = payments._client
    assert payments._client is first
    key["api_key"] = "sk_test_2"
    assert payments._client is not first


class ScriptedStripe(stripe.HTTPClient):
    """Stripe's answers in order, and the calls made (method, path, idempotency key)."""

    name = "scripted"

    def __init__(self, answers: list[tuple[int, dict[str, object]]]) -> None:
        super().__init__()
        self.answers, self.calls = list(answers), []

    def request(self, method, url, headers, post_data=None):  # type: ignore[no-untyped-def,override]
        self.calls.append(
            (method.upper(), url.split("://", 1)[1].split("/", 1)[1].split("?")[0], headers.get("Idempotency-Key"))
        )
        status, body = self.answers.pop(0)
        return json.dumps(body).encode(), status, {}


def test_a_refund_whose_key_is_still_running_is_not_sent_again_under_a_fresh_key() -> None:
    """Issue 13 (found on the way): after a time-out, the SDK's retry meets the first request still running and
    Stripe answers 409, which the SDK maps to APIError. Read as a 5xx, it sent the refund again under a fresh key
    while the first one was still being made: two refunds. Now the refund stays owed and is tried again later."""
    from madoguchi.payments.store import PaymentUnavailable

    in_progress = {
        "error": {"type": "idempotency_error", "message": "Another request with this key is in progress.", "code": None}
    }
    listed = {"object": "list", "url": "/v1/refunds", "data": [], "has_more": False}
    refund = {"id": "re_2", "object": "refund", "amount": 700, "payment_intent": "pi_1", "metadata": {}}
    scripted = ScriptedStripe([(409, in_progress), (200, listed), (200, refund)])
    payments = gateway.StripePayments(lambda fresh=False: {"api_key": "sk_test_1", "webhook_secret": "w"})
    payments._clients = {"sk_test_1": stripe.StripeClient("sk_test_1", http_client=scripted, max_network_retries=0)}
    with pytest.raises(PaymentUnavailable):
        payments.refund("pi_1", 700, "reservation:r1", idempotency_key="cancel-r1")
    assert scripted.calls == [("POST", "v1/refunds", "cancel-r1")]
