"""The adapters a function uses, built once per container on first use from the settings.

Imports are inside the factories: a function pays at cold start only for the adapters it uses.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING

from madoguchi.shared.auth import Caller
from madoguchi.shared.settings import settings

if TYPE_CHECKING:
    from madoguchi.applications.dynamodb import DynamoApplicationStore
    from madoguchi.applications.s3 import S3Attachments
    from madoguchi.applications.ses import SesMailer
    from madoguchi.cases.dynamodb import DynamoCaseStore, DynamoTaskStore
    from madoguchi.cases.stepfunctions import StepFunctionsWorkflows
    from madoguchi.certificates.dynamodb import DynamoCertificateRegistry
    from madoguchi.devices.cognito import CognitoDeviceIdentities
    from madoguchi.devices.dynamodb import DynamoDeviceStore
    from madoguchi.effects.dynamodb import DynamoEffectQueue
    from madoguchi.effects.service import Handler
    from madoguchi.faq.dynamodb import DynamoFaqStore
    from madoguchi.kiosk.dynamodb import (
        DynamoFamilyRegisters,
        DynamoKioskOrders,
        DynamoKioskSessions,
        DynamoResidentDirectory,
        DynamoResidentRecords,
    )
    from madoguchi.kiosk.s3 import S3JpkiTrust
    from madoguchi.messaging.dynamodb import DynamoLineLinkStore
    from madoguchi.messaging.line import LineMessagingApi
    from madoguchi.messaging.line_login import LineLoginApi
    from madoguchi.metrics.dynamodb import DynamoMetricsStore
    from madoguchi.payments.stripe import StripePayments
    from madoguchi.procedures.cache import CachedProcedureStore
    from madoguchi.queue.dynamodb import DynamoQueueStore
    from madoguchi.queue.webpush import PyWebPush
    from madoguchi.reservations.dynamodb import DynamoReservationStore, DynamoResidentContacts


@lru_cache(maxsize=1)
def procedure_store() -> CachedProcedureStore:
    from madoguchi.procedures.cache import CachedProcedureStore
    from madoguchi.procedures.dynamodb import DynamoProcedureStore

    config = settings()
    return CachedProcedureStore(DynamoProcedureStore(config.catalogue_table), ttl=config.catalogue_cache_seconds)


@lru_cache(maxsize=1)
def case_store() -> DynamoCaseStore:
    from madoguchi.cases.dynamodb import DynamoCaseStore

    return DynamoCaseStore(settings().cases_table, settings().outbox_table or None)


@lru_cache(maxsize=1)
def task_store() -> DynamoTaskStore:
    from madoguchi.cases.dynamodb import DynamoTaskStore

    return DynamoTaskStore(settings().tasks_table, settings().outbox_table or None)


@lru_cache(maxsize=1)
def workflows() -> StepFunctionsWorkflows:
    from madoguchi.cases.stepfunctions import StepFunctionsWorkflows

    return StepFunctionsWorkflows(settings().state_machines())


@lru_cache(maxsize=1)
def line_messenger() -> LineMessagingApi:
    from madoguchi.messaging.line import LineMessagingApi

    return LineMessagingApi()


@lru_cache(maxsize=1)
def line_link_store() -> DynamoLineLinkStore:
    from madoguchi.messaging.dynamodb import DynamoLineLinkStore

    return DynamoLineLinkStore(settings().messaging_table)


@lru_cache(maxsize=1)
def line_login() -> LineLoginApi:
    from madoguchi.messaging.line_login import LineLoginApi

    return LineLoginApi()


@lru_cache(maxsize=1)
def application_store() -> DynamoApplicationStore:
    from madoguchi.applications.dynamodb import DynamoApplicationStore

    return DynamoApplicationStore(settings().applications_table, settings().outbox_table or None)


@lru_cache(maxsize=1)
def attachments() -> S3Attachments:
    from madoguchi.applications.s3 import S3Attachments

    return S3Attachments(settings().attachments_bucket)


@lru_cache(maxsize=1)
def mailer() -> SesMailer:
    from madoguchi.applications.ses import SesMailer

    return SesMailer(settings().mail_from)


@lru_cache(maxsize=1)
def reservation_store() -> DynamoReservationStore:
    from madoguchi.reservations.dynamodb import DynamoReservationStore

    return DynamoReservationStore(settings().reservations_table, settings().outbox_table or None)


@lru_cache(maxsize=1)
def resident_contacts() -> DynamoResidentContacts:
    """Booking e-mails' address and language, from the resident record in the applications table."""
    from madoguchi.reservations.dynamodb import DynamoResidentContacts

    return DynamoResidentContacts(settings().applications_table)


@lru_cache(maxsize=1)
def payment_gateway() -> StripePayments:
    from madoguchi.payments.stripe import StripePayments
    from madoguchi.shared.secrets import secret

    # payments: the keys are read through the secret's cache on each use, not once per container (issue 13)
    return StripePayments(lambda fresh=False: secret("stripe", fresh=fresh), settings().stripe_api_base)


@lru_cache(maxsize=1)
def faq_store() -> DynamoFaqStore:
    from madoguchi.faq.dynamodb import DynamoFaqStore

    return DynamoFaqStore(settings().faq_table, settings().outbox_table or None)


