"""The one source for Madoguchi's shapes: tables, buckets, functions, routes and workflows.

The CDK app builds the cloud from it and the local stack provisions moto and routes requests from it, so the
two cannot drift (tests/infra compares both with the synthesised template). Plain data: no AWS imports here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS_DIR = ROOT / "functions"
WORKFLOWS_DIR = ROOT / "infra" / "workflows"
PREFIX = "madoguchi"
# The SSM parameter the web stack writes with the site's address (the distribution's, or `-c site_url`); functions
# that build links read it at cold start when SITE_URL is not set (decisions.md).
SITE_URL_PARAMETER = "/madoguchi/site-url"
# Sender of status e-mails (an SES identity the city verifies for its domain after deploying).
MAIL_FROM = "noreply@madoguchi.example"
METRICS_NAMESPACE = "Madoguchi"
# Stream consumers (Function.streams): batch size, how often a failing batch is retried before its position goes
# to the on-failure queue, and the oldest record still tried (the stream keeps records 24 hours).
STREAM_BATCH_SIZE = 100
STREAM_RETRY_ATTEMPTS = 10
STREAM_MAX_RECORD_AGE_S = 24 * 3600

Access = Literal["read", "write"]
HttpMethod = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]


@dataclass(frozen=True)
class Index:
    name: str
    pk: str
    sk: str | None = None


@dataclass(frozen=True)
class Table:
    key: str  # short name; the physical name is chosen by CloudFormation in the cloud, PREFIX-key locally
    env: str  # environment variable that carries the table name to the functions
    pk: str = "pk"
    sk: str | None = "sk"
    indexes: tuple[Index, ...] = ()
    ttl: str | None = None
    stream: bool = False

    @property
    def local_name(self) -> str:
        return f"{PREFIX}-{self.key}"


@dataclass(frozen=True)
class Bucket:
    key: str
    env: str
    # Objects under `uploads_prefix` (presigned uploads) expire after `uploads_expire_days` whatever happens to
    # them; objects tagged `unreferenced_tag` (checked files no submitted application uses) after
    # `unreferenced_expire_days`.
    uploads_prefix: str | None = None
    uploads_expire_days: int = 1
    unreferenced_tag: tuple[str, str] | None = None
    unreferenced_expire_days: int = 30

    @property
    def local_name(self) -> str:
        return f"{PREFIX}-{self.key}"


@dataclass(frozen=True)
class Secret:
    """A third party's credentials: a Secrets Manager secret holding a JSON object of `fields`.

    The cloud creates it empty (operators put the values after deploying, docs/operations.md); the local stack
    fills it from infra/local/secrets.py. Functions read it with madoguchi.secrets.secret(key).
    """

    key: str
    description: str
    fields: tuple[str, ...]

    @property
    def env(self) -> str:
        """Carries the secret's name (locally) or ARN (cloud); madoguchi.secrets relies on this naming."""
        return f"{self.key.upper()}_SECRET"

    @property
    def local_name(self) -> str:
        return f"{PREFIX}/{self.key}"


@dataclass(frozen=True)
class Route:
    method: HttpMethod
    path: str  # API Gateway template, e.g. /procedures/{procedureId}
    # False: anyone may call it. True: a valid token is required (the authorizer checks it); which roles may
    # call it is decided in the handler by madoguchi.auth.require, so the rule lives next to the code it guards.
    authenticated: bool


