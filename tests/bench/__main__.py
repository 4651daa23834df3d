"""`make bench`: cold start, throughput, DynamoDB calls per request, workflow transitions per case and the inbox
under a backlog. Writes docs/benchmarks.md.

Figures come from this machine at the time of the run; compare runs on the same machine only.
"""

from __future__ import annotations

import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import requests

from infra import catalogue
from tests.bench import applications, faq, inbox, metrics, queue, reservations, transitions
from tests.bench.local import LOAD_SECONDS, LOAD_THREADS, load
from tests.load import section as load_section

ROOT = catalogue.ROOT
LAYER = ROOT / "layers" / "madoguchi" / "python"
BASELINE = Path(__file__).resolve().parent / "baseline_handler.py"
COLD_SAMPLES = 9
CALLS_PER_ROUTE = 20
BYTECODE_CACHE = Path(tempfile.gettempdir()) / "madoguchi-bench-pycache"

# Imports the handler as Lambda does (its folder on sys.path, module "handler"), then sets up its client.
COLD_PROBE = """
import sys, time
start = time.perf_counter()
import handler
setup = getattr(handler, "deps", None) or getattr(handler, "store", None)
if setup:
    setup()
print(time.perf_counter() - start)
"""


def cold_start(handler_dir: Path) -> float:
    """Median seconds to import a handler and set up its client, each sample in a fresh interpreter.

    Modules load from bytecode (a private cache, warmed by one discarded run) so that the figure is import work,
    not compilation: this machine sets PYTHONDONTWRITEBYTECODE, which would otherwise compile every module.
    """
    env = {
        **os.environ,
        "PYTHONPATH": f"{handler_dir}{os.pathsep}{LAYER}",
        "PYTHONPYCACHEPREFIX": str(BYTECODE_CACHE),
        "AWS_DEFAULT_REGION": "ap-northeast-1",
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    samples = []
    for _ in range(COLD_SAMPLES + 1):
        out = subprocess.run(
            [sys.executable, "-c", COLD_PROBE], cwd=handler_dir, env=env, capture_output=True, text=True, check=True
        )
        samples.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(samples[1:])


def cold_starts() -> dict[str, float]:
    """{handler: seconds}, the baseline first."""
    baseline_dir = Path(tempfile.mkdtemp(prefix="madoguchi-bench-baseline-"))
    (baseline_dir / "handler.py").write_text(BASELINE.read_text())
    dirs = {"baseline": baseline_dir, **{fn.name: fn.handler_file.parent for fn in catalogue.FUNCTIONS}}
    return {name: cold_start(directory) for name, directory in dirs.items()}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def throughput(path: str) -> dict[str, float]:
    """Requests/s and latency percentiles of one route, the stack in its own process, bounded in time."""
    port = free_port()
    env = {**os.environ, "PORT": str(port)}
    server = subprocess.Popen([sys.executable, "-m", "infra.local"], env=env, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{url}/health", timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("local stack did not start")
            time.sleep(0.2)
        for _ in range(20):  # warm every container
            requests.get(f"{url}{path}", timeout=10).raise_for_status()

        latencies, elapsed = load(f"{url}{path}")
    finally:
        server.terminate()
        server.wait(timeout=60)  # interpreter exit garbage-collects a large heap: seconds on a busy machine
    quantiles = statistics.quantiles(latencies, n=100)
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": quantiles[49] * 1000,
        "p99_ms": quantiles[98] * 1000,
    }


def dynamodb_calls() -> dict[str, dict[str, float]]:
    """DynamoDB API calls per request of each public and signed-in GET route, counted at botocore."""
    from infra.local.stack import LocalStack

    stack = LocalStack(port=0).start()
    calls: Counter[str] = Counter()

    def count(event_name: str, **_: Any) -> None:
        calls[event_name.rsplit(".", 1)[-1]] += 1

    # Clients copy their session's hooks when created: hook the session, then let handlers make new clients.
    from madoguchi.shared.aws import dynamodb_table

    boto3._get_default_session().events.register("before-call.dynamodb", count)
    dynamodb_table.cache_clear()
    token = requests.post(f"{stack.url}/_local/token", json={"user": "staff-shimin"}, timeout=10).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    routes = {"/procedures/juminhyo": {}, "/procedures": {}, "/staff/tasks": headers}
    results: dict[str, dict[str, float]] = {}
    try:
        for path, route_headers in routes.items():
            calls.clear()
            requests.get(f"{stack.url}{path}", headers=route_headers, timeout=10).raise_for_status()
            results[f"{path} (first in a container)"] = {op: float(n) for op, n in sorted(calls.items())}
            calls.clear()
            for _ in range(CALLS_PER_ROUTE):
                requests.get(f"{stack.url}{path}", headers=route_headers, timeout=10).raise_for_status()
            results[f"{path} (warm)"] = {op: n / CALLS_PER_ROUTE for op, n in sorted(calls.items())}
    finally:
        stack.stop()
    return results


def report(
    cold: dict[str, float],
    load: dict[str, float],
    ddb: dict[str, dict[str, float]],
    cost: dict[str, dict[str, float]],
    backlog: list[dict[str, Any]],
) -> str:
    base = cold["baseline"]
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (tests/bench). Figures are from one machine at one time: compare runs on the",
        "same machine only. Tests never assert wall time; this page is where performance is tracked.",
        "",
        f"Last run: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}.",
        "",
        "## Cold import and client set-up",
        "",
        f"Median of {COLD_SAMPLES} fresh interpreters: `import handler` as Lambda does, then the handler's store",
        "(boto3 resource) is created. The baseline is a minimal Powertools + pydantic + boto3 handler",
        "(tests/bench/baseline_handler.py) measured in the same run; the target is at most 1.15x.",
        "Modules load from bytecode, so the figures are import work, not compilation.",
        "",
        "| handler | seconds | ratio to baseline |",
        "|---|---:|---:|",
    ]
    for name, seconds in cold.items():
        lines.append(f"| {name} | {seconds:.3f} | {seconds / base:.2f}x |")
    lines += [
        "",
        "## GET /procedures through the local gateway",
        "",
        f"The local stack in its own process (moto server, gateway, in-process handlers); {LOAD_THREADS} client",
        f"threads with keep-alive for {LOAD_SECONDS:.0f} s on loopback, after warming.",
        "",
        "| requests | requests/s | p50 ms | p99 ms |",
        "|---:|---:|---:|---:|",
        f"| {load['requests']:.0f} | {load['rps']:.0f} | {load['p50_ms']:.1f} | {load['p99_ms']:.1f} |",
        "",
        "## DynamoDB calls per request",
        "",
        f"Counted at botocore: the first request of a container, then the mean over {CALLS_PER_ROUTE} warm requests.",
        "The catalogue is cached in the container for CATALOGUE_CACHE_SECONDS (60 s):",
        "warm catalogue reads cost none.",
        "",
        "| route | calls per request |",
        "|---|---|",
    ]
    for label, ops in ddb.items():
        lines.append(f"| GET {label} | {calls_text(ops)} |")
    return "\n".join(lines + transitions_section(cost) + inbox_section(backlog)) + "\n"