@lru_cache(maxsize=1)
def queue_store() -> DynamoQueueStore:
    from madoguchi.queue.dynamodb import DynamoQueueStore

    return DynamoQueueStore(settings().queue_table, settings().congestion_table, settings().outbox_table or None)


@lru_cache(maxsize=1)
def webpush_sender() -> PyWebPush | None:
    """Web Push with the city's VAPID key pair (secret `webpush`), or None where no key is configured."""
    from madoguchi.queue.webpush import PyWebPush
    from madoguchi.shared.secrets import secret

    if not settings().webpush_secret:
        return None
    keys = secret("webpush")
    return PyWebPush(keys["vapid_private_key"], keys["vapid_public_key"], keys["subject"])


@lru_cache(maxsize=1)
def kiosk_sessions() -> DynamoKioskSessions:
    from madoguchi.kiosk.dynamodb import DynamoKioskSessions

    return DynamoKioskSessions(settings().kiosk_table)


@lru_cache(maxsize=1)
def resident_directory() -> DynamoResidentDirectory:
    from madoguchi.kiosk.dynamodb import DynamoResidentDirectory

    return DynamoResidentDirectory(settings().kiosk_table)


@lru_cache(maxsize=1)
def kiosk_orders() -> DynamoKioskOrders:
    from madoguchi.kiosk.dynamodb import DynamoKioskOrders

    return DynamoKioskOrders(settings().kiosk_table, settings().outbox_table or None)


@lru_cache(maxsize=1)
def resident_records() -> DynamoResidentRecords:
    """The city's resident records as a certificate shows them (kiosk table `RECORD#<id>`)."""
    from madoguchi.kiosk.dynamodb import DynamoResidentRecords

    return DynamoResidentRecords(settings().kiosk_table)


@lru_cache(maxsize=1)
def family_registers() -> DynamoFamilyRegisters:
    """The 戸籍 this city keeps, as a 戸籍全部事項証明書 shows them (kiosk table `KOSEKI#<resident id>`)."""
    from madoguchi.kiosk.dynamodb import DynamoFamilyRegisters

    return DynamoFamilyRegisters(settings().kiosk_table)


@lru_cache(maxsize=1)
def certificate_registry() -> DynamoCertificateRegistry:
    """The register of issued certificates (kiosk and applications), for the public check."""
    from madoguchi.certificates.dynamodb import DynamoCertificateRegistry

    return DynamoCertificateRegistry(settings().certificates_table)


@lru_cache(maxsize=1)
def jpki_trust() -> S3JpkiTrust:
    """The JPKI CAs and CRLs of the `jpki` bucket, re-read at most every `jpki_cache_seconds`."""
    from madoguchi.kiosk.s3 import S3JpkiTrust

    config = settings()
    return S3JpkiTrust(config.jpki_bucket, config.jpki_cache_seconds)


@lru_cache(maxsize=1)
def metrics_store() -> DynamoMetricsStore:
    from madoguchi.metrics.dynamodb import DynamoMetricsStore

    return DynamoMetricsStore(settings().metrics_table)


@lru_cache(maxsize=1)
def device_store() -> DynamoDeviceStore:
    from madoguchi.devices.dynamodb import DynamoDeviceStore

    return DynamoDeviceStore(settings().devices_table)


@lru_cache(maxsize=1)
def device_identities() -> CognitoDeviceIdentities:
    from madoguchi.devices.cognito import CognitoDeviceIdentities

    config = settings()
    return CognitoDeviceIdentities(config.device_user_pool_id, config.device_client_id)


def device_gate() -> Callable[[Caller], object]:
    """The check shared.api runs for every device caller of a function that serves devices."""
    from madoguchi.devices import service as devices
    from madoguchi.devices.service import DevicesDeps

    def admit(caller: Caller) -> object:
        return devices.admit(caller, DevicesDeps(devices=device_store()))

    return admit


@lru_cache(maxsize=1)
def effect_queue() -> DynamoEffectQueue:
    from madoguchi.effects.dynamodb import DynamoEffectQueue

    return DynamoEffectQueue(settings().outbox_table)


def effect_handlers(site_origin: Callable[[], str]) -> dict[str, Handler]:
    """Every effect kind the outbox worker carries out (`<context>.<action>`), each with the adapters it needs.
    Each context's effects.py holds its handlers; this is the only place that builds their adapters.
    `site_origin` (shared.public_origin) comes from the worker's handler: wiring itself builds no links."""
    from madoguchi.applications import effects as application_effects
    from madoguchi.cases import effects as case_effects
    from madoguchi.queue import effects as queue_effects
    from madoguchi.queue import service as queue
    from madoguchi.reservations import effects as reservation_effects
    from madoguchi.shared.clock import now

    handlers: dict[str, Handler] = {}
    handlers |= case_effects.handlers(
        case_store(), task_store(), workflows(), step_timeout=settings().case_step_timeout_seconds, clock=now
    )
    handlers |= queue_effects.handlers(
        lambda: queue.QueueDeps(queue_store(), line_messenger(), webpush_sender()), base_url=site_origin
    )
    handlers |= application_effects.handlers(
        application_store(), attachments, mailer, payment_gateway, now, base_url=site_origin
    )
    handlers |= reservation_effects.handlers(
        reservation_store(), payment_gateway, mailer, resident_contacts(), site_origin=site_origin
    )
    return handlers
