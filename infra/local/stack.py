"""Start and stop the whole local system: moto server, stand-ins, provisioning, demo data, scheduler, gateway."""

from __future__ import annotations

import logging
import os
import threading
import warnings
from dataclasses import dataclass, field
from typing import Any

import requests
from moto.server import ThreadedMotoServer
from werkzeug.serving import BaseWSGIServer, ThreadedWSGIServer

from infra import catalogue
from infra.local import dynamodb_isolation, lambda_dispatch, s3_events
from infra.local.faults import AwsFaults, Faults
from infra.local.functions import REGION, Functions
from infra.local.gateway import Gateway
from infra.local.jpki import LocalJpki
from infra.local.line import LineStandIn
from infra.local.oidc import DEVICE_ENROLMENT_CLIENT, DEVICE_POOL_ID, LocalOidcProvider
from infra.local.provision import provision
from infra.local.scheduler import Scheduler
from infra.local.secrets import LOCAL_SECRETS
from infra.local.streams import StreamDelivery
from infra.local.stripe_standin import StripeStandIn
from infra.local.webpush import PushStandIn


class GatewayServer(ThreadedWSGIServer):
    """The gateway's HTTP server: werkzeug listens with a backlog of 128, and the busiest hour's ~380 clients
    (make load) open their connections at once; past the backlog the kernel drops their SYNs and they wait
    seconds to retry. A thread per connection serves them (the functions' pools queue what they cannot run)."""

    request_queue_size = 1024


MOTO_CONFIG = {"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}}


def local_environment(moto_port: int) -> dict[str, str]:
    """What the handlers and the emulated services read: endpoint, fake credentials, resource names."""
    env = {
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{moto_port}",
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_SESSION_TOKEN": "local",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "MOTO_PORT": str(moto_port),  # moto's Step Functions interpreter calls back into the server here
        # Cost of EMF and JSON logs to stdout in a local run: keep the console readable.
        "POWERTOOLS_METRICS_NAMESPACE": "Madoguchi",
        "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING"),
    }
    for table in catalogue.TABLES:
        env[table.env] = table.local_name
    for bucket in catalogue.BUCKETS:
        env[bucket.env] = bucket.local_name
    for secret in catalogue.SECRETS:
        env[secret.env] = secret.local_name
    return env


