"""The kiosk's rules: who may open a session, and how a card becomes an authenticated resident.

Order matters for "nothing half-written": the challenge is claimed (a conditional write) before anything is
verified, so a replay or a second tap fails without side effects; the card is then verified and matched, and
the session ends authenticated or refused — either way its challenge is spent.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from madoguchi.certificates import links as certificate_links
from madoguchi.certificates import service as certificates
from madoguchi.certificates.store import CertificateRegistry
from madoguchi.kiosk.certificate import TITLES, certificate_pdf, issue_number, koseki_pdf
from madoguchi.kiosk.events import order_events
from madoguchi.kiosk.jpki import JpkiRejected, verify_card_response
from madoguchi.kiosk.matching import FourItems, lookup_key, matches
from madoguchi.kiosk.models import (
    CHALLENGE_BYTES,
    CHALLENGE_SECONDS,
    SESSION_SECONDS,
    Authenticated,
    AuthenticateRequest,
    CardRefused,
    KioskOrder,
    KioskSession,
    NoFamilyRegister,
    NoSealRegistration,
    NoTaxRecord,
    NoTerminal,
    OrderKeyReused,
    OrderRequest,
    OrderView,
    RecordUnavailable,
    ResidentNotMatched,
    ResidentRecord,
    SessionExpired,
    SessionNotAuthenticated,
    SessionStarted,
    b64url_decode,
    b64url_encode,
)
from madoguchi.kiosk.store import (
    FamilyRegisters,
    KioskOrderStore,
    KioskSessionStore,
    ResidentDirectory,
    ResidentRecords,
    TrustSource,
)
from madoguchi.payments.store import CardTerminal, TerminalUnavailable
from madoguchi.procedures.service import ProcedureDeps, get_procedure
from madoguchi.shared.auth import Caller, DeviceKind, Role, require
from madoguchi.shared.errors import Conflict, InvalidInput, NotFound
from madoguchi.shared.retries import retry_id


@dataclass(frozen=True)
class KioskDeps:
    sessions: KioskSessionStore
    residents: ResidentDirectory
    trust: TrustSource


# Session ids are token_urlsafe(16), or with an Idempotency-Key k-<32 hex>; anything else names no session (and
# never reaches the table's key limits).
_SESSION_ID = re.compile(r"[A-Za-z0-9_-]{16,64}")


def start_session(
    caller: Caller | None, deps: KioskDeps, now: datetime, *, idempotency_key: str | None = None
) -> SessionStarted:
    """A session with a fresh challenge. A retry with the same Idempotency-Key answers the same session while its
    challenge waits for the card; after that (answered, or expired) the retry is a Conflict."""
    kiosk = require(caller, Role.DEVICE, device_kind=DeviceKind.KIOSK)
    deps.trust.current()  # no JPKI trust configured: say so now, before the resident types a PIN
    session = KioskSession(
        id=retry_id("k", kiosk.sub, idempotency_key, length=32) if idempotency_key else secrets.token_urlsafe(16),
        kiosk=kiosk.sub,
        challenge=b64url_encode(secrets.token_bytes(CHALLENGE_BYTES)),
        state="challenged",
        created_at=now,
        challenge_expires_at=now + timedelta(seconds=CHALLENGE_SECONDS),
        expires_at=now + timedelta(seconds=SESSION_SECONDS),
    )
    try:
        deps.sessions.put(session)
    except Conflict:
        first = deps.sessions.get(session.id) if idempotency_key else None
        if (
            first is None
            or first.kiosk != kiosk.sub
            or first.state != "challenged"
            or now >= first.challenge_expires_at
        ):
            raise
        session = first  # the first answer was lost on the way: the card signs the same challenge
    return SessionStarted(
        session_id=session.id, challenge=session.challenge, challenge_expires_at=session.challenge_expires_at
    )


def authenticate(
    session_id: str, request: AuthenticateRequest, caller: Caller | None, deps: KioskDeps, now: datetime
) -> Authenticated:
    kiosk = require(caller, Role.DEVICE, device_kind=DeviceKind.KIOSK)
    signature = b64url_decode(request.signature)
    certificate = b64url_decode(request.certificate)
    if signature is None or certificate is None:
        bad: list[tuple[list[str | int], str]] = [
            (["body", field], "not_base64url")
            for field, value in (("signature", signature), ("certificate", certificate))
            if value is None
        ]
        raise InvalidInput(bad)
    session = deps.sessions.get(session_id) if _SESSION_ID.fullmatch(session_id) else None
    if session is None or session.kiosk != kiosk.sub:
        raise NotFound()  # another kiosk's session does not exist for this one
    trust = deps.trust.current()
    claimed = deps.sessions.claim_challenge(session_id, kiosk.sub, now)
    challenge = b64url_decode(claimed.challenge) or b""
    try:
        verified = verify_card_response(
            challenge=challenge, signature=signature, certificate_der=certificate, trust=trust, now=now
        )
    except JpkiRejected as rejection:
        deps.sessions.finish(session_id, {"state": "refused", "refusal": rejection.code})
        raise CardRefused(reason=rejection.code) from rejection
    four = request.basic_four
    card = FourItems(four.name, four.address, four.date_of_birth.isoformat(), four.sex)
    found = [rid for rid, record in deps.residents.candidates(lookup_key(card)) if matches(card, record)]
    if len(found) != 1:
        deps.sessions.finish(
            session_id,
            {"state": "refused", "refusal": "not_matched", "certificate_fingerprint": verified.fingerprint_sha256},
        )
        raise ResidentNotMatched()
    done = deps.sessions.finish(
        session_id,
        {"state": "authenticated", "resident_id": found[0], "certificate_fingerprint": verified.fingerprint_sha256},
    )
    return Authenticated(session_id=done.id, expires_at=done.expires_at)


# --- Orders: choose, pay on the kiosk's terminal, print ---------------------------------------------------


@dataclass(frozen=True)
class OrderDeps:
    sessions: KioskSessionStore
    orders: KioskOrderStore
    records: ResidentRecords
    registers: FamilyRegisters  # the 戸籍 this city keeps, for a 戸籍全部事項証明書
    terminal: CardTerminal
    procedures: ProcedureDeps
    # The certificate register: an issued order is registered before its PDF is first handed out, and the PDF
    # then prints where to check it (madoguchi.certificates). None only in tests of the order rules alone.
    certificates: CertificateRegistry | None = None


_ORDER_ID = re.compile(r"[A-Za-z0-9_-]{22}")
PAYMENT_PURPOSE = "kiosk_certificate"
KIOSK_OFFICE = "shimin"  # the kiosk's certificates are the 市民課's (its register entries name that office)


def _order_id(session_id: str, idempotency_key: str) -> str:
    """One order per (session, Idempotency-Key): a retried request names the same order, and so the same payment."""
    digest = hashlib.sha256(f"{session_id}\0{idempotency_key}".encode()).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode("ascii")


def _authenticated_session(session_id: str, kiosk: str, deps: OrderDeps, now: datetime) -> KioskSession:
    session = deps.sessions.get(session_id) if _SESSION_ID.fullmatch(session_id) else None
    if session is None or session.kiosk != kiosk:
        raise NotFound()
    if now >= session.expires_at:
        raise SessionExpired()
    if session.state != "authenticated" or session.resident_id is None:
        raise SessionNotAuthenticated()
    return session


def place_order(
    session_id: str,
    request: OrderRequest,
    idempotency_key: str | None,
    caller: Caller | None,
    deps: OrderDeps,
    now: datetime,
) -> OrderView:
    """Record the order, then create the card-present payment and send it to the kiosk's terminal. A retry with
    the same Idempotency-Key finds the same order and repeats the provider calls with the same keys: one payment."""
    kiosk = require(caller, Role.DEVICE, device_kind=DeviceKind.KIOSK)
    if not idempotency_key:
        raise InvalidInput([(["header", "Idempotency-Key"], "missing")])
    session = _authenticated_session(session_id, kiosk.sub, deps, now)
    resident_id = session.resident_id or ""  # set in every authenticated session (checked above)
    record = deps.records.record(resident_id)
    if record is None:
        raise RecordUnavailable()
    _check_available(request, record)
    if request.certificate == "koseki-shomei" and deps.registers.register_of(resident_id) is None:
        raise NoFamilyRegister()
    reader = deps.terminal.reader_for(kiosk.sub)
    if reader is None:
        raise NoTerminal()
    fee = get_procedure(request.certificate, deps.procedures, lang="ja").fee_yen
    wanted = KioskOrder(
        id=_order_id(session_id, idempotency_key),
        session_id=session_id,
        kiosk=kiosk.sub,
        resident_id=resident_id,
        certificate=request.certificate,
        copies=request.copies,
        scope=request.scope,
        fiscal_year=request.fiscal_year,
        amount=fee * request.copies,
        state="awaiting_payment",
        created_at=now,
        reader_id=reader,
    )
    order = deps.orders.create(wanted)
    if (order.certificate, order.copies, order.scope, order.fiscal_year, order.session_id) != (
        wanted.certificate,
        wanted.copies,
        wanted.scope,
        wanted.fiscal_year,
        wanted.session_id,
    ):
        raise OrderKeyReused()
    if order.state == "awaiting_payment" and order.payment_intent_id is None:
        try:
            payment = deps.terminal.start(
                amount=order.amount,
                reference=f"kiosk-order:{order.id}",
                purpose=PAYMENT_PURPOSE,
                description=f"{TITLES[order.certificate]} x{order.copies}",
                reader=order.reader_id or reader,
                idempotency_key=f"kiosk-order-{order.id}",
            )
        except TerminalUnavailable as failure:
            # The reader refused (busy, offline): end this order, its payment cancelled; the page may order again
            if failure.intent_id:
                deps.terminal.cancel(failure.intent_id, None)
            with contextlib.suppress(Conflict):
                deps.orders.update(
                    order.id, "awaiting_payment", {"state": "canceled", "payment_intent_id": failure.intent_id}
                )
            raise NoTerminal() from failure
        try:
            order = deps.orders.update(order.id, "awaiting_payment", {"payment_intent_id": payment.intent_id})
        except Conflict:
            order = deps.orders.get(order.id) or order  # a concurrent retry recorded the same payment
    return _view(order, None)


def _check_available(request: OrderRequest, record: ResidentRecord) -> None:
    """What the certificate needs from the records is there: refused before the terminal asks for a card."""
    if request.certificate == "inkan-toroku-shomei" and record.seal is None:
        raise NoSealRegistration()
    if request.fiscal_year is not None and record.tax_year(request.fiscal_year) is None:
        raise NoTaxRecord()


def get_order(session_id: str, order_id: str, caller: Caller | None, deps: OrderDeps, now: datetime) -> OrderView:
    """The order's state, settled against the terminal's payment; the certificate once paid (made now from the
    resident record). A declined card ends the order with nothing issued and its payment cancelled."""
    kiosk = require(caller, Role.DEVICE, device_kind=DeviceKind.KIOSK)
    session = _authenticated_session(session_id, kiosk.sub, deps, now)
    order = deps.orders.get(order_id) if _ORDER_ID.fullmatch(order_id) else None
    if order is None or order.session_id != session.id or order.kiosk != kiosk.sub:
        raise NotFound()
    if order.state == "awaiting_payment" and order.payment_intent_id:
        order = _settle(order, deps, now)
    if order.state != "issued":
        return _view(order, None)
    record = deps.records.record(order.resident_id)
    if record is None:
        raise RecordUnavailable()
    if deps.certificates is None or not (order.issue_number and order.verification_code and order.issued_at):
        return _view(order, _pdf(order, record, deps))
    _register(order, deps.certificates)
    page_url, link = certificate_links.verification_links(order.issue_number, order.verification_code)
    return _view(order, _pdf(order, record, deps, page_url=page_url, link=link))


def _pdf(
    order: KioskOrder, record: ResidentRecord, deps: OrderDeps, *, page_url: str | None = None, link: str | None = None
) -> bytes:
    """The certificate from the register it certifies: the 戸籍 for a 戸籍全部事項証明書, else the resident record."""
    if order.certificate != "koseki-shomei":
        return certificate_pdf(order, record, page_url=page_url, link=link)
    register = deps.registers.register_of(order.resident_id)
    if register is None:
        raise RecordUnavailable()  # no longer kept here (転籍 since the order): the counter sorts it out
    return koseki_pdf(order, register, page_url=page_url, link=link)


def _register(order: KioskOrder, registry: CertificateRegistry) -> None:
    """Idempotent (a conditional put): every fetch of an issued order makes sure its certificate is registered."""
    title = TITLES[order.certificate]
    certificates.record_issue(
        registry,
        number=order.issue_number or "",
        code=order.verification_code or "",
        kind=order.certificate,
        title=title if order.scope == "self" else f"{title}（世帯全員）",
        department=KIOSK_OFFICE,
        channel="kiosk",
        issued_at=order.issued_at or order.created_at,
        reference=f"kiosk-order:{order.id}",
    )


def cancel_order(session_id: str, order_id: str, caller: Caller | None, deps: OrderDeps, now: datetime) -> OrderView:
    """The resident gave up (or the kiosk timed out): stop the terminal and cancel the payment unless it went
    through, in which case the order is issued as paid for."""
    kiosk = require(caller, Role.DEVICE, device_kind=DeviceKind.KIOSK)
    order = deps.orders.get(order_id) if _ORDER_ID.fullmatch(order_id) else None
    if order is None or order.session_id != session_id or order.kiosk != kiosk.sub:
        raise NotFound()
    if order.state != "awaiting_payment":
        return _view(order, None)
    if order.payment_intent_id:
        payment = deps.terminal.cancel(order.payment_intent_id, order.reader_id)
        if payment.paid:
            return _view(_settle(order, deps, now), None)
    try:
        order = deps.orders.update(order.id, "awaiting_payment", {"state": "canceled"})
    except Conflict:
        order = deps.orders.get(order.id) or order
    return _view(order, None)


def _settle(order: KioskOrder, deps: OrderDeps, now: datetime) -> KioskOrder:
    if order.payment_intent_id is None:
        return order  # the payment is not recorded yet: nothing to settle
    payment = deps.terminal.state(order.payment_intent_id)
    if payment.paid and payment.amount == order.amount and payment.reference == f"kiosk-order:{order.id}":
        serial = deps.orders.next_issue_serial(now.year)
        changes = {
            "state": "issued",
            "issue_number": issue_number(serial, now),
            "verification_code": secrets.token_hex(6).upper(),
            "issued_at": now.isoformat(),
        }
    elif payment.decline_code is not None or payment.status == "canceled":
        if payment.status != "canceled":
            deps.terminal.cancel(payment.intent_id, order.reader_id)  # no later tap can charge it
        changes = {"state": "declined", "decline_code": payment.decline_code or "canceled"}
    else:
        return order  # still waiting for a card on the terminal
    after = KioskOrder.model_validate({**order.model_dump(), **changes})
    try:
        return deps.orders.update(order.id, "awaiting_payment", changes, order_events(order, after, now))
    except Conflict:
        return deps.orders.get(order.id) or order  # a concurrent poll settled it first


def _view(order: KioskOrder, pdf: bytes | None) -> OrderView:
    return OrderView(
        order_id=order.id,
        state=order.state,
        certificate=order.certificate,
        copies=order.copies,
        scope=order.scope,
        fiscal_year=order.fiscal_year,
        amount=order.amount,
        decline_code=order.decline_code,
        issue_number=order.issue_number,
        issued_at=order.issued_at,
        pdf=base64.b64encode(pdf).decode("ascii") if pdf else None,
    )