@dataclass(frozen=True)
class Function:
    name: str  # folder under functions/, holding handler.py with lambda_handler
    description: str
    memory_mb: int
    timeout_s: int = 10
    routes: tuple[Route, ...] = ()
    tables: tuple[tuple[str, Access], ...] = ()
    buckets: tuple[tuple[str, Access], ...] = ()
    # Workflows it starts, and workflows whose task tokens it answers (SendTaskSuccess/Failure): each gets the
    # state machine's ARN in the workflow's `env` variable and exactly that permission on that machine.
    starts: tuple[str, ...] = ()
    answers: tuple[str, ...] = ()
    # Secrets it may read (catalogue SECRETS keys); each secret's name reaches it in the secret's `env` variable.
    secrets: tuple[str, ...] = ()
    # EventBridge schedule expression (UTC), e.g. "rate(5 minutes)" or "cron(0 18 * * ? *)": a rule invokes the
    # function with a Scheduled Event; locally infra/local/scheduler.py does the same.
    schedule: str | None = None
    # Buckets whose object-created events under the bucket's `uploads_prefix` invoke the function with the S3
    # event (Records[]); locally infra/local/s3_events.py delivers moto's events the same way.
    s3_events: tuple[str, ...] = ()
    # Sends e-mail through SES (ses:SendEmail from the configured sender identity).
    sends_mail: bool = False
    # Tables whose stream invokes the function with batches of new items (DynamoDB Streams event, Records[]):
    # retried STREAM_RETRY_ATTEMPTS times (bisected), then the batch's position goes to the function's
    # on-failure queue (`<name>-stream-failures`); locally infra/local/streams.py delivers the same way.
    streams: tuple[str, ...] = ()
    # Manages the device pool's users (Cognito admin API: create, set password, sign in, sign out, disable) and
    # gets the pool's id and the device enrolment client's id (DEVICE_USER_POOL_ID, DEVICE_CLIENT_ID).
    device_identities: bool = False
    # Deployed by the auth stack as a Cognito trigger (no layers, not behind the API); the local issuer does its job.
    cognito_trigger: bool = False
    # Builds links to the site (madoguchi.shared.public_origin): gets the site's address from the deployment
    # (tests/infra/test_site_origin_infra.py finds such functions by their imports and checks this flag).
    builds_links: bool = False

    @property
    def local_name(self) -> str:
        return f"{PREFIX}-{self.name.replace('_', '-')}"

    @property
    def handler_file(self) -> Path:
        return FUNCTIONS_DIR / self.name / "handler.py"


@dataclass(frozen=True)
class Workflow:
    key: str
    asl_file: str  # under infra/workflows/
    # ${Name} placeholder in the ASL -> function name whose ARN replaces it
    functions: dict[str, str] = field(default_factory=dict)
    # A fixture of the test suites (the local stack provisions it; the cloud never gets it)
    test_only: bool = False

    @property
    def local_name(self) -> str:
        return f"{PREFIX}-{self.key.replace('_', '-')}"

    @property
    def state_machine_name(self) -> str:
        """Fixed in the cloud too, so functions can be granted it by ARN without a cross-stack cycle."""
        return self.local_name

    @property
    def env(self) -> str:
        return f"{self.key.upper()}_STATE_MACHINE_ARN"

    @property
    def asl_path(self) -> Path:
        return WORKFLOWS_DIR / self.asl_file


TABLES: tuple[Table, ...] = (
    # Procedure catalogue: every procedure in one partition (a few hundred items at most), one item each.
    Table(key="catalogue", env="CATALOGUE_TABLE"),
    # One-stop cases: the case item and, in the same partition, its append-only timeline, thread and
    # verification requests, so one Query reads a whole case.
    Table(key="cases", env="CASES_TABLE"),
    # Human steps of workflows: one item per task; the task token never leaves this table. `inbox` holds the
    # department only while the task is pending, so the inbox index is sparse: it holds what waits, nothing else.
    Table(
        key="tasks",
        env="TASKS_TABLE",
        indexes=(Index(name="inbox", pk="inbox", sk="created_at"),),
        ttl="expires_at",
    ),
    # Online applications: one partition per application (the application, its attachments, verifications and
    # append-only audit entries), pointer items for short codes and idempotency keys, card-reader visits and the
    # demo resident records. `owner` lists a resident's own; `inbox` is a department's submitted applications
    # by status (and VERIFY#<department> for open internal verifications). See docs/data-model.md.
    Table(
        key="applications",
        env="APPLICATIONS_TABLE",
        indexes=(
            Index(name="owner", pk="owner", sk="created_at"),
            Index(name="inbox", pk="inbox", sk="inbox_sk"),
        ),
        ttl="expires_at",
    ),
    # Facility reservations (docs/data-model.md, "Reservations"): facilities, one item per taken slot, reservations,
    # fee reductions and lottery rounds. `by_owner` lists a resident's own items; `queue` is sparse: it holds only
    # what waits (holds by expiry, fee reductions awaiting a decision). TTL removes long-forgotten hold items.
    Table(
        key="reservations",
        env="RESERVATIONS_TABLE",
        indexes=(Index(name="by_owner", pk="owner", sk="created_at"), Index(name="queue", pk="queue", sk="queue_at")),
        ttl="ttl",
    ),
    # Powertools idempotency records: one per processed payment webhook event (key `id`), expiring by `expiration`.
    Table(key="idempotency", env="IDEMPOTENCY_TABLE", pk="id", sk=None, ttl="expiration"),
    # FAQ entries (current item per entry in one partition, versions in the entry's own partition), the FAQ's
    # version counter, and questions kept for staff review (expiring after 180 days).
    Table(key="faq", env="FAQ_TABLE", ttl="expires_at"),
)