def calls_text(ops: dict[str, float]) -> str:
    return ", ".join(f"{op} {n:g}" for op, n in ops.items()) or "none"


def transitions_section(cost: dict[str, dict[str, float]]) -> list[str]:
    four, one = cost["4 departments, approved"], cost["1 department, approved"]
    returned = cost["4 departments, one return"]
    per_department = (four["transitions"] - one["transitions"]) / 3
    lines = [
        "",
        "## State transitions per case (bereavement workflow)",
        "",
        "Standard workflows are billed per state transition. Real bereavement executions on moto's Step Functions",
        "interpreter (local stack in process): cases opened through the API by staff-onestop, every step decided",
        "through the API by its department's staff; transitions are the execution history's `*StateEntered`",
        "events (retries of a Lambda task would add more on AWS; none happened here). Cost at the list price",
        f"of ${transitions.USD_PER_1000_TRANSITIONS} per 1,000 state transitions (Standard workflows; ap-northeast-1",
        "is the same), before the free tier.",
        "",
        "| case | state transitions | history events | USD per 1,000 cases (list price) |",
        "|---|---:|---:|---:|",
    ]
    for label, counts in cost.items():
        lines.append(
            f"| {label} | {counts['transitions']:.0f} | {counts['events']:.0f} | {counts['usd_per_1000_cases']:.3f} |"
        )
    lines += [
        "",
        f"Each department adds {per_department:g} transition(s) (4-department minus 1-department case, over 3); one",
        f"return adds {returned['transitions'] - four['transitions']:g} (AwaitResident, then Review again).",
    ]
    return lines


