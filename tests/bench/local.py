"""What the in-process measurements share: the local stack in this process, an API client, DynamoDB call counts."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import requests

from infra.local.stack import LocalStack


def clear_client_caches() -> None:
    """Forget the layer's cached settings, adapters and boto3 clients (module state shared by every in-process
    container), so that the next ones point at the stack started next and carry the hooks registered now.

    moto's backends are global to the process: a second stack in the same process sees the first one's data.
    """
    from madoguchi import wiring
    from madoguchi.cases import stepfunctions
    from madoguchi.shared import settings
    from madoguchi.shared.aws import dynamodb_table

    for cached in (
        settings.settings,
        wiring.procedure_store,
        wiring.case_store,
        wiring.task_store,
        wiring.workflows,
        dynamodb_table,
        stepfunctions._client,
    ):
        cached.cache_clear()


@contextmanager
def in_process_stack() -> Iterator[LocalStack]:
    """The whole local system (moto server, gateway, in-process handlers) on loopback, stopped afterwards."""
    clear_client_caches()
    stack = LocalStack(port=0).start()
    try:
        yield stack
    finally:
        stack.stop()


@contextmanager
def counting_dynamodb_calls() -> Iterator[Counter[str]]:
    """DynamoDB API calls by operation, counted at botocore for every client created inside the block.

    Clients copy their session's hooks when created: enter this before the clients (and the stack) are made.
    """
    calls: Counter[str] = Counter()

    def count(event_name: str, **_: Any) -> None:
        calls[event_name.rsplit(".", 1)[-1]] += 1

    events = boto3._get_default_session().events
    events.register("before-call.dynamodb", count, unique_id="bench-count-dynamodb")
    clear_client_caches()
    try:
        yield calls
    finally:
        events.unregister("before-call.dynamodb", unique_id="bench-count-dynamodb")


class Api:
    """Calls to the gateway as demo users, one bearer token per user (POST /_local/token, as the web pages do)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.session = requests.Session()
        self._tokens: dict[str, str] = {}

    def headers(self, user: str) -> dict[str, str]:
        if user not in self._tokens:
            response = self.session.post(f"{self.url}/_local/token", json={"user": user}, timeout=10)
            response.raise_for_status()
            self._tokens[user] = response.json()["token"]
        return {"Authorization": f"Bearer {self._tokens[user]}"}

    def call(self, method: str, path: str, user: str, body: Any = None) -> Any:
        response = self.session.request(method, f"{self.url}{path}", json=body, headers=self.headers(user), timeout=15)
        response.raise_for_status()
        return response.json()

    def open_case(self, answers: dict[str, bool]) -> str:
        """A bereavement case opened at the one-stop counter (identity recorded, so its workflow starts)."""
        subject = {
            "person_name": "四日市 一郎",
            "event_date": (datetime.now(UTC).date() - timedelta(days=2)).isoformat(),
            "applicant_name": "四日市 花子",
            "relationship": "child",
            "phone": "059-354-0000",
        }
        body = {
            "event": "bereavement",
            "subject": subject,
            "answers": answers,
            "identity": {"method": "my_number_card"},
        }
        return str(self.call("POST", "/cases", "staff-onestop", body)["id"])

    def pending_task(self, user: str, case_id: str, kind: str = "review", timeout: float = 30.0) -> str:
        """The id of the pending task of `user`'s department for the case, once the workflow has registered it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            cursor = None
            while True:
                page = self.call("GET", "/staff/tasks" + (f"?cursor={cursor}" if cursor else ""), user)
                for task in page["tasks"]:
                    if task["case_id"] == case_id and task["kind"] == kind:
                        return str(task["id"])
                cursor = page.get("next")
                if not cursor:
                    break
            time.sleep(0.1)
        raise RuntimeError(f"no {kind} task for {user} on {case_id}")

    def decide(self, user: str, task_id: str, decision: str, body: dict[str, str] | None = None) -> None:
        self.call("POST", f"/staff/tasks/{task_id}/{decision}", user, body or {})

    def wait_until_closed(self, case_id: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.call("GET", f"/cases/{case_id}", "staff-onestop")["status"] == "closed":
                return
            time.sleep(0.1)
        raise RuntimeError(f"case {case_id} did not close")


LOAD_THREADS = 4
LOAD_SECONDS = 5.0


def load(url: str, headers: dict[str, str] | None = None) -> tuple[list[float], float]:
    """Latencies of GET `url` from LOAD_THREADS keep-alive clients for LOAD_SECONDS, and the elapsed time."""
    latencies: list[float] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + LOAD_SECONDS

    def worker() -> None:
        session = requests.Session()
        mine = []
        while time.monotonic() < stop_at:
            t0 = time.perf_counter()
            session.get(url, headers=headers, timeout=30).raise_for_status()
            mine.append(time.perf_counter() - t0)
        with lock:
            latencies.extend(mine)

    started = time.monotonic()
    with ThreadPoolExecutor(LOAD_THREADS) as pool:
        for _ in range(LOAD_THREADS):
            pool.submit(worker)
    return latencies, time.monotonic() - started