TABLES += (
    # Queue tickets: per counter and day one partition (#SEQ numbering item + tickets) (docs/data-model.md).
    Table(key="queue", env="QUEUE_TABLE", ttl="expires_at"),
    # Derived from the tickets: the cached status per counter, the city-wide live object, daily aggregates and
    # the learned calendar; small items read by the polling routes (docs/data-model.md).
    Table(key="congestion", env="CONGESTION_TABLE"),
    # Kiosk sessions (challenge, state, resident id once authenticated; `ttl` removes them a day after they end)
    # and the resident records the kiosk matches a card's four items with (docs/kiosk.md).
    # Sparse index `waiting`: only the orders whose payment is still to settle, for the kiosk reconciler.
    Table(key="kiosk", env="KIOSK_TABLE", ttl="ttl", indexes=(Index(name="waiting", pk="waiting", sk="waiting_at"),)),
    # The register of issued certificates (kiosk and applications): issue number -> kind, office, day, code hash,
    # revocation; and the issue serials (docs/certificates.md). GetItem only; no personal data.
    Table(key="certificates", env="CERTIFICATES_TABLE"),
    # The transactional outbox (madoguchi/shared/outbox.py): one item per domain event, put in the same
    # transaction as the change it describes; its stream feeds the consumers; items expire after a week.
    Table(
        key="outbox",
        env="OUTBOX_TABLE",
        sk=None,
        ttl="expires_at",
        stream=True,
        # effects still owed (madoguchi.effects): the sparse index the outbox worker's schedule reads
        indexes=(Index(name="pending", pk="queue", sk="due_at"),),
    ),
    # Metrics: counters per procedure × channel per month and day, and a marker per counted event (expiring),
    # so a month is one bounded Query and an event is never counted twice (docs/metrics.md).
    Table(key="metrics", env="METRICS_TABLE", ttl="expires_at"),
    # line: residents' linked LINE user ids, and LINE Login authorisations in progress (state, nonce, PKCE
    # verifier; `expires_at` removes those left unfinished) (docs/data-model.md).
    Table(key="messaging", env="MESSAGING_TABLE", ttl="expires_at"),
    # Enrolled kiosks and ticket machines (one partition: GetItem per device request), their one-time enrolment
    # codes (by hash, expiring) and the audit of who enrolled and revoked them (docs/data-model.md).
    Table(key="devices", env="DEVICES_TABLE", ttl="ttl"),
)

BUCKETS: tuple[Bucket, ...] = (
    Bucket(
        key="attachments",
        env="ATTACHMENTS_BUCKET",
        uploads_prefix="uploads/",
        unreferenced_tag=("referenced", "false"),
    ),
    # The JPKI CA certificates (`ca/*.pem`) and their current CRLs (`crl/*`) the kiosk trusts: the city uploads
    # them (docs/operations.md, "JPKI trust"); versioned, so a bad upload can be rolled back.
    Bucket(key="jpki", env="JPKI_BUCKET"),
)

SECRETS: tuple[Secret, ...] = (
    Secret(key="stripe", description="Stripe API key and webhook signing secret", fields=("api_key", "webhook_secret")),
    Secret(
        key="line",
        description="LINE Messaging API channel secret and channel access token",
        fields=("channel_secret", "channel_access_token"),
    ),
    # line: the city's LINE Login channel (same LINE provider as the Messaging API channel, so user ids agree).
    Secret(
        key="line_login",
        description="LINE Login channel id and channel secret (linking residents' LINE accounts)",
        fields=("channel_id", "channel_secret"),
    ),
    Secret(
        key="webpush",
        description="VAPID key pair (base64url) and contact subject for Web Push call notices",
        fields=("vapid_private_key", "vapid_public_key", "subject"),
    ),
)

