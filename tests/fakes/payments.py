"""In-memory PaymentGateway for unit tests: checkout sessions paid by calling `pay`, refunds recorded."""

from __future__ import annotations

import uuid
from datetime import datetime

from madoguchi.payments.store import (
    Checkout,
    CheckoutState,
    InvalidSignature,
    PaymentEvent,
    PaymentGateway,
    UnknownCheckout,
)


class MemoryPayments(PaymentGateway):
    """Checkout sessions paid by calling `pay`; records refunds. Webhooks are not parsed here."""

    def __init__(self) -> None:
        self.sessions: dict[str, CheckoutState] = {}
        self.refunds: list[tuple[str, int, str]] = []  # (payment intent, amount, idempotency key)
        self.created: dict[str, str] = {}  # idempotency key -> session id
        self.locales: dict[str, str] = {}  # session id -> the payment page's language
        self.items: dict[str, str] = {}  # session id -> the item name the payment page shows

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
        session_id = self.created.get(idempotency_key) or f"cs_{uuid.uuid4().hex}"
        self.created[idempotency_key] = session_id
        self.sessions.setdefault(session_id, CheckoutState(session_id, "open", False, amount, reference))
        self.locales[session_id] = locale
        self.items[session_id] = description
        return Checkout(session_id, f"https://pay.example/{session_id}")

    def pay(self, session_id: str) -> CheckoutState:
        state = self.sessions[session_id]
        paid = CheckoutState(session_id, "complete", True, state.amount, state.reference, f"pi_{uuid.uuid4().hex}")
        self.sessions[session_id] = paid
        return paid

    def checkout_state(self, session_id: str) -> CheckoutState:
        if session_id not in self.sessions:
            raise UnknownCheckout(session_id)
        return self.sessions[session_id]

    def expire_checkout(self, session_id: str) -> CheckoutState:
        state = self.sessions[session_id]
        if state.status == "open":
            state = CheckoutState(session_id, "expired", False, state.amount, state.reference)
            self.sessions[session_id] = state
        return state

    def refund(self, payment_intent_id: str, amount: int, reference: str, idempotency_key: str) -> str:
        if not any(key == idempotency_key for _, _, key in self.refunds):
            self.refunds.append((payment_intent_id, amount, idempotency_key))
        return f"re_{idempotency_key}"

    def parse_event(self, payload: str, signature: str) -> PaymentEvent:
        raise InvalidSignature()
