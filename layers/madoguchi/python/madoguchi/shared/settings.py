"""Environment, read when first needed (never at import time) so tests can set it first.

A plain pydantic model over os.environ: pydantic-settings would add ~50 ms to every cold start for
features (dotenv files, secrets dirs) Lambda does not use.
"""

from __future__ import annotations

import os
from functools import lru_cache

from pydantic import BaseModel, ConfigDict


class Settings(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    catalogue_table: str = ""
    cases_table: str = ""
    tasks_table: str = ""
    applications_table: str = ""
    # Applications: who status e-mails come from (their links use site_url).
    mail_from: str = "noreply@madoguchi.example"
    faq_table: str = ""
    # The site's public address (https://…) for links sent outside the site: set directly (`cdk deploy -c
    # site_url=…`, the local stack), or else read once from the SSM parameter the web stack writes (its
    # CloudFront address), named here (madoguchi.shared.public_origin).
    site_url: str = ""
    site_url_parameter: str = ""
    attachments_bucket: str = ""
    reservations_table: str = ""
    idempotency_table: str = ""
    # Facility reservations: how long a hold lasts, and when reconciliation asks Stripe about a pending checkout.
    # (Residents come back after paying to site_url, or to the page's own origin when it is empty.)
    hold_minutes: int = 15
    reconcile_after_minutes: int = 5
    queue_table: str = ""
    congestion_table: str = ""
    metrics_table: str = ""
    # The transactional outbox (madoguchi.shared.outbox): contexts put their domain events here in the change's
    # transaction; its stream feeds the metrics aggregator.
    outbox_table: str = ""
    # How long a called resident who did not come keeps their place (may still come back and be served)
    queue_absent_grace_minutes: int = 15
    # Web Push subscriptions are accepted only for these push services (host or parent domain, comma-separated):
    # the server POSTs to the endpoint a browser gives, so anything else would let anyone aim it at any URL.
    webpush_hosts: str = "fcm.googleapis.com,push.services.mozilla.com,notify.windows.com,push.apple.com"
    # queue: exact origins (scheme://host:port) of further push services, e.g. the local stack's recording push
    # service; empty in the cloud. Everything else must be https to one of webpush_hosts (madoguchi.queue).
    webpush_origins: str = ""
    powertools_metrics_namespace: str = "Madoguchi"
    smoke_state_machine_arn: str = ""
    bereavement_state_machine_arn: str = ""
    moving_in_state_machine_arn: str = ""
    task_ttl_days: int = 90
    catalogue_cache_seconds: float = 60.0
    # How long a department step may wait before its lead is told (and it waits again): three days.
    case_step_timeout_seconds: int = 3 * 24 * 3600
    # Kiosk: sessions and resident records; the bucket holding the trusted JPKI CA certificates and CRLs, re-read
    # at most this often (a CRL published by J-LIS is picked up within this time of being uploaded).
    kiosk_table: str = ""
    # The register of issued certificates (madoguchi.certificates): what was issued, for the public check.
    certificates_table: str = ""
    jpki_bucket: str = ""
    jpki_cache_seconds: float = 300.0
    # Devices: their records, and the device pool with the app client that enrols and renews devices (admin API).
    devices_table: str = ""
    device_user_pool_id: str = ""
    device_client_id: str = ""
    # Secret names (locally) or ARNs (cloud), one per catalogue secret: `<key>_secret`.
    stripe_secret: str = ""
    line_secret: str = ""
    line_login_secret: str = ""
    webpush_secret: str = ""
    secret_cache_seconds: int = 300
    # Third parties' API endpoints: empty means the SDK's default; the local stack points them at its stand-ins.
    stripe_api_base: str = ""
    line_api_base: str = ""
    # line: LINE Login (the resident's LINE account linked by OpenID Connect); the local stack uses its stand-in.
    line_login_authorize_url: str = "https://access.line.me/oauth2/v2.1/authorize"
    line_login_api_base: str = "https://api.line.me"
    messaging_table: str = ""

    def secret_id(self, key: str) -> str:
        secret_id = getattr(self, f"{key}_secret", "")
        if not isinstance(secret_id, str) or not secret_id:
            raise RuntimeError(f"secret {key!r} is not configured for this function (catalogue `secrets`)")
        return secret_id

    @property
    def metrics_namespace(self) -> str:
        return self.powertools_metrics_namespace

    def webpush_host_list(self) -> list[str]:
        return [h.strip().lower() for h in self.webpush_hosts.split(",") if h.strip()]

    def webpush_origin_list(self) -> list[str]:
        return [o.strip().lower() for o in self.webpush_origins.split(",") if o.strip()]

    def state_machines(self) -> dict[str, str]:
        return {
            "smoke": self.smoke_state_machine_arn,
            "bereavement": self.bereavement_state_machine_arn,
            "moving_in": self.moving_in_state_machine_arn,
        }


@lru_cache(maxsize=1)
def settings() -> Settings:
    return Settings.model_validate({name.lower(): value for name, value in os.environ.items()})