FUNCTIONS: tuple[Function, ...] = (
    Function(
        name="health",
        description="Liveness of the API",
        memory_mb=256,
        timeout_s=3,
        routes=(Route("GET", "/health", authenticated=False),),
    ),
    Function(
        name="procedures",
        description="Procedure catalogue for residents, kiosks and staff",
        # pydantic + Powertools validation cold-start noticeably faster with more CPU, which comes with memory
        memory_mb=512,
        routes=(
            Route("GET", "/procedures", authenticated=False),
            Route("GET", "/procedures/{procedureId}", authenticated=False),
            Route("GET", "/me", authenticated=True),
        ),
        tables=(("catalogue", "read"),),
    ),
    Function(
        name="cases",
        description="One-stop life-event cases: open, read, identity, thread, internal verifications",
        memory_mb=512,
        routes=(
            Route("GET", "/life-events", authenticated=False),
            Route("GET", "/life-events/{eventId}", authenticated=False),
            Route("POST", "/cases", authenticated=True),
            Route("GET", "/cases", authenticated=True),
            Route("GET", "/cases/{caseId}", authenticated=True),
            Route("POST", "/cases/{caseId}/identity", authenticated=True),
            Route("POST", "/cases/{caseId}/thread", authenticated=True),
            Route("POST", "/cases/{caseId}/verifications", authenticated=True),
            Route("POST", "/cases/{caseId}/verifications/{verificationId}/answer", authenticated=True),
        ),
        tables=(("cases", "write"), ("outbox", "write")),
    ),
    Function(
        name="staff_tasks",
        description="Department inbox; staff approve or return workflow steps",
        memory_mb=512,
        routes=(
            Route("GET", "/staff/inbox", authenticated=True),
            Route("GET", "/staff/tasks", authenticated=True),
            Route("GET", "/staff/case-verifications", authenticated=True),
            Route("POST", "/staff/tasks/{taskId}/approve", authenticated=True),
            Route("POST", "/staff/tasks/{taskId}/return", authenticated=True),
        ),
        # applications read: the inbox counts the department's waiting applications (GET /staff/inbox)
        tables=(("tasks", "write"), ("cases", "write"), ("applications", "read"), ("outbox", "write")),
    ),
    Function(
        name="applications",
        description="Online applications: forms, drafts, photo uploads, submit, fees, proxy confirmation, visits",
        memory_mb=512,
        routes=(
            Route("GET", "/procedures/{procedureId}/form", authenticated=False),
            Route("POST", "/applications", authenticated=True),
            Route("GET", "/applications/{applicationId}", authenticated=True),
            Route("PATCH", "/applications/{applicationId}", authenticated=True),
            Route("DELETE", "/applications/{applicationId}", authenticated=True),
            Route("GET", "/applications/{applicationId}/receipt", authenticated=True),
            Route("GET", "/applications/{applicationId}/receipt.pdf", authenticated=True),
            Route("POST", "/applications/{applicationId}/attachments", authenticated=True),
            Route("POST", "/applications/{applicationId}/submit", authenticated=True),
            Route("POST", "/applications/{applicationId}/payment", authenticated=True),
            Route("POST", "/applications/{applicationId}/confirm", authenticated=True),
            Route("GET", "/me/applications", authenticated=True),
            Route("POST", "/visits", authenticated=True),
        ),
        tables=(("applications", "write"), ("catalogue", "read"), ("outbox", "write"), ("devices", "read")),
        buckets=(("attachments", "write"),),
        secrets=("stripe",),
        builds_links=True,
    ),
    Function(
        name="staff_applications",
        description="Staff console for applications: inbox, QR hand-off, decisions, verifications, certificates",
        memory_mb=1024,  # reportlab renders the certificate PDF
        timeout_s=15,
        routes=(
            Route("GET", "/staff/applications", authenticated=True),
            Route("GET", "/staff/applications/by-code/{code}", authenticated=True),
            Route("POST", "/staff/applications/{applicationId}/decision", authenticated=True),
            Route("POST", "/staff/applications/{applicationId}/accept", authenticated=True),
            Route("POST", "/staff/applications/{applicationId}/certificate", authenticated=True),
            Route("GET", "/staff/verifications", authenticated=True),
            Route(
                "POST",
                "/staff/applications/{applicationId}/verifications/{verificationId}/answer",
                authenticated=True,
            ),
        ),
        tables=(
            ("applications", "write"),
            ("catalogue", "read"),
            ("outbox", "write"),
            ("kiosk", "read"),  # the resident records a certificate states (madoguchi.kiosk.store.ResidentRecords)
            ("certificates", "write"),  # each issued certificate is registered for the public check
        ),
        # read: links to the files (tags, refunds and e-mails are owed as effects: outbox_effects, issue 13)
        buckets=(("attachments", "read"),),
        builds_links=True,
    ),
    Function(
        name="attachment_check",
        description="Checks each uploaded attachment (magic bytes, decode, EXIF location removed); marks it",
        memory_mb=1024,  # Pillow decodes photos of up to 10 MB
        timeout_s=30,
        tables=(("applications", "write"),),
        buckets=(("attachments", "write"),),
        s3_events=("attachments",),
    ),
    Function(
        name="workflow_tasks",
        description="Called by workflows: registers human steps (token kept server-side), escalates, closes cases",
        memory_mb=256,
        tables=(("tasks", "write"), ("cases", "write"), ("outbox", "write")),
    ),
    Function(
        name="facilities",
        description="Facilities and their availability (public); facility settings, bookings and closures (staff)",
        memory_mb=512,
        routes=(
            Route("GET", "/facilities", authenticated=False),
            Route("GET", "/facilities/{facilityId}/availability", authenticated=False),
            Route("GET", "/facilities/{facilityId}/calendar", authenticated=False),
            Route("GET", "/staff/facilities/{facilityId}", authenticated=True),
            Route("PUT", "/staff/facilities/{facilityId}", authenticated=True),
            Route("GET", "/staff/facilities/{facilityId}/bookings", authenticated=True),
            Route("POST", "/staff/facilities/{facilityId}/closures", authenticated=True),
        ),
        # a closure's refunds and e-mails are effects (outbox_effects sends them); Stripe: open checkouts are closed
        tables=(("reservations", "write"), ("outbox", "write")),
        secrets=("stripe",),
        builds_links=True,  # the reservation service's return URLs (madoguchi.shared.public_origin)
    ),
    Function(
        name="reservations",
        description="Holds, card checkout, cancellation and refunds, receipts, fee reductions and lottery entries",
        memory_mb=512,
        routes=(
            Route("POST", "/reservations", authenticated=True),
            Route("GET", "/reservations/{reservationId}", authenticated=True),
            Route("POST", "/reservations/{reservationId}/checkout", authenticated=True),
            Route("GET", "/reservations/{reservationId}/cancellation", authenticated=True),
            Route("POST", "/reservations/{reservationId}/cancel", authenticated=True),
            Route("GET", "/reservations/{reservationId}/receipt", authenticated=True),
            Route("GET", "/reservations/{reservationId}/receipt.pdf", authenticated=True),
            Route("GET", "/me/reservations", authenticated=True),
            Route("POST", "/me/fee-reductions", authenticated=True),
            Route("GET", "/me/fee-reductions", authenticated=True),
            Route("GET", "/staff/fee-reductions", authenticated=True),
            Route("POST", "/staff/fee-reductions/{reductionId}/decide", authenticated=True),
            Route("POST", "/lottery/applications", authenticated=True),
            Route("GET", "/me/lottery", authenticated=True),
            Route("POST", "/staff/lottery/{facilityId}/{month}", authenticated=True),
            Route("GET", "/staff/lottery/{facilityId}/{month}/draw", authenticated=True),
            Route("POST", "/staff/lottery/{facilityId}/{month}/draw", authenticated=True),
        ),
        # refunds and booking e-mails are effects (outbox_effects sends them); links: Stripe's return URLs
        tables=(("reservations", "write"), ("outbox", "write")),
        secrets=("stripe",),
        builds_links=True,
    ),
    Function(
        name="payments_webhook",
        description="Stripe webhook: verifies the signature and settles each event exactly once",
        memory_mb=512,
        routes=(Route("POST", "/payments/stripe/webhook", authenticated=False),),
        # reservations and application fees are both paid through Stripe Checkout
        tables=(("reservations", "write"), ("applications", "write"), ("idempotency", "write"), ("outbox", "write")),
        secrets=("stripe",),  # e-mails and refunds the settlements owe are effects (outbox_effects)
        builds_links=True,
    ),
    Function(
        name="reservations_sweeper",
        description="Expires holds and unpaid lottery wins on time; passes lottery slots down the waiting list",
        memory_mb=256,
        timeout_s=60,
        tables=(("reservations", "write"), ("outbox", "write")),
        secrets=("stripe",),
        schedule="rate(1 minute)",
        builds_links=True,
    ),
    Function(
        name="payments_reconciler",
        description="Re-checks with Stripe every checkout still pending after a few minutes (lost webhooks)",
        memory_mb=256,
        timeout_s=120,
        tables=(("reservations", "write"), ("applications", "write"), ("outbox", "write")),
        secrets=("stripe",),  # e-mails and refunds the settlements owe are effects (outbox_effects)
        schedule="rate(5 minutes)",
        builds_links=True,
    ),
    Function(
        name="guide",
        description="Procedure guide: life-event questionnaire, personal checklist, .ics, staff intake navigation",
        memory_mb=512,
        routes=(
            Route("GET", "/guide/events", authenticated=False),
            Route("GET", "/guide/events/{eventId}", authenticated=False),
            Route("POST", "/guide/checklist", authenticated=False),
            Route("POST", "/guide/checklist.ics", authenticated=False),
            Route("POST", "/staff/guide/navigation", authenticated=True),
        ),
        tables=(("catalogue", "read"),),
    ),
    Function(
        name="faq",
        description="FAQ search and chat in six languages; staff review unanswered questions and edit entries",
        # the BM25 index (numpy) is built in memory per container: more memory, more CPU for the build
        memory_mb=1024,
        routes=(
            Route("GET", "/faq/search", authenticated=False),
            Route("POST", "/faq/chat", authenticated=False),
            Route("GET", "/staff/faq/unanswered", authenticated=True),
            Route("POST", "/staff/faq/unanswered/{questionId}/resolve", authenticated=True),
            Route("GET", "/staff/faq/entries/{entryId}", authenticated=True),
            Route("PUT", "/staff/faq/entries/{entryId}", authenticated=True),
        ),
        tables=(("faq", "write"), ("outbox", "write")),
        builds_links=True,
    ),
    Function(
        name="line_webhook",
        description="LINE official account: verifies LINE's signature and replies with the FAQ's answer",
        memory_mb=1024,
        routes=(Route("POST", "/line/webhook", authenticated=False),),
        tables=(("faq", "write"), ("outbox", "write")),
        secrets=("line",),
        builds_links=True,
    ),
    Function(
        name="line_login",
        description="LINE Login: links a signed-in resident's LINE account after verifying LINE's ID token",
        memory_mb=512,
        routes=(
            Route("GET", "/me/line", authenticated=True),
            Route("POST", "/me/line/link", authenticated=True),
            Route("POST", "/me/line/callback", authenticated=True),
            Route("DELETE", "/me/line", authenticated=True),
        ),
        tables=(("messaging", "write"),),
        secrets=("line_login",),
        builds_links=True,  # the redirect URI LINE Login returns to
    ),
    Function(
        name="token_claims",
        description="Cognito pre-token-generation trigger: adds role, department and device_kind claims",
        memory_mb=128,
        timeout_s=5,
        cognito_trigger=True,
    ),
)

