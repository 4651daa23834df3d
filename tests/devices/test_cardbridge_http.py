"""The bridge as the kiosk page sees it: its own process (python -m devices.cardbridge) on 127.0.0.1."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.devices.conftest import PIN, READER, resident
from tests.devices.mynumber_card import CardData, VirtualCardSlot
from tests.devices.pcscd import PcscDaemon

pytestmark = [pytest.mark.pcsc, pytest.mark.xdist_group("pcsc")]

SITE = "https://madoguchi.city.example"
ROOT = Path(__file__).resolve().parents[2]


class BridgeProcess:
    def __init__(self, daemon: PcscDaemon, *extra: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "devices.cardbridge", "--port", "0", "--origin", SITE, "--reader", READER, *extra],
            cwd=ROOT,
            env={**os.environ, **daemon.env, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        assert "listening on" in line, self.stop()
        self.url = line.rsplit(" ", 1)[1].strip()

    def get(self, path: str, *, origin: str | None = SITE, **kwargs: Any) -> requests.Response:
        headers = {"Origin": origin} if origin else {}
        return requests.get(self.url + path, headers=headers, timeout=30, **kwargs)

    def post(self, path: str, body: dict[str, Any], *, origin: str | None = SITE) -> requests.Response:
        headers = {"Origin": origin} if origin else {}
        return requests.post(self.url + path, json=body, headers=headers, timeout=30)

    def wait_for(self, event_type: str, since: int) -> dict[str, Any]:
        for _ in range(20):
            events = self.get("/v1/events", params={"since": since, "wait": 1}).json()["events"]
            for event in events:
                if event["type"] == event_type:
                    return dict(event)
            since = events[-1]["seq"] if events else since
        raise AssertionError(f"no {event_type} event")

    def stop(self) -> str:
        self.process.terminate()
        _, stderr = self.process.communicate(timeout=10)
        return stderr


@pytest.fixture
def start_bridge(pcscd: PcscDaemon) -> Iterator[Callable[..., BridgeProcess]]:
    started: list[BridgeProcess] = []

    def start(*extra: str) -> BridgeProcess:
        started.append(BridgeProcess(pcscd, *extra))
        return started[-1]

    yield start
    for bridge in started:
        if bridge.process.poll() is None:
            bridge.stop()


def test_only_the_configured_site_may_call(start_bridge: Callable[..., BridgeProcess]) -> None:
    bridge = start_bridge()
    assert bridge.get("/v1/status").status_code == 200
    # Another web page open in the kiosk's browser, or a request with no Origin, is refused
    assert bridge.get("/v1/status", origin="https://evil.example").status_code == 403
    assert bridge.get("/v1/status", origin=None).status_code == 403
    # A DNS-rebinding host name is refused even with the right origin
    rebinding = requests.get(
        bridge.url + "/v1/status", headers={"Origin": SITE, "Host": "attacker.example:80"}, timeout=10
    )
    assert rebinding.status_code == 403
    # The preflight answers for the site only, including Chrome's Private Network Access
    preflight = requests.options(
        bridge.url + "/v1/card/basic-four",
        headers={
            "Origin": SITE,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Private-Network": "true",
        },
        timeout=10,
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == SITE
    assert preflight.headers["Access-Control-Allow-Private-Network"] == "true"


def test_kiosk_reads_the_card_and_signs_over_http(
    start_bridge: Callable[..., BridgeProcess],
    insert_card: Callable[[CardData], VirtualCardSlot],
    resident_1_card: CardData,
) -> None:
    bridge = start_bridge()
    since = bridge.get("/v1/status").json()["last_event"]
    slot = insert_card(resident_1_card)
    assert bridge.wait_for("card_inserted", since)["reader"] == READER

    four = bridge.post("/v1/card/basic-four", {"pin": PIN})
    assert four.status_code == 200 and four.headers["Cache-Control"] == "no-store"
    person = resident("resident-1")
    assert four.json() == {k: person[k] for k in ("name", "address", "date_of_birth", "sex")}

    challenge = base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()
    signed = bridge.post("/v1/card/sign", {"pin": PIN, "challenge": challenge})
    assert signed.status_code == 200 and signed.json()["algorithm"] == "RS256"

    wrong = bridge.post("/v1/card/basic-four", {"pin": "0000"})
    assert (wrong.status_code, wrong.json()["error"], wrong.json()["tries_left"]) == (401, "wrong_pin", 2)
    assert bridge.post("/v1/card/basic-four", {"pin": "12a4"}).status_code == 400  # no try spent
    assert bridge.get("/v1/card/pins").json()["tries_left"] == {"card_input_helper": 2, "jpki_auth": 3}

    since = bridge.get("/v1/status").json()["last_event"]
    slot.remove()
    assert bridge.wait_for("card_removed", since)["reader"] == READER
    assert bridge.post("/v1/card/basic-four", {"pin": PIN}).json()["error"] == "no_card"


def test_individual_number_is_refused_unless_configured_and_never_logged(
    start_bridge: Callable[..., BridgeProcess],
    insert_card: Callable[[CardData], VirtualCardSlot],
    resident_1_card: CardData,
) -> None:
    kiosk = start_bridge()
    insert_card(resident_1_card)
    refused = kiosk.post("/v1/card/individual-number", {"pin": PIN, "procedure": "juminhyo"})
    assert (refused.status_code, refused.json()["error"]) == (403, "not_permitted")
    kiosk.stop()

    counter = start_bridge("--individual-number-procedure", "jidou-teate")
    answer = counter.post("/v1/card/individual-number", {"pin": PIN, "procedure": "jidou-teate"})
    assert answer.status_code == 200 and answer.json() == {"individual_number": "123456789018"}
    events = counter.get("/v1/events", params={"since": 0}).json()["events"]
    log = counter.stop()
    assert "123456789018" not in log and "123456789018" not in str(events)
