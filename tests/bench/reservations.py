"""Facility reservations through the local gateway: availability latency, holds per second (distinct slots, and
all on one slot), and DynamoDB calls per request of the reservation routes, Stripe stand-in included."""

from __future__ import annotations

import itertools
import statistics
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import requests

from tests.bench.local import LOAD_SECONDS, LOAD_THREADS, Api, counting_dynamodb_calls, in_process_stack, load

FACILITY = "kasumi-tennis"
UNITS = ("court-1", "court-2", "court-3", "court-4")
STARTS = ("07:00", "09:00", "11:00", "13:00", "15:00", "17:00", "19:00")
CALLS_PER_ROUTE = 10


def _clear_reservation_caches() -> None:
    from madoguchi import wiring
    from madoguchi.payments import webhook as payments

    wiring.reservation_store.cache_clear()
    wiring.payment_gateway.cache_clear()
    payments._once.cache_clear()


def _days() -> list[str]:
    today = datetime.now(ZoneInfo("Asia/Tokyo")).date()
    days = [today + timedelta(days=n) for n in range(2, 90)]
    return [d.isoformat() for d in days if not ((d.month == 12 and d.day >= 29) or (d.month == 1 and d.day <= 3))]


def _percentiles(latencies: list[float]) -> dict[str, float]:
    q = statistics.quantiles(latencies, n=100)
    return {"p50_ms": q[49] * 1000, "p99_ms": q[98] * 1000}


def _holds(url: str, headers: dict[str, str], slots: Any, same_slot: bool) -> dict[str, float]:
    """POST /reservations from LOAD_THREADS clients for LOAD_SECONDS: each on a fresh slot, or all on one."""
    lock = threading.Lock()
    codes: Counter[int] = Counter()
    latencies: list[float] = []
    stop_at = time.monotonic() + LOAD_SECONDS
    fixed = next(slots)

    def worker() -> None:
        session = requests.Session()
        while time.monotonic() < stop_at:
            with lock:
                day, unit, start = fixed if same_slot else next(slots)
            body = {"facility_id": FACILITY, "date": day, "slots": [{"unit_id": unit, "start": start}]}
            t0 = time.perf_counter()
            status = session.post(f"{url}/reservations", json=body, headers=headers, timeout=30).status_code
            with lock:
                latencies.append(time.perf_counter() - t0)
                codes[status] += 1

    started = time.monotonic()
    with ThreadPoolExecutor(LOAD_THREADS) as pool:
        for _ in range(LOAD_THREADS):
            pool.submit(worker)
    elapsed = time.monotonic() - started
    return {
        "requests": sum(codes.values()),
        "holds": codes[200],
        "conflicts": codes[409],
        "holds_per_s": codes[200] / elapsed,
        "requests_per_s": sum(codes.values()) / elapsed,
        **_percentiles(latencies),
    }


def measure() -> dict[str, Any]:
    _clear_reservation_caches()
    with counting_dynamodb_calls() as calls, in_process_stack() as stack:
        _clear_reservation_caches()
        api = Api(stack.url)
        headers = api.headers("resident-1")
        days = _days()
        slots = iter(itertools.product(days[1:], UNITS, STARTS))
        availability_url = f"{stack.url}/facilities/{FACILITY}/availability?date={days[0]}"
        for _ in range(20):  # warm every container
            requests.get(availability_url, timeout=10).raise_for_status()
        latencies, elapsed = load(availability_url)
        availability = {"requests": len(latencies), "rps": len(latencies) / elapsed, **_percentiles(latencies)}
        distinct = _holds(stack.url, headers, slots, same_slot=False)
        contended = _holds(stack.url, headers, slots, same_slot=True)

        per_request: dict[str, dict[str, float]] = {}

        def count(label: str, call: Any) -> Any:
            calls.clear()
            result = call()
            per_request[label] = {op: float(n) for op, n in sorted(calls.items())}
            return result

        count("GET availability (warm)", lambda: requests.get(availability_url, timeout=10).raise_for_status())
        count(
            "GET calendar (month)",
            lambda: requests.get(
                f"{stack.url}/facilities/{FACILITY}/calendar?month={days[0][:7]}", timeout=10
            ).raise_for_status(),
        )
        day, unit, start = next(slots)
        body = {"facility_id": FACILITY, "date": day, "slots": [{"unit_id": unit, "start": start}]}
        held = count("POST /reservations (hold)", lambda: api.call("POST", "/reservations", "resident-1", body))
        checkout = count(
            "POST checkout (Stripe session)",
            lambda: api.call("POST", f"/reservations/{held['id']}/checkout", "resident-1", {}),
        )
        session_id = checkout["reservation"]["checkout_session_id"]
        count(
            "payment webhook (confirm, once)",
            lambda: requests.post(
                f"{stack.stripe.url}/_control/pay/{session_id}", json={"card": "4242424242424242"}, timeout=30
            ).raise_for_status(),
        )
        count("GET /me/reservations", lambda: api.call("GET", "/me/reservations", "resident-1"))
        count("sweeper run (nothing due)", lambda: stack.run_scheduled("reservations_sweeper"))
    _clear_reservation_caches()
    return {"availability": availability, "distinct": distinct, "contended": contended, "calls": per_request}


def report_section() -> str:
    results = measure()
    a, d, c = results["availability"], results["distinct"], results["contended"]
    lines = [
        "",
        "## Facility reservations",
        "",
        "The local stack in the bench process (moto server, gateway, in-process handlers, Stripe stand-in);",
        f"{LOAD_THREADS} client threads with keep-alive for {LOAD_SECONDS:.0f} s each, after warming.",
        "",
        "| load | requests | requests/s | holds/s | p50 ms | p99 ms |",
        "|---|---:|---:|---:|---:|---:|",
        f"| GET /facilities/{FACILITY}/availability | {a['requests']} | {a['rps']:.0f} | – | {a['p50_ms']:.1f} | "
        f"{a['p99_ms']:.1f} |",
        f"| POST /reservations, each on a free slot | {d['requests']} | {d['requests_per_s']:.0f} | "
        f"{d['holds_per_s']:.1f} | {d['p50_ms']:.1f} | {d['p99_ms']:.1f} |",
        f"| POST /reservations, all on one slot ({c['holds']} hold, {c['conflicts']} × 409) | {c['requests']} | "
        f"{c['requests_per_s']:.0f} | {c['holds_per_s']:.1f} | {c['p50_ms']:.1f} | {c['p99_ms']:.1f} |",
        "",
        "DynamoDB calls per request (counted at botocore; the webhook row counts the whole payment: the stand-in",
        "posts the signed event, the handler records it once through Powertools idempotency and confirms):",
        "",
        "| request | calls |",
        "|---|---|",
    ]
    for label, ops in results["calls"].items():
        lines.append(f"| {label} | {', '.join(f'{op} {n:g}' for op, n in ops.items()) or 'none'} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(report_section())