FUNCTIONS += (
    Function(
        name="queue",
        description="Queue tickets: issue (ticket machines, kiosks), status, calling, notices, counter statistics",
        memory_mb=512,
        routes=(
            Route("GET", "/queues", authenticated=False),
            Route("POST", "/queues/{counterId}/tickets", authenticated=True),
            Route("GET", "/queues/{counterId}/tickets", authenticated=True),
            Route("GET", "/queues/{counterId}/status", authenticated=False),
            Route("POST", "/queues/{counterId}/call-next", authenticated=True),
            Route("POST", "/queues/{counterId}/tickets/{ticketId}/recall", authenticated=True),
            Route("POST", "/queues/{counterId}/tickets/{ticketId}/absent", authenticated=True),
            Route("POST", "/queues/{counterId}/tickets/{ticketId}/requeue", authenticated=True),
            Route("POST", "/queues/{counterId}/tickets/{ticketId}/complete", authenticated=True),
            Route("POST", "/queues/{counterId}/tickets/{ticketId}/cancel", authenticated=True),
            Route("POST", "/queues/{counterId}/tickets/{ticketId}/transfer", authenticated=True),
            Route("GET", "/queues/{counterId}/stats", authenticated=True),
            Route("GET", "/tickets/{ticketId}", authenticated=False),
            Route("POST", "/tickets/{ticketId}/notifications", authenticated=False),
            Route("POST", "/tickets/{ticketId}/notifications/line", authenticated=True),
            Route("GET", "/notifications/webpush-key", authenticated=False),
        ),
        tables=(
            ("queue", "write"),
            ("congestion", "write"),
            ("outbox", "write"),
            ("devices", "read"),
            ("messaging", "read"),  # the resident's linked LINE account, for a LINE opt-in
        ),
        secrets=("webpush",),  # the VAPID public key the pages subscribe with; notices go from outbox_effects
        builds_links=True,
    ),
    Function(
        name="congestion",
        description="Live congestion and the learned congestion calendar (JSON, iCalendar, HTML month page)",
        memory_mb=512,
        routes=(
            Route("GET", "/congestion/now", authenticated=False),
            Route("GET", "/congestion/calendar", authenticated=False),
            Route("GET", "/congestion/calendar.ics", authenticated=False),
            Route("GET", "/congestion/calendar.html", authenticated=False),
        ),
        tables=(("queue", "read"), ("congestion", "read")),
        builds_links=True,
    ),
    Function(
        name="congestion_forecast",
        description="Nightly: learns from the ticket history and writes the congestion calendar of the coming months",
        memory_mb=512,
        timeout_s=120,
        tables=(("queue", "read"), ("congestion", "write")),
        schedule="cron(0 17 * * ? *)",  # 02:00 Asia/Tokyo
    ),
    Function(
        name="kiosk",
        description="Kiosk self-service: My Number card (JPKI) sessions, certificate orders paid on the terminal",
        memory_mb=512,
        timeout_s=20,  # an order makes three Stripe calls (reader, payment, process), each within 6.5 s
        routes=(
            Route("POST", "/kiosk/sessions", authenticated=True),
            Route("POST", "/kiosk/sessions/{sessionId}/authenticate", authenticated=True),
            Route("POST", "/kiosk/sessions/{sessionId}/orders", authenticated=True),
            Route("GET", "/kiosk/sessions/{sessionId}/orders/{orderId}", authenticated=True),
            Route("POST", "/kiosk/sessions/{sessionId}/orders/{orderId}/cancel", authenticated=True),
        ),
        tables=(
            ("kiosk", "write"),
            ("catalogue", "read"),
            ("devices", "read"),
            ("outbox", "write"),
            ("certificates", "write"),  # each issued certificate is registered for the public check
        ),
        buckets=(("jpki", "read"),),
        secrets=("stripe",),
        builds_links=True,  # the certificate prints the verification page's address and QR code
    ),
    Function(
        name="kiosk_reconciler",
        description="Settles kiosk orders no kiosk poll saw to the end: refunds paid, never printed; cancels the rest",
        memory_mb=256,
        timeout_s=120,  # a page of 100 orders, up to three Stripe calls each
        tables=(("kiosk", "write"), ("outbox", "write")),  # the kiosk's order writes carry their events
        secrets=("stripe",),
        schedule="rate(5 minutes)",
    ),
    Function(
        name="metrics",
        description="The plan's figures per procedure and channel: the management view and open data",
        memory_mb=512,
        routes=(
            Route("GET", "/staff/metrics", authenticated=True),
            Route("GET", "/opendata/procedure-metrics.json", authenticated=False),
            Route("GET", "/opendata/procedure-metrics.csv", authenticated=False),
            Route("GET", "/opendata/procedure-metrics.schema.json", authenticated=False),
        ),
        tables=(("metrics", "read"), ("catalogue", "read")),
    ),
    Function(
        name="metrics_events",
        description="Outbox stream consumer: folds each domain event into the metrics counters, once per event id",
        memory_mb=256,
        timeout_s=60,
        tables=(("metrics", "write"),),
        streams=("outbox",),
    ),
    Function(
        name="outbox_effects",
        description="Outbox worker: carries out the side effects a change owes (refunds, workflows, tags, notices)",
        memory_mb=512,
        timeout_s=120,  # a redrive page of 100 effects, each a provider call of a few seconds at most
        tables=(
            ("outbox", "write"),
            ("cases", "write"),
            ("tasks", "read"),
            ("queue", "read"),
            ("applications", "write"),  # applications: tags, refunds, e-mails; reservations: the e-mail's address
            ("reservations", "write"),  # reservations.refund marks the refund done; reservations.notify reads it
        ),
        buckets=(("attachments", "write"),),  # applications.tag_files: its files tagged referenced
        secrets=("line", "webpush", "stripe"),  # queue.notice: LINE and Web Push; applications and reservations refunds
        sends_mail=True,  # applications.notify and reservations.notify: status and booking e-mails
        builds_links=True,  # queue.notice: the ticket's status link; applications.notify: the application's
        # (and reservations.notify: the booking's)
        streams=("outbox",),
        schedule="rate(1 minute)",
        starts=("bereavement", "moving_in"),  # cases.start_workflow
        answers=("smoke", "bereavement", "moving_in"),  # cases.answer_task
    ),
)

