"""Queue tickets and calling.

GET /queues, GET /queues/{counterId}/status, GET /tickets/{ticketId}: anyone (the status page and the display
board poll them; each is one small read of the counter's cached status). POST /queues/{counterId}/tickets: a
ticket machine or kiosk (device token). POST /tickets/{ticketId}/notifications: Web Push, whoever holds the
ticket id (printed as a QR code; ids are unguessable). POST /tickets/{ticketId}/notifications/line: LINE, a
signed-in resident holding the id, at the LINE account they linked by LINE Login. Calling, recall, absent,
requeue, complete, cancel, transfer and the counter's statistics: staff of the counter's department only.
The notices a change makes due are owed in its own transaction and delivered by functions/outbox_effects.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.utilities.typing import LambdaContext

from madoguchi.messaging.service import linked_line_user
from madoguchi.queue import service as queue
from madoguchi.queue.models import (
    Action,
    CallNext,
    CallResult,
    CounterList,
    CounterStats,
    IssueRequest,
    LineNotifyRequest,
    NotifyRequest,
    StaffTicketList,
    StaffTicketView,
    StatusView,
    Ticket,
    TicketReceipt,
    TicketView,
    Transfer,
)
from madoguchi.shared.api import (
    CONFLICT,
    NOT_FOUND,
    SECURITY,
    SIGNED_IN,
    IdempotencyKey,
    current_caller,
    make_resolver,
    request_lang,
)
from madoguchi.shared.clock import now
from madoguchi.shared.public_origin import site_origin
from madoguchi.shared.settings import settings
from madoguchi.wiring import device_gate, line_link_store, queue_store, webpush_sender

logger = Logger()
metrics = Metrics()
app = make_resolver(device_gate=device_gate())  # revoked devices are refused here

STAFF = {**SIGNED_IN, **NOT_FOUND, **CONFLICT}


def deps() -> queue.QueueDeps:
    return queue.QueueDeps(
        store=queue_store(),
        line_account=lambda resident: linked_line_user(resident, line_link_store()),
    )


def record(name: str, ticket: Ticket, seconds: int | None) -> None:
    """A per-counter and per-service metric (EMF): waiting and service time in CloudWatch."""
    if seconds is None:
        return
    with single_metric(
        name=name, unit=MetricUnit.Seconds, value=seconds, namespace=settings().metrics_namespace
    ) as metric:
        metric.add_dimension(name="counter", value=ticket.counter)
        metric.add_dimension(name="service", value=ticket.service)


@app.get("/queues", summary="Counters and their services", tags=["queue"])
def list_counters(lang: str | None = None) -> CounterList:
    return queue.counters(lang=request_lang(app))


@app.post(
    "/queues/<counterId>/tickets",
    summary="Issue the counter's next ticket (ticket machine or kiosk)",
    description="Send an `Idempotency-Key` header (e.g. a UUID per button press): a retry with the same key "
    "from the same device returns the ticket the first request issued, with its place now, and takes no number.",
    tags=["queue"],
    security=SECURITY,
    responses={**SIGNED_IN, **NOT_FOUND, 200: {"description": "The printable ticket"}},
)
def issue(counterId: str, body: IssueRequest, idempotency_key: IdempotencyKey = None) -> TicketReceipt:
    receipt = queue.issue(
        counterId,
        body,
        current_caller(app),
        deps(),
        now(),
        base_url=site_origin(),
        lang=request_lang(app),
        idempotency_key=idempotency_key,
    )
    metrics.add_metric(name="TicketIssued", unit=MetricUnit.Count, value=1)
    return receipt


@app.get(
    "/queues/<counterId>/status",
    summary="Live status of a counter",
    tags=["queue"],
    responses={**NOT_FOUND, 200: {"description": "Waiting, calling, estimated wait"}},
)
def status(counterId: str, lang: str | None = None) -> StatusView:
    return queue.counter_status(counterId, deps(), now(), lang=request_lang(app))


@app.get(
    "/tickets/<ticketId>",
    summary="A ticket's place in the queue",
    tags=["queue"],
    responses={**NOT_FOUND, 200: {"description": "State, people ahead, estimated wait"}},
)
def ticket(ticketId: str, lang: str | None = None) -> TicketView:
    return queue.view_ticket(ticketId, deps(), now(), lang=request_lang(app))


@app.post(
    "/tickets/<ticketId>/notifications",
    summary="Be told by Web Push when few are ahead and when called",
    tags=["queue"],
    responses={**NOT_FOUND, **CONFLICT, 200: {"description": "The ticket"}},
)
def opt_in(ticketId: str, body: NotifyRequest) -> TicketView:
    config = settings()
    return queue.opt_in(
        ticketId,
        body,
        deps(),
        now(),
        lang=request_lang(app),
        push_hosts=config.webpush_host_list(),
        push_origins=config.webpush_origin_list(),
    )


@app.post(
    "/tickets/<ticketId>/notifications/line",
    summary="Be told on LINE, at the LINE account the signed-in resident linked, when few are ahead and when called",
    description="The LINE account is the caller's own link (`/me/line`); the body names none. "
    "409 `line_not_linked` when the resident has not linked LINE yet.",
    tags=["queue"],
    security=SECURITY,
    responses={**SIGNED_IN, **NOT_FOUND, **CONFLICT, 200: {"description": "The ticket"}},
)
def opt_in_line(ticketId: str, body: LineNotifyRequest) -> TicketView:
    return queue.opt_in_line(ticketId, body, current_caller(app), deps(), now(), lang=request_lang(app))


@app.get("/notifications/webpush-key", summary="VAPID public key for PushManager.subscribe", tags=["queue"])
def webpush_key() -> dict[str, str]:
    sender = webpush_sender()
    return {"public_key": sender.public_key if sender else ""}


@app.get(
    "/queues/<counterId>/tickets",
    summary="Today's live tickets with their ids (staff of the counter)",
    tags=["queue"],
    security=SECURITY,
    responses={**SIGNED_IN, **NOT_FOUND, 200: {"description": "Tickets"}},
)
def live(counterId: str) -> StaffTicketList:
    return queue.live_tickets(counterId, current_caller(app), deps(), now())


@app.post(
    "/queues/<counterId>/call-next",
    summary="Call the next ticket (staff of the counter)",
    description="Send an `Idempotency-Key` header (one per press of the button): a retry with the same key from "
    "the same staff member answers the ticket the first request called and calls nobody else.",
    tags=["queue"],
    security=SECURITY,
    responses={**STAFF, 200: {"description": "The called ticket, or null"}},
)
def call_next(counterId: str, body: CallNext, idempotency_key: IdempotencyKey = None) -> CallResult:
    caller = current_caller(app)
    at = now()
    called = queue.call_next(counterId, body, caller, deps(), at, idempotency_key=idempotency_key)
    if called is not None and called.called_at == at:  # counted once: a retry answers an earlier call
        metrics.add_metric(name="TicketCalled", unit=MetricUnit.Count, value=1)
        if called.recalls == 0 and called.first_called_at == called.called_at:
            record("WaitingTime", called, called.wait_seconds)
    return CallResult(ticket=queue.staff_view(called, caller.sub if caller else None) if called else None)


def _act(
    counter_id: str, ticket_id: str, action: Action, desk: str | None = None, key: str | None = None
) -> StaffTicketView:
    grace = timedelta(minutes=settings().queue_absent_grace_minutes)
    caller = current_caller(app)
    at = now()
    changed = queue.act(counter_id, ticket_id, action, caller, deps(), at, grace=grace, desk=desk, idempotency_key=key)
    if action == "recall" and changed.called_at != at:
        return queue.staff_view(changed, caller.sub if caller else None)  # a retry: counted by the first
    if action == "complete":
        record("ServiceTime", changed, changed.service_seconds)
    metrics.add_metric(name=f"Ticket{action.capitalize()}", unit=MetricUnit.Count, value=1)
    return queue.staff_view(changed, caller.sub if caller else None)


@app.post(
    "/queues/<counterId>/tickets/<ticketId>/recall",
    summary="Call the ticket again",
    description="Send an `Idempotency-Key` header (one per press): a retry with the same key from the same staff "
    "member answers the ticket as the first request recalled it, and the resident is not notified again.",
    tags=["queue"],
    security=SECURITY,
    responses={**STAFF, 200: {"description": "The ticket"}},
)
def recall(counterId: str, ticketId: str, idempotency_key: IdempotencyKey = None) -> StaffTicketView:
    return _act(counterId, ticketId, "recall", key=idempotency_key)


@app.post(
    "/queues/<counterId>/tickets/<ticketId>/absent",
    summary="Not here: keep the place for the grace period",
    tags=["queue"],
    security=SECURITY,
    responses={**STAFF, 200: {"description": "The ticket"}},
)
def absent(counterId: str, ticketId: str) -> StaffTicketView:
    return _act(counterId, ticketId, "absent")


@app.post(
    "/queues/<counterId>/tickets/<ticketId>/requeue",
    summary="Came back within the grace period: back in line at the first arrival time",
    tags=["queue"],
    security=SECURITY,
    responses={**STAFF, 200: {"description": "The ticket"}},
)
def requeue(counterId: str, ticketId: str) -> StaffTicketView:
    return _act(counterId, ticketId, "requeue")


@app.post(
    "/queues/<counterId>/tickets/<ticketId>/complete",
    summary="Served: records the service time",
    tags=["queue"],
    security=SECURITY,
    responses={**STAFF, 200: {"description": "The ticket"}},
)
def complete(counterId: str, ticketId: str) -> StaffTicketView:
    return _act(counterId, ticketId, "complete")


@app.post(
    "/queues/<counterId>/tickets/<ticketId>/cancel",
    summary="Left without being served",
    tags=["queue"],
    security=SECURITY,
    responses={**STAFF, 200: {"description": "The ticket"}},
)
def cancel(counterId: str, ticketId: str) -> StaffTicketView:
    return _act(counterId, ticketId, "cancel")


@app.post(
    "/queues/<counterId>/tickets/<ticketId>/transfer",
    summary="Hand over to another counter, keeping the first arrival time",
    tags=["queue"],
    description="Send an `Idempotency-Key` header: a retry with the same key from the same staff member "
    "returns the new ticket of the first request.",
    security=SECURITY,
    responses={**STAFF, 200: {"description": "The new ticket at the other counter"}},
)
def transfer(counterId: str, ticketId: str, body: Transfer, idempotency_key: IdempotencyKey = None) -> StaffTicketView:
    new = queue.transfer(counterId, ticketId, body, current_caller(app), deps(), now(), idempotency_key=idempotency_key)
    metrics.add_metric(name="TicketTransferred", unit=MetricUnit.Count, value=1)
    return queue.staff_view(new)


@app.get(
    "/queues/<counterId>/stats",
    summary="Daily waiting and service times (staff of the counter)",
    tags=["queue"],
    security=SECURITY,
    responses={**SIGNED_IN, **NOT_FOUND, 200: {"description": "Aggregates"}},
)
def stats(counterId: str, days: int = 30, lang: str | None = None) -> CounterStats:
    return queue.counter_stats(
        counterId, current_caller(app), deps(), now(), days=max(1, min(days, 366)), lang=request_lang(app)
    )


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
