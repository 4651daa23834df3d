"""The city's busiest hour as locust users, run by `python -m tests.load` (`make load`), never on its own.

The driver (tests/load/__main__.py) starts the local stack, prepares tokens and the phones' tickets, and passes a
plan file in LOAD_PLAN; this file replays the hour's rates against 127.0.0.1 only and writes what it saw (every
request's latency and status per route, the tickets issued, the holds won) to the plan's `results` file for the
driver to check. Bounded twice: each user stops after its own quota, and the whole run quits at `max_requests`.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import random
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import gevent
import requests
import stripe
from gevent.event import Event
from locust import HttpUser, constant, constant_pacing, constant_throughput, events, task
from locust.env import Environment
from locust.exception import StopUser

PLAN: dict[str, Any] = json.loads(Path(os.environ["LOAD_PLAN"]).read_text(encoding="utf-8"))
assert urlsplit(PLAN["url"]).hostname == "127.0.0.1", "the load test targets the local stack only"
assert urlsplit(PLAN["stripe_url"]).hostname == "127.0.0.1", "the load test targets the local stack only"
DURATION = float(PLAN["duration_s"])
RATES = PLAN["rates"]

# What the run saw, written at quit for the driver.
latencies: dict[str, list[float]] = defaultdict(list)
statuses: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
issued: list[dict[str, Any]] = []
holds: list[dict[str, Any]] = []
paid_sessions: list[str] = []
unexpected: dict[str, list[str]] = defaultdict(list)  # a few bodies of responses the scenario did not expect
refused_holds = 0
requests_sent = 0


@events.request.add_listener
def on_request(name: str, response_time: float, response: Any, exception: Exception | None, **_: Any) -> None:
    global requests_sent
    requests_sent += 1
    latencies[name].append(response_time)
    code = getattr(response, "status_code", 0) if response is not None else 0
    # No response at all: the exception's type (a connection refused or reset, a request cut by the stop)
    statuses[name][f"error {type(exception).__name__}" if exception is not None and not code else str(code)] += 1
    if requests_sent >= PLAN["max_requests"]:
        runner = getattr(_environment, "runner", None)
        if runner is not None:
            gevent.spawn(runner.quit)


_environment: Environment | None = None


@events.init.add_listener
def on_init(environment: Environment, **_: Any) -> None:
    global _environment
    _environment = environment


@events.quitting.add_listener
def on_quitting(environment: Environment, **_: Any) -> None:
    result = {
        "latencies_ms": latencies,
        "statuses": statuses,
        "issued": issued,
        "holds": holds,
        "paid_sessions": paid_sessions,
        "refused_holds": refused_holds,
        "unexpected": unexpected,
        "requests": requests_sent,
    }
    Path(PLAN["results"]).write_text(json.dumps(result), encoding="utf-8")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def expect(response: Any, *codes: int) -> None:
    """Mark the response a success for locust's own summary when its status is one the scenario expects."""
    if response.status_code in codes:
        response.success()
    else:
        # no response at all (status 0): what the client raised instead
        said = response.text[:300] if response.status_code else repr(getattr(response, "error", None))[:300]
        response.failure(f"{response.status_code}: {said}")
        if len(unexpected[response.request_meta["name"]]) < 5:
            unexpected[response.request_meta["name"]].append(f"{response.status_code}: {said}")


class Budgeted(HttpUser):
    """A user that stops after `quota` tasks, started at a random offset so that users do not fire in step."""

    abstract = True
    quota = 1
    done = 0

    def on_start(self) -> None:
        gevent.sleep(random.uniform(0, self.interval()))

    def interval(self) -> float:
        return 1.0

    def wait_time(self) -> float:
        return float(constant_pacing(self.interval())(self))

    def spend(self) -> None:
        self.done += 1
        if self.done > self.quota:
            raise StopUser()


