"""Start and stop the whole local system: moto server, provisioning, demo data, the gateway."""

from __future__ import annotations

import logging
import os
import threading
import warnings
from dataclasses import dataclass, field

import requests
from moto.server import ThreadedMotoServer
from werkzeug.serving import BaseWSGIServer, make_server

from infra import catalogue
from infra.local import lambda_dispatch
from infra.local.functions import REGION, Functions
from infra.local.gateway import Gateway
from infra.local.identity import LocalIssuer
from infra.local.provision import provision

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
    return env


@dataclass
class LocalStack:
    host: str = "127.0.0.1"
    port: int = 8000
    seed: bool = True
    moto: ThreadedMotoServer | None = None
    server: BaseWSGIServer | None = None
    state_machines: dict[str, str] = field(default_factory=dict)
    functions: Functions | None = None
    issuer: LocalIssuer = field(default_factory=LocalIssuer)

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
        self.moto = ThreadedMotoServer(ip_address=self.host, port=0, verbose=False)
        self.moto.start()
        _, moto_port = self.moto.get_host_and_port()
        os.environ.update(local_environment(moto_port))
        requests.post(f"{self.moto_url}/moto-api/config", json=MOTO_CONFIG, timeout=10).raise_for_status()

        self.functions = Functions()
        lambda_dispatch.install(self.functions)
        self.state_machines = provision()
        for workflow in catalogue.WORKFLOWS:  # the cloud passes these the same way (catalogue `starts`/`answers`)
            os.environ[workflow.env] = self.state_machines[workflow.key]
        if self.seed:
            from infra.seed import seed

            seed(catalogue.table("catalogue").local_name)

        self.server = make_server(self.host, self.port, Gateway(self.functions, self.issuer), threaded=True)
        threading.Thread(target=self.server.serve_forever, name="gateway", daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
        if self.moto is not None:
            self.moto.stop()
