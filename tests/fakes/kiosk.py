"""In-memory kiosk sessions, orders, resident directory and records, same rules as the DynamoDB adapter; a card
terminal with Stripe's idempotency, for the order rules."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from madoguchi.kiosk.jpki import JpkiTrust
from madoguchi.kiosk.matching import FourItems, lookup_key
from madoguchi.kiosk.models import (
    WAITING_STATES,
    ChallengeExpired,
    ChallengeUsed,
    FamilyRegister,
    KioskOrder,
    KioskSession,
    ResidentRecord,
)
from madoguchi.kiosk.store import (
    FamilyRegisters,
    KioskOrderStore,
    KioskSessionStore,
    ResidentDirectory,
    ResidentRecords,
    TrustSource,
)
from madoguchi.metrics.models import DomainEvent
from madoguchi.payments.store import CardTerminal, PaymentUnavailable, TerminalPayment, TerminalUnavailable
from madoguchi.shared.errors import Conflict, NotFound
from madoguchi.shared.outbox import Outboxed


class MemoryKioskSessions(KioskSessionStore):
    def __init__(self) -> None:
        self.sessions: dict[str, KioskSession] = {}
        self._lock = threading.Lock()

    def put(self, session: KioskSession) -> None:
        with self._lock:
            if session.id in self.sessions:
                raise Conflict()
            self.sessions[session.id] = session

    def get(self, session_id: str) -> KioskSession | None:
        return self.sessions.get(session_id)

    def claim_challenge(self, session_id: str, kiosk: str, now: datetime) -> KioskSession:
        with self._lock:
            session = self.sessions.get(session_id)
            if session is None or session.kiosk != kiosk:
                raise NotFound()
            if session.state != "challenged":
                raise ChallengeUsed()
            if now >= session.challenge_expires_at:
                raise ChallengeExpired()
            claimed = session.model_copy(update={"state": "verifying"})
            self.sessions[session_id] = claimed
            return claimed

    def finish(self, session_id: str, changes: Mapping[str, Any]) -> KioskSession:
        with self._lock:
            session = self.sessions[session_id]
            if session.state != "verifying":
                raise Conflict()
            finished = session.model_copy(update=dict(changes))
            self.sessions[session_id] = finished
            return finished


class MemoryResidentDirectory(ResidentDirectory):
    def __init__(self, records: Mapping[str, FourItems]) -> None:
        self._by_key: dict[str, list[tuple[str, FourItems]]] = {}
        for resident_id, items in records.items():
            self._by_key.setdefault(lookup_key(items), []).append((resident_id, items))

    def candidates(self, lookup_key: str) -> list[tuple[str, FourItems]]:
        return list(self._by_key.get(lookup_key, []))


class StaticTrust(TrustSource):
    """A fixed JPKI trust (the deployment reads it from the `jpki` bucket: madoguchi.kiosk.s3)."""

    def __init__(self, trust: JpkiTrust) -> None:
        self.trust = trust

    def current(self) -> JpkiTrust:
        return self.trust


class MemoryKioskOrders(KioskOrderStore):
    def __init__(self) -> None:
        self.orders: dict[str, KioskOrder] = {}
        self.serials: dict[int, int] = {}
        self.events: list[DomainEvent] = []
        self.looked_at: dict[str, datetime] = {}  # the index's `waiting_at` once moved (else the creation time)
        self._lock = threading.Lock()

    def create(self, order: KioskOrder) -> KioskOrder:
        with self._lock:
            return self.orders.setdefault(order.id, order)

    def get(self, order_id: str) -> KioskOrder | None:
        return self.orders.get(order_id)

    def update(
        self, order_id: str, expected_state: str, changes: Mapping[str, Any], events: Sequence[Outboxed] = ()
    ) -> KioskOrder:
        with self._lock:
            order = self.orders.get(order_id)
            if order is None or order.state != expected_state:
                raise Conflict()
            updated = KioskOrder.model_validate({**order.model_dump(), **changes})
            self.orders[order_id] = updated
            self.events.extend(events)  # the outbox: written with the change or not at all
            return updated

    def left_waiting(self, created_before: datetime, limit: int) -> list[KioskOrder]:
        def at(o: KioskOrder) -> datetime:
            return self.looked_at.get(o.id, o.created_at)

        waiting = [o for o in self.orders.values() if o.state in WAITING_STATES and at(o) < created_before]
        return sorted(waiting, key=lambda o: (at(o), o.id))[:limit]

    def look_again_later(self, order_id: str, now: datetime) -> None:
        order = self.orders.get(order_id)
        if order is not None and order.state in WAITING_STATES:
            self.looked_at[order_id] = now

    def next_issue_serial(self, year: int) -> int:
        with self._lock:
            self.serials[year] = self.serials.get(year, 0) + 1
            return self.serials[year]


class MemoryResidentRecords(ResidentRecords):
    def __init__(self, records: Mapping[str, ResidentRecord]) -> None:
        self.records = dict(records)

    def record(self, resident_id: str) -> ResidentRecord | None:
        return self.records.get(resident_id)


class MemoryFamilyRegisters(FamilyRegisters):
    def __init__(self, registers: Mapping[str, FamilyRegister]) -> None:
        self.registers = dict(registers)

    def register_of(self, resident_id: str) -> FamilyRegister | None:
        return self.registers.get(resident_id)


class MemoryTerminal(CardTerminal):
    """One reader per kiosk; `start` with a key already used returns the first payment (as Stripe does)."""

    def __init__(self, readers: Mapping[str, str]) -> None:
        self.readers = dict(readers)
        self.payments: dict[str, TerminalPayment] = {}
        self.by_key: dict[str, str] = {}
        self.fail_next_start = False
        self.busy = False  # the reader refuses new payments (another in progress, offline)
        self.refunds: dict[str, tuple[str, str, int]] = {}  # idempotency key -> (refund id, payment, amount)
        self.fail_next_refund = False

    def reader_for(self, device: str) -> str | None:
        return self.readers.get(device)

    def start(
        self, *, amount: int, reference: str, purpose: str, description: str, reader: str, idempotency_key: str
    ) -> TerminalPayment:
        if self.fail_next_start:
            self.fail_next_start = False
            raise TimeoutError("the provider did not answer")
        if idempotency_key in self.by_key:
            return self.payments[self.by_key[idempotency_key]]
        payment = TerminalPayment(f"pi_{len(self.payments) + 1}", "requires_payment_method", False, amount, reference)
        self.payments[payment.intent_id] = payment
        self.by_key[idempotency_key] = payment.intent_id
        if self.busy:
            raise TerminalUnavailable(payment.intent_id)
        return payment

    def settle(self, intent_id: str, *, paid: bool, amount: int | None = None) -> None:
        """The card on the reader: approved (optionally for another amount) or declined."""
        payment = self.payments[intent_id]
        if paid:
            self.payments[intent_id] = TerminalPayment(
                intent_id, "succeeded", True, payment.amount if amount is None else amount, payment.reference
            )
        else:
            self.payments[intent_id] = TerminalPayment(
                intent_id, "requires_payment_method", False, payment.amount, payment.reference, "generic_decline"
            )

    def state(self, intent_id: str) -> TerminalPayment:
        return self.payments[intent_id]

    def find(self, reference: str) -> TerminalPayment | None:
        return next((p for p in self.payments.values() if p.reference == reference), None)

    def refund(self, payment_intent_id: str, amount: int, reference: str, idempotency_key: str) -> str:
        if self.fail_next_refund:
            self.fail_next_refund = False
            raise PaymentUnavailable()
        if idempotency_key not in self.refunds:
            assert self.payments[payment_intent_id].paid and amount <= self.payments[payment_intent_id].amount
            self.refunds[idempotency_key] = (f"re_{len(self.refunds) + 1}", payment_intent_id, amount)
        return self.refunds[idempotency_key][0]

    def cancel(self, intent_id: str, reader: str | None) -> TerminalPayment:
        payment = self.payments[intent_id]
        if payment.status not in ("succeeded", "canceled"):
            payment = TerminalPayment(intent_id, "canceled", False, payment.amount, payment.reference)
            self.payments[intent_id] = payment
        return payment