def inbox_section(backlog: list[dict[str, Any]]) -> list[str]:
    lines = [
        "",
        f"## GET /staff/tasks with {inbox.OPEN_CASES:,} open cases",
        "",
        "Open cases seeded directly through the adapters (no executions), each with one pending review task, the",
        f"departments round-robin ({', '.join(inbox.DEPARTMENTS)}), from {inbox.SEED_THREADS} threads. Then",
        f"{LOAD_THREADS} client threads with keep-alive for {LOAD_SECONDS:.0f} s call the first page",
        f"({backlog[0]['page']} tasks) as {inbox.INBOX_USER}, after warming; the local stack runs in process.",
        "",
    ]
    if len(backlog) > 1:
        lines += [
            f"Seeding {inbox.OPEN_CASES:,} cases through `DynamoCaseStore.create` does not fit in 2 minutes on moto:",
            "its TransactWriteItems deep-copies the whole table on every call (and is not thread-safe, so creates",
            f"run one at a time). Creates stop after {inbox.CREATE_BUDGET_SECONDS:.0f} s and the inbox is measured",
            "there; then the remaining cases are written in bulk (the same case and audit items by BatchWriteItem,",
            "tasks still through `DynamoTaskStore.add`) and the inbox is measured again. Seeding seconds are per",
            "phase.",
            "",
        ]
    lines += [
        "| open cases | seeded by | seeding s | requests | requests/s | p50 ms | p99 ms | DynamoDB calls per request |",
        "|---:|---|---:|---:|---:|---:|---:|---|",
    ]
    how = {"create": "DynamoCaseStore.create", "bulk": "+ BatchWriteItem"}
    for run in backlog:
        lines.append(
            f"| {run['cases']:,} | {how[run['how']]} | {run['seed_s']:.0f} | {run['requests']} | {run['rps']:.1f} "
            f"| {run['p50_ms']:.0f} | {run['p99_ms']:.0f} | {calls_text(run['ddb_calls'])} |"
        )
    lines += [
        "",
        "One Query per request (Limit 50 on the sparse `inbox` index) is what carries to DynamoDB, where it reads",
        "50 items whatever the backlog. The latencies are moto's: its Query on an index reads and sorts every item",
        "of the table, so they grow with the table here, and the four clients share this process's interpreter.",
        "Percentiles are inclusive: with fewer than 100 requests, p99 is close to the slowest request.",
    ]
    return lines


def main() -> None:
    cold = cold_starts()
    load = throughput("/procedures")
    ddb = dynamodb_calls()
    cost = transitions.state_transitions()  # after dynamodb_calls: moto's data outlives a stack in this process
    submits = applications.submit_under_load()
    queue_figures = queue.queue_under_load(), queue.forecast_mae()
    backlog = inbox.inbox_under_load()  # last: it leaves thousands of pending tasks behind
    text = (
        report(cold, load, ddb, cost, backlog)
        + faq.report()
        + reservations.report_section()
        + "\n".join(applications.section(submits))
        + "\n"
        + "\n".join(queue.section(*queue_figures))
        + "\n"
        + metrics.report()
    )
    (ROOT / "docs" / "benchmarks.md").write_text(text + ("\n" + kept if (kept := load_section.current()) else ""))
    print(text)


if __name__ == "__main__":
    main()