class TicketMachine(Budgeted):
    """One machine per counter; together they issue RATES['tickets_per_hour'] tickets an hour."""

    fixed_count = len(PLAN["counters"])
    _counters = itertools.cycle(PLAN["counters"])

    def interval(self) -> float:
        return 3600 * len(PLAN["counters"]) / float(RATES["tickets_per_hour"])

    def on_start(self) -> None:
        self.counter = next(self._counters)
        self.services = itertools.cycle(self.counter["services"])
        self.quota = max(1, math.floor(DURATION / self.interval()))
        super().on_start()

    @task
    def issue(self) -> None:
        self.spend()
        body = {"service": next(self.services)}
        headers = {**bearer(PLAN["ticket_machine_token"]), "Idempotency-Key": uuid.uuid4().hex}
        with self.client.post(
            f"/queues/{self.counter['id']}/tickets",
            json=body,
            headers=headers,
            name="POST /queues/{counterId}/tickets",
            catch_response=True,
        ) as r:
            expect(r, 200)
            if r.status_code == 200:
                ticket = r.json()
                issued.append({"id": ticket["id"], "counter": ticket["counter"], "number": ticket["number"]})


class Phone(Budgeted):
    """A resident's phone on the ticket status page: polls its ticket every RATES['phone_poll_s'] seconds."""

    fixed_count = RATES["phones"]
    _tickets = itertools.cycle(PLAN["phone_tickets"])

    def interval(self) -> float:
        return float(RATES["phone_poll_s"])

    def on_start(self) -> None:
        self.ticket = next(self._tickets)
        self.quota = max(1, math.floor(DURATION / self.interval()))
        super().on_start()

    @task
    def poll(self) -> None:
        self.spend()
        with self.client.get(f"/tickets/{self.ticket}", name="GET /tickets/{ticketId}", catch_response=True) as r:
            expect(r, 200)


class DisplayBoard(Budgeted):
    """The display board page: GET /congestion/now every 3 s (one read for every counter)."""

    fixed_count = RATES["display_boards"]

    def interval(self) -> float:
        return float(RATES["display_poll_s"])

    def on_start(self) -> None:
        self.quota = max(1, math.floor(DURATION / self.interval()))
        super().on_start()

    @task
    def poll(self) -> None:
        self.spend()
        with self.client.get("/congestion/now", name="GET /congestion/now", catch_response=True) as r:
            expect(r, 200)


class CounterScreen(Budgeted):
    """A screen at each counter (and the ticket machine's page) showing the counter's live status."""

    fixed_count = len(PLAN["counters"])
    _counters = itertools.cycle(PLAN["counters"])

    def interval(self) -> float:
        return float(RATES["status_poll_s"])

    def on_start(self) -> None:
        self.counter = next(self._counters)
        self.quota = max(1, math.floor(DURATION / self.interval()))
        super().on_start()

    @task
    def poll(self) -> None:
        self.spend()
        with self.client.get(
            f"/queues/{self.counter['id']}/status", name="GET /queues/{counterId}/status", catch_response=True
        ) as r:
            expect(r, 200)


_residents = iter(PLAN["resident_tokens"])
_race_ready = Event()
_race_entrants = 0


class Resident(HttpUser):
    """A resident racing the others for one of the popular slots the moment they open: holds, then pays."""

    fixed_count = len(PLAN["resident_tokens"])
    wait_time = constant(0)

    def on_start(self) -> None:
        global _race_entrants
        self.token = next(_residents)
        _race_entrants += 1
        if _race_entrants == self.fixed_count:
            _race_ready.set()
        _race_ready.wait(timeout=30)  # all start at once, as when a popular month opens

    @task
    def race(self) -> None:
        global refused_holds
        race = PLAN["race"]
        slots = list(race["slots"])
        random.shuffle(slots)
        for unit, start in slots:
            body = {
                "facility_id": race["facility_id"],
                "date": race["date"],
                "slots": [{"unit_id": unit, "start": start}],
            }
            headers = {**bearer(self.token), "Idempotency-Key": uuid.uuid4().hex}
            with self.client.post(
                "/reservations", json=body, headers=headers, name="POST /reservations", catch_response=True
            ) as r:
                expect(r, 200, 409)
                if r.status_code == 409:
                    refused_holds += 1
                    continue
                if r.status_code != 200:
                    break
                reservation = r.json()
                holds.append({"id": reservation["id"], "token": self.token, "slots": [[unit, start]]})
                self.pay(reservation["id"])
                break
        raise StopUser()

    def pay(self, reservation_id: str) -> None:
        with self.client.post(
            f"/reservations/{reservation_id}/checkout",
            json={},
            headers=bearer(self.token),
            name="POST /reservations/{reservationId}/checkout",
            catch_response=True,
        ) as r:
            expect(r, 200)
            if r.status_code != 200:
                return
            session_id = r.json()["reservation"]["checkout_session_id"]
        # The resident's card on the Stripe stand-in's page; the stand-in then posts the signed webhook.
        with self.client.post(
            f"{PLAN['stripe_url']}/_control/pay/{session_id}",
            json={"card": "4242424242424242"},
            name="stand-in: pay (posts the webhook)",
            catch_response=True,
        ) as r:
            expect(r, 200)
            if r.status_code == 200 and r.json().get("paid"):
                paid_sessions.append(session_id)