@dataclass
class LocalStack:
    host: str = "127.0.0.1"
    port: int = 8000
    seed: bool = True
    # EventBridge schedules run by themselves in `make run`; tests call run_scheduled() when they mean to.
    schedules: bool = False
    moto: ThreadedMotoServer | None = None
    server: BaseWSGIServer | None = None
    state_machines: dict[str, str] = field(default_factory=dict)
    functions: Functions | None = None
    oidc: LocalOidcProvider = field(default_factory=LocalOidcProvider)
    line: LineStandIn = field(default_factory=LineStandIn)
    stripe: StripeStandIn = field(
        default_factory=lambda: StripeStandIn(
            LOCAL_SECRETS["stripe"]["api_key"], LOCAL_SECRETS["stripe"]["webhook_secret"]
        )
    )
    scheduler: Scheduler | None = None
    streams: StreamDelivery | None = None  # the outbox's stream to its consumers, as event source mappings do
    faults: Faults = field(default_factory=Faults)  # armed through POST /_local/faults
    gateway: Gateway | None = None
    push: PushStandIn = field(default_factory=PushStandIn)  # queue: a browser push service
    # The card's side of JPKI: a test CA made at start, configured in the `jpki` bucket like the city's real one
    jpki: LocalJpki = field(default_factory=LocalJpki)

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://{self.host}:{self.server.server_port}"

    @property
    def moto_url(self) -> str:
        assert self.moto is not None
        host, port = self.moto.get_host_and_port()
        return f"http://{host}:{port}"

    def start(self) -> LocalStack:
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        # Powertools warns on every request that publishes no business metric; noise in a local console.
        warnings.filterwarnings("ignore", "No application metrics to publish", UserWarning)
        dynamodb_isolation.install()
        self.moto = ThreadedMotoServer(ip_address=self.host, port=0, verbose=False)
        self.moto.start()
        moto_server = self.moto._server
        assert moto_server is not None
        moto_server.app = AwsFaults(moto_server.app, self.faults)  # SES, Step Functions, S3 fail on demand
        _, moto_port = self.moto.get_host_and_port()
        os.environ.update(local_environment(moto_port))
        requests.post(f"{self.moto_url}/moto-api/config", json=MOTO_CONFIG, timeout=10).raise_for_status()

        self.line.faults = self.stripe.faults = self.oidc.faults = self.faults
        self.line.start()
        os.environ["LINE_API_BASE"] = self.line.url
        os.environ["LINE_LOGIN_API_BASE"] = self.line.url
        os.environ["LINE_LOGIN_AUTHORIZE_URL"] = self.line.authorize_url
        self.stripe.start()
        os.environ["STRIPE_API_BASE"] = self.stripe.url
        self.stripe.register_reader("kiosk-1")  # the demo kiosk's card terminal (a simulated reader)
        self.push.start()
        os.environ["WEBPUSH_ORIGINS"] = self.push.url  # the cloud's allow-list (WEBPUSH_HOSTS default) plus this

        # The stand-in of Cognito's managed login and, for the devices function, of its admin API on the device pool.
        self.oidc.start()
        os.environ["AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER"] = self.oidc.cognito_endpoint
        os.environ["DEVICE_USER_POOL_ID"] = DEVICE_POOL_ID
        os.environ["DEVICE_CLIENT_ID"] = DEVICE_ENROLMENT_CLIENT

        self.functions = Functions()
        lambda_dispatch.install(self.functions)
        s3_events.install(self.functions)
        self.state_machines = provision()
        s3_events.configure()
        self.streams = StreamDelivery(self.functions).configure().start()
        for workflow in catalogue.WORKFLOWS:  # the cloud passes these the same way (catalogue `starts`/`answers`)
            os.environ[workflow.env] = self.state_machines[workflow.key]
        if self.seed:
            from infra.seed import seed

            seed(
                catalogue.table("catalogue").local_name,
                queue_table=catalogue.table("queue").local_name,
                congestion_table=catalogue.table("congestion").local_name,
                metrics_table=catalogue.table("metrics").local_name,
            )
            from infra.seed.facilities import seed_facilities

            seed_facilities(catalogue.table("reservations").local_name)
            from infra.seed.kiosk import seed_kiosk_residents

            seed_kiosk_residents(catalogue.table("kiosk").local_name)
            from infra.seed.devices import seed_devices

            seed_devices(catalogue.table("devices").local_name)
        self.jpki.install(catalogue.bucket("jpki").local_name)

        self.gateway = Gateway(self.functions, self.oidc, faults=self.faults)
        self.server = GatewayServer(self.host, self.port, self.gateway)
        self.oidc.set_site_url(self.url)  # the app clients' callback and sign-out origin
        os.environ["SITE_URL"] = self.url  # where residents come back to after paying; links in tickets and notices
        self.line.login_callbacks = {self.url + "/line-link/"}  # the LINE Login channel's registered callback
        self.stripe.webhook_url = f"{self.url}/payments/stripe/webhook"
        threading.Thread(target=self.server.serve_forever, name="gateway", daemon=True).start()
        self.scheduler = Scheduler(self.functions)
        if self.schedules:
            self.scheduler.start()
        return self

    def run_scheduled(self, name: str) -> Any:
        """Invoke scheduled function `name` once with the event its EventBridge rule sends."""
        assert self.scheduler is not None
        return self.scheduler.run(name)

    def stop(self) -> None:
        self.faults.clear()  # cut short any hang in progress
        if self.scheduler is not None:
            self.scheduler.stop()
        if self.streams is not None:
            self.streams.stop()
        self.line.stop()
        self.push.stop()
        self.stripe.stop()
        self.oidc.stop()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
        if self.moto is not None:
            self.moto.stop()