FUNCTIONS += (
    Function(
        name="devices",
        description="Enrolled kiosks and ticket machines: enrol with a one-time code, renew, revoke (managers)",
        memory_mb=512,
        routes=(
            Route("POST", "/staff/devices", authenticated=True),
            Route("GET", "/staff/devices", authenticated=True),
            Route("GET", "/staff/devices/{deviceId}", authenticated=True),
            Route("POST", "/staff/devices/{deviceId}/revoke", authenticated=True),
            Route("POST", "/devices/enrol", authenticated=False),
            Route("POST", "/devices/token", authenticated=False),
            Route("GET", "/devices/me", authenticated=True),
        ),
        tables=(("devices", "write"),),
        device_identities=True,
        builds_links=True,  # the enrolment link (and its QR code) to the device page
    ),
)

FUNCTIONS += (
    Function(
        name="certificates",
        description="Public check of a certificate by issue number and code; look-up and revocation by its office",
        memory_mb=256,
        routes=(
            Route("GET", "/certificates/{issueNumber}", authenticated=False),
            Route("GET", "/staff/certificates/{issueNumber}", authenticated=True),
            Route("POST", "/staff/certificates/{issueNumber}/revoke", authenticated=True),
        ),
        tables=(("certificates", "write"),),
    ),
)