class StripeWebhooks(HttpUser):
    """Stripe's deliveries at RATES['webhooks_per_s'], signed with the local webhook secret: redeliveries of the
    run's real events (same id: acknowledged from the idempotency record), new events about the run's paid
    sessions (read back from the stand-in, nothing changes) and event types Madoguchi ignores."""

    fixed_count = 20
    secret = PLAN["webhook_secret"]

    def on_start(self) -> None:
        self.quota = math.floor(DURATION * RATES["webhooks_per_s"] / self.fixed_count)
        self.sent = 0
        self.real: list[dict[str, Any]] = []
        self.refreshed = 0.0

    def wait_time(self) -> float:
        return float(constant_throughput(RATES["webhooks_per_s"] / self.fixed_count)(self))

    def real_events(self) -> list[dict[str, Any]]:
        if time.monotonic() - self.refreshed > 5:
            self.refreshed = time.monotonic()
            found = requests.get(f"{PLAN['stripe_url']}/_control/events", timeout=10).json()["events"]
            self.real = [e for e in found if e["type"] == "checkout.session.completed"]
        return self.real

    @task
    def deliver(self) -> None:
        self.sent += 1
        if self.sent > self.quota:
            raise StopUser()
        real = self.real_events()
        kind = self.sent % 4
        if real and kind == 0:
            event, label = random.choice(real), "redelivery"  # Stripe retries with the same event id
        elif real and kind == 1:
            event, label = {**random.choice(real), "id": f"evt_load_{uuid.uuid4().hex}"}, "new event, paid checkout"
        else:
            label = "ignored type"
            event = {
                "id": f"evt_load_{uuid.uuid4().hex}",
                "object": "event",
                "type": random.choice(["payment_intent.created", "charge.succeeded", "payment_intent.succeeded"]),
                "created": int(time.time()),
                "data": {"object": {"id": f"pi_load_{uuid.uuid4().hex[:24]}", "object": "payment_intent"}},
            }
        payload = json.dumps(event)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Stripe-Signature": stripe.WebhookSignature.generate_signature_header(payload, self.secret),
        }
        name = f"POST /payments/stripe/webhook ({label})"
        with self.client.post(
            "/payments/stripe/webhook", data=payload, headers=headers, name=name, catch_response=True
        ) as r:
            # 409: the same event is being processed by a parallel delivery; Stripe retries it later.
            expect(r, 200, 409)
            if r.status_code == 400 and len(unexpected["webhook payloads answered 400"]) < 3:
                unexpected["webhook payloads answered 400"].append(f"{headers['Stripe-Signature']} {payload[:400]}")


_questions = itertools.cycle(PLAN["faq_questions"])


class FaqChat(Budgeted):
    """Residents asking the FAQ chat in their own language."""

    fixed_count = RATES["faq_chatters"]

    def interval(self) -> float:
        return float(RATES["faq_chat_s"])

    def on_start(self) -> None:
        self.quota = max(1, math.floor(DURATION / self.interval()))
        super().on_start()

    @task
    def ask(self) -> None:
        self.spend()
        question = next(_questions)
        with self.client.post(
            f"/faq/chat?lang={question['lang']}",
            json={"message": question["q"]},
            name="POST /faq/chat",
            catch_response=True,
        ) as r:
            expect(r, 200)
            if r.status_code != 200 and len(unexpected["faq questions not answered 200"]) < 3:
                unexpected["faq questions not answered 200"].append(json.dumps(question, ensure_ascii=False))
