"""Stripe Checkout through the official SDK (`stripe.StripeClient`). Every write carries an idempotency key;
the API base is configuration (settings.stripe_api_base), empty in the cloud."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

import stripe

if TYPE_CHECKING:
    from stripe.params import RefundCreateParams
    from stripe.params.checkout import SessionCreateParams

from madoguchi.payments.store import (
    CardTerminal,
    Checkout,
    CheckoutState,
    InvalidSignature,
    PaymentEvent,
    PaymentGateway,
    PaymentUnavailable,
    TerminalPayment,
    TerminalUnavailable,
    UnknownCheckout,
)

STRIPE_LOCALES = {"ja": "ja", "ja-easy": "ja", "en": "en", "pt": "pt", "vi": "vi", "zh": "zh"}
# One call, its retry and the SDK's backoff included, stays inside the shortest timeout of a function that calls
# Stripe (10 s in infra/catalogue.py; tests/unit/test_stripe_gateway.py checks it): 2 attempts x 3 s + 0.5 s.
# (The SDK's default is 80 s per attempt.)
TIMEOUT_SECONDS = 3.0
NETWORK_RETRIES = 1

Keys = Callable[..., dict[str, str]]
# Stripe's v1 API saves the answer to the first request of an idempotency key once the endpoint ran, a 500
# included, and replays it for that key: the key a failed refund was tried with can never succeed again.
REFUND_KEY_FIELD = "refund_key"


@contextmanager
def _provider_calls() -> Iterator[None]:
    """Stripe's own failures (5xx, 429, connection, time-out, a body that is not JSON) as PaymentUnavailable;
    card and request errors (4xx) stay what they are."""
    try:
        yield
    except (stripe.APIConnectionError, stripe.RateLimitError, stripe.IdempotencyError) as e:
        raise PaymentUnavailable() from e  # IdempotencyError: the same key is still running (after a time-out)
    except stripe.APIError as e:  # 5xx, or an answer the SDK could not read
        raise PaymentUnavailable() from e  # keys(fresh=False) -> {"api_key": ..., "webhook_secret": ...}


class StripePayments(PaymentGateway, CardTerminal):
    """`keys` reads the secret each time (its cache expires after settings.secret_cache_seconds), and again
    uncached when a webhook's signature fails, so a rotated key or webhook secret works without a restart."""

    def __init__(self, keys: Keys, api_base: str = "") -> None:
        self._keys = keys
        self._api_base = api_base
        self._clients: dict[str, stripe.StripeClient] = {}

    @property
    def _client(self) -> stripe.StripeClient:
        api_key = self._keys()["api_key"]
        client = self._clients.get(api_key)
        if client is None:
            kwargs: dict[str, Any] = {
                "max_network_retries": NETWORK_RETRIES,
                "http_client": stripe.RequestsClient(timeout=TIMEOUT_SECONDS),
            }
            if self._api_base:
                kwargs["base_addresses"] = {"api": self._api_base}
            client = stripe.StripeClient(api_key, **kwargs)
            self._clients = {api_key: client}  # a rotated key replaces the old client
        return client

    def create_checkout(
        self,
        *,
        amount: int,
        reference: str,
        purpose: str,
        description: str,
        success_url: str,
        cancel_url: str,
        expires_at: datetime,
        idempotency_key: str,
        locale: str = "ja",
    ) -> Checkout:
        metadata = {"purpose": purpose, "reference": reference}
        params = cast(
            "SessionCreateParams",
            {
                "mode": "payment",
                "line_items": [
                    {
                        "quantity": 1,
                        "price_data": {
                            "currency": "jpy",
                            "unit_amount": amount,
                            "product_data": {"name": description},
                        },
                    }
                ],
                "client_reference_id": reference,
                "metadata": metadata,
                "payment_intent_data": {"metadata": metadata},
                "payment_method_types": ["card"],
                "success_url": success_url,
                "cancel_url": cancel_url,
                "expires_at": int(expires_at.timestamp()),
                "locale": STRIPE_LOCALES.get(locale, "auto"),
            },
        )
        create = self._client.v1.checkout.sessions.create
        with _provider_calls():
            try:
                session = create(params, {"idempotency_key": idempotency_key})
            except stripe.APIError:
                # Stripe replays a 5xx for the key: a fresh request key lets a retry through. At worst a second
                # unpaid session exists; only this one's URL is handed out, the other expires unpaid.
                session = create(params, {"idempotency_key": f"{idempotency_key}:{uuid.uuid4().hex}"})
        return Checkout(session_id=session.id, url=str(session.url))

    def checkout_state(self, session_id: str) -> CheckoutState:
        try:
            with _provider_calls():
                return _state(self._client.v1.checkout.sessions.retrieve(session_id))
        except stripe.InvalidRequestError as e:
            if e.code == "resource_missing":
                raise UnknownCheckout(session_id) from e
            raise

    def expire_checkout(self, session_id: str) -> CheckoutState:
        with _provider_calls():
            session = self._client.v1.checkout.sessions.retrieve(session_id)
            if session.status == "open":
                try:
                    session = self._client.v1.checkout.sessions.expire(
                        session_id, options={"idempotency_key": f"expire-{session_id}"}
                    )
                except stripe.InvalidRequestError:
                    # Completed between the two calls: read what it became.
                    session = self._client.v1.checkout.sessions.retrieve(session_id)
        return _state(session)

    def refund(self, payment_intent_id: str, amount: int, reference: str, idempotency_key: str) -> str:
        """Refund once per `idempotency_key`. The key travels in the refund's metadata too: after a 5xx (which
        Stripe replays for that key) the payment's refunds are read, and only if none carries the key is the
        refund sent again under a fresh request key — so a retried refund succeeds and is never made twice. A 409
        (the key's first request still running, after a time-out) raises: the refund is tried again later."""
        params = cast(
            "RefundCreateParams",
            {
                "payment_intent": payment_intent_id,
                "amount": amount,
                "metadata": {"reference": reference, REFUND_KEY_FIELD: idempotency_key},
            },
        )
        with _provider_calls():
            try:
                return str(self._client.v1.refunds.create(params, {"idempotency_key": idempotency_key}).id)
            except stripe.APIError as e:
                if e.http_status == 409:
                    # The same key is still running at Stripe (our time-out came first; the SDK maps this 409 to
                    # APIError): it may yet refund, so no fresh key now — the next try gets its saved answer.
                    raise
                made = self._refund_made(payment_intent_id, idempotency_key)
                if made is not None:
                    return made
                retry_key = f"{idempotency_key}:{uuid.uuid4().hex}"
                return str(self._client.v1.refunds.create(params, {"idempotency_key": retry_key}).id)

    def _refund_made(self, payment_intent_id: str, idempotency_key: str) -> str | None:
        """The refund of this payment that carries `idempotency_key`, if Stripe made it."""
        refunds = self._client.v1.refunds.list({"payment_intent": payment_intent_id, "limit": 100})
        for refund in refunds.auto_paging_iter():
            metadata = refund.metadata.to_dict() if refund.metadata else {}
            if metadata.get(REFUND_KEY_FIELD) == idempotency_key:
                return str(refund.id)
        return None

    def parse_event(self, payload: str, signature: str) -> PaymentEvent:
        try:
            event = stripe.Webhook.construct_event(payload, signature, self._keys()["webhook_secret"])
        except (stripe.SignatureVerificationError, ValueError):
            try:  # the secret may have been rotated since it was cached: read it once more, uncached
                event = stripe.Webhook.construct_event(payload, signature, self._keys(fresh=True)["webhook_secret"])
            except (stripe.SignatureVerificationError, ValueError) as e:
                raise InvalidSignature() from e
        data = event.to_dict()
        return PaymentEvent(
            id=str(data["id"]), type=str(data["type"]), created=int(data["created"]), object=data["data"]["object"]
        )

    # --- Stripe Terminal, server-driven: PaymentIntent (card_present) processed on a registered reader -------
    def reader_for(self, device: str) -> str | None:
        """The reader whose metadata `kiosk` names this device (set when the city registers the reader)."""
        readers = self._client.v1.terminal.readers.list({"limit": 100})
        for reader in readers.auto_paging_iter():
            metadata = reader.metadata.to_dict() if reader.metadata else {}
            if metadata.get("kiosk") == device:
                return str(reader.id)
        return None

    def start(
        self, *, amount: int, reference: str, purpose: str, description: str, reader: str, idempotency_key: str
    ) -> TerminalPayment:
        intent = self._client.v1.payment_intents.create(
            {
                "amount": amount,
                "currency": "jpy",
                # API 2026-09-30.endive: payment_method_types is read-only; allowed_… narrows to card-present
                "allowed_payment_method_types": ["card_present"],
                "capture_method": "automatic",
                "description": description,
                "metadata": {"purpose": purpose, "reference": reference},
            },
            {"idempotency_key": f"{idempotency_key}-intent"},
        )
        if intent.status == "requires_payment_method" and intent.last_payment_error is None:
            try:
                self._client.v1.terminal.readers.process_payment_intent(
                    reader, {"payment_intent": intent.id}, {"idempotency_key": f"{idempotency_key}-process"}
                )
            except stripe.StripeError as e:  # terminal_reader_offline, terminal_reader_busy, unreachable …
                raise TerminalUnavailable(str(intent.id)) from e
        return _terminal_payment(intent)

    def state(self, intent_id: str) -> TerminalPayment:
        with _provider_calls():
            return _terminal_payment(self._client.v1.payment_intents.retrieve(intent_id))

    def find(self, reference: str) -> TerminalPayment | None:
        # Search is eventually consistent (about a minute): the kiosk reconciler asks long after the payment
        with _provider_calls():
            found = self._client.v1.payment_intents.search(
                {"query": f"metadata['reference']:'{reference}'", "limit": 1}
            )
        return _terminal_payment(found.data[0]) if found.data else None

    def cancel(self, intent_id: str, reader: str | None) -> TerminalPayment:
        with _provider_calls():
            return self._cancel(intent_id, reader)

    def _cancel(self, intent_id: str, reader: str | None) -> TerminalPayment:
        if reader:
            # nothing in progress on the reader (already finished or cancelled) is fine
            with contextlib.suppress(stripe.InvalidRequestError):
                self._client.v1.terminal.readers.cancel_action(reader)
        intent = self._client.v1.payment_intents.retrieve(intent_id)
        if intent.status not in ("succeeded", "canceled"):
            try:
                intent = self._client.v1.payment_intents.cancel(
                    intent_id, options={"idempotency_key": f"cancel-{intent_id}"}
                )
            except stripe.InvalidRequestError:
                intent = self._client.v1.payment_intents.retrieve(intent_id)  # it succeeded meanwhile
        return _terminal_payment(intent)


def _terminal_payment(intent: Any) -> TerminalPayment:
    metadata = intent.metadata.to_dict() if intent.metadata else {}
    error = intent.last_payment_error.to_dict() if intent.last_payment_error else None
    decline = None
    if error is not None and intent.status == "requires_payment_method":
        decline = str(error.get("decline_code") or error.get("code") or "card_declined")
    return TerminalPayment(
        intent_id=str(intent.id),
        status=str(intent.status),
        paid=intent.status == "succeeded",
        amount=int(intent.amount_received or 0) if intent.status == "succeeded" else int(intent.amount or 0),
        reference=str(metadata.get("reference", "")),
        decline_code=decline,
    )


def _state(session: Any) -> CheckoutState:
    metadata = session.metadata.to_dict() if session.metadata else {}
    intent = session.payment_intent
    return CheckoutState(
        session_id=session.id,
        status=str(session.status),
        paid=session.payment_status == "paid",
        amount=int(session.amount_total or 0),
        reference=str(metadata.get("reference") or session.client_reference_id or ""),
        payment_intent_id=intent if isinstance(intent, str) or intent is None else intent.id,
    )