WORKFLOWS: tuple[Workflow, ...] = (
    Workflow(
        key="smoke",
        asl_file="smoke.asl.json",
        functions={"RegisterTaskFunctionArn": "workflow_tasks"},
        test_only=True,  # the human-step pattern on its own, for tests of the staff inbox
    ),
    Workflow(
        key="bereavement",
        asl_file="bereavement.asl.json",
        functions={"CaseStepFunctionArn": "workflow_tasks"},
    ),
    Workflow(
        key="moving_in",
        asl_file="moving_in.asl.json",
        functions={"CaseStepFunctionArn": "workflow_tasks"},
    ),
)


def table(key: str) -> Table:
    return next(t for t in TABLES if t.key == key)


DEPLOYED_WORKFLOWS: tuple[Workflow, ...] = tuple(w for w in WORKFLOWS if not w.test_only)


def workflow(key: str) -> Workflow:
    return next(w for w in WORKFLOWS if w.key == key)


def deployed(workflow_keys: tuple[str, ...]) -> tuple[str, ...]:
    """The keys of workflows the cloud gets (a function's `starts`/`answers` may name test-only ones)."""
    return tuple(k for k in workflow_keys if not workflow(k).test_only)


def bucket(key: str) -> Bucket:
    return next(b for b in BUCKETS if b.key == key)


def secret(key: str) -> Secret:
    return next(s for s in SECRETS if s.key == key)


def function(name: str) -> Function:
    return next(f for f in FUNCTIONS if f.name == name)


def routes() -> list[tuple[Route, Function]]:
    return [(r, f) for f in FUNCTIONS for r in f.routes]


def environment(fn: Function) -> dict[str, str]:
    """Environment variables a function needs besides resource names (same in the cloud and locally)."""
    env = {
        "POWERTOOLS_SERVICE_NAME": fn.name,
        "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
        "POWERTOOLS_LOG_LEVEL": "INFO",
    }
    if fn.sends_mail:
        env["MAIL_FROM"] = MAIL_FROM
    return env
