"""Card payments, generic over what is paid for: reservations now, application fees later.

Amounts are integer yen (JPY has no minor unit); `reference` names the thing paid for, e.g.
`reservation:<id>`, and travels in the payment's metadata so every event can be traced back to it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from madoguchi.shared.errors import DomainError


@dataclass(frozen=True)
class Checkout:
    session_id: str
    url: str


@dataclass(frozen=True)
class CheckoutState:
    session_id: str
    status: str  # open | complete | expired
    paid: bool
    amount: int
    reference: str
    payment_intent_id: str | None = None


@dataclass(frozen=True)
class PaymentEvent:
    id: str
    type: str
    created: int
    object: dict[str, Any] = field(default_factory=dict)


class InvalidSignature(Exception):
    """A webhook whose signature, secret or timestamp does not verify."""


class PaymentUnavailable(DomainError):
    """The payment provider failed, throttled, hung past our time-out or answered garbage: nothing was decided
    on our side; the caller may try again with the same Idempotency-Key (503)."""

    status = 503
    code = "payment_unavailable"


class UnknownCheckout(Exception):
    """The payment provider does not know this checkout (another account's, or deleted)."""


class PaymentGateway(ABC):
    @abstractmethod
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
    ) -> Checkout: ...

    @abstractmethod
    def checkout_state(self, session_id: str) -> CheckoutState:
        """The checkout as the provider sees it now; raises UnknownCheckout if it has no such checkout."""

    @abstractmethod
    def expire_checkout(self, session_id: str) -> CheckoutState:
        """Close an unpaid checkout so it can no longer be paid; returns its state (paid if it was)."""

    @abstractmethod
    def refund(self, payment_intent_id: str, amount: int, reference: str, idempotency_key: str) -> str:
        """Refund `amount` yen of a payment; returns the refund id."""

    @abstractmethod
    def parse_event(self, payload: str, signature: str) -> PaymentEvent:
        """Verify a webhook (signature over the raw body, timestamp tolerance); raises InvalidSignature."""


@dataclass(frozen=True)
class TerminalPayment:
    """A card-present payment (a PaymentIntent processed on a card terminal)."""

    intent_id: str
    status: str  # requires_payment_method | processing | succeeded | canceled …
    paid: bool
    amount: int
    reference: str
    decline_code: str | None = None  # set when the last card presented was declined


class TerminalUnavailable(Exception):
    """The reader could not take the payment (offline, busy, provider unreachable); `intent_id` names the payment
    created before it failed, if any, so it can be cancelled."""

    def __init__(self, intent_id: str | None) -> None:
        super().__init__(intent_id)
        self.intent_id = intent_id


class CardTerminal(ABC):
    """Card-present payments on a terminal beside a kiosk, driven from the server (the terminal shows the amount,
    the resident taps or inserts a card; the result is read back by polling)."""

    @abstractmethod
    def reader_for(self, device: str) -> str | None:
        """The terminal registered for this kiosk (device id), or None."""

    @abstractmethod
    def start(
        self, *, amount: int, reference: str, purpose: str, description: str, reader: str, idempotency_key: str
    ) -> TerminalPayment:
        """Create the payment and hand it to the reader; the same idempotency key never creates a second one.
        Raises TerminalUnavailable when the reader cannot take it."""

    @abstractmethod
    def state(self, intent_id: str) -> TerminalPayment: ...

    @abstractmethod
    def cancel(self, intent_id: str, reader: str | None) -> TerminalPayment:
        """Stop waiting for a card and cancel the payment unless it succeeded; returns what it became."""

    @abstractmethod
    def find(self, reference: str) -> TerminalPayment | None:
        """The payment whose metadata `reference` is this one, if the provider has one (an order whose payment
        id was never recorded: the answer to its creation was lost)."""

    @abstractmethod
    def refund(self, payment_intent_id: str, amount: int, reference: str, idempotency_key: str) -> str:
        """Refund `amount` yen once per `idempotency_key`; returns the refund id."""
