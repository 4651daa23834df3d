"""`make load`: the city's busiest hour against the local stack, then proof that nothing was lost.

Starts the local stack in this process (moto server, gateway, in-process handlers, Stripe stand-in) on
127.0.0.1, prepares what the hour's users hold (tokens, the waiting room's tickets), runs locust headless in its
own process (tests/load/locustfile.py) for LOAD_MINUTES at the hour's rates, then checks through the API that
every issued ticket is readable, that ticket numbers are gap-free per counter, that no slot is booked twice, that
every payment confirmed its reservation and that no request answered 5xx. Writes its section of
docs/benchmarks.md; exits 1 when a check fails (the figures are written either way, marked).

Time is not compressed: LOAD_MINUTES (default 3) of the hour at its own rates, so every rate is the hour's.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from contextlib import redirect_stdout
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import requests

from infra import catalogue
from infra.local.identity import DemoUser
from infra.local.secrets import LOCAL_SECRETS
from infra.local.stack import LocalStack
from tests.load import section as load_section

ROOT = catalogue.ROOT
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
TOKYO = ZoneInfo("Asia/Tokyo")

# The busiest hour the plan implies (issue 13).
RATES = {
    "tickets_per_hour": 700,  # across every counter
    "phones": 300,  # residents following their ticket on the status page
    "phone_poll_s": 10,
    "display_boards": 10,  # the waiting areas' boards, GET /congestion/now every 3 s as the page does
    "display_poll_s": 3,
    "status_poll_s": 5,  # one counter screen per counter
    "racing_residents": 50,  # for the same popular facility slots
    "webhooks_per_s": 20,
    "faq_chatters": 10,  # each asks a question every 20 s
    "faq_chat_s": 20,
}
MINUTES = float(os.environ.get("LOAD_MINUTES", "3"))
MAX_REQUESTS = int(os.environ.get("LOAD_MAX_REQUESTS", "30000"))
RACE_FACILITY = "chuo-gym"
RACE_SLOTS = [["court-a", "17:00"], ["court-a", "19:00"], ["court-b", "17:00"], ["court-b", "19:00"]]


def race_day() -> date:
    """The first Saturday at least two weeks ahead, outside the year-end closure (29 Dec – 3 Jan)."""
    day = datetime.now(TOKYO).date() + timedelta(days=14)
    while day.weekday() != 5 or (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3):
        day += timedelta(days=1)
    return day


class Api:
    def __init__(self, url: str) -> None:
        self.url = url
        self.session = requests.Session()
        self.tokens: dict[str, str] = {}

    def token(self, user: str) -> str:
        if user not in self.tokens:
            r = self.session.post(f"{self.url}/_local/token", json={"user": user}, timeout=10)
            r.raise_for_status()
            self.tokens[user] = str(r.json()["token"])
        return self.tokens[user]

    def get(self, path: str, token: str | None = None) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.session.get(f"{self.url}{path}", headers=headers, timeout=30)


def waiting_room(api: Api, counters: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    """The tickets already in hand when the hour starts (the phones follow them), issued through the API."""
    token = api.token("ticket-1")

    def issue(n: int) -> dict[str, Any]:
        counter = counters[n % len(counters)]
        service = counter["services"][n % len(counter["services"])]
        r = requests.post(
            f"{api.url}/queues/{counter['id']}/tickets",
            json={"service": service},
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )
        r.raise_for_status()
        t = r.json()
        return {"id": t["id"], "counter": t["counter"], "number": t["number"]}

    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(issue, range(count)))


def run_locust(plan_path: Path, users: int, seconds: int) -> int:
    env = {**os.environ, "LOAD_PLAN": str(plan_path)}
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--only-summary",
        "--users",
        str(users),
        "--spawn-rate",
        "100",
        "--run-time",
        f"{seconds}s",
        "--stop-timeout",
        "120",
        "--host",
        json.loads(plan_path.read_text())["url"],
        "--loglevel",
        "WARNING",
    ]
    # A hard stop beyond locust's own: run time, spawning, the stop timeout (requests in flight finish) and a margin.
    return subprocess.run(command, env=env, timeout=seconds + 300, check=False).returncode


def load_average() -> str:
    return " / ".join(f"{n:.1f}" for n in os.getloadavg()) + " (1 / 5 / 15 min)"


def percentile(values: list[float], q: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def check(
    api: Api,
    results: dict[str, Any],
    waiting: list[dict[str, Any]],
    counters: list[dict[str, Any]],
    race: dict[str, Any],
) -> list[tuple[str, bool, str]]:
    """(check, passed, detail) for each promise: nothing lost, nothing doubled, no 5xx."""
    checks: list[tuple[str, bool, str]] = []
    tickets = waiting + results["issued"]

    unreadable = [
        t["id"]
        for t in tickets
        if (r := api.get(f"/tickets/{t['id']}")).status_code != 200 or r.json()["number"] != t["number"]
    ]
    checks.append(
        (
            "every issued ticket is readable with its number",
            not unreadable,
            f"{len(tickets)} tickets, {len(unreadable)} unreadable",
        )
    )

    by_counter: dict[str, list[int]] = defaultdict(list)
    for t in tickets:
        by_counter[t["counter"]].append(t["number"])
    gaps = []
    for counter in counters:
        numbers = sorted(by_counter[counter["id"]])
        if numbers != list(range(1, len(numbers) + 1)):
            gaps.append(f"{counter['id']}: {numbers}")
        staff = api.get(f"/queues/{counter['id']}/tickets", api.token(f"staff-{counter['department']}"))
        listed = sorted(t["number"] for t in staff.json()["tickets"]) if staff.status_code == 200 else None
        if listed != numbers:  # nothing was called in the run: every ticket is still live
            gaps.append(f"{counter['id']}: staff list {listed} != receipts {numbers}")
    checks.append(
        (
            "ticket numbers gap-free per counter, the staff list equals the receipts",
            not gaps,
            "; ".join(gaps) or f"{len(counters)} counters",
        )
    )

    staff_token = api.token("staff-shisetsu")
    day = api.get(f"/staff/facilities/{race['facility_id']}/bookings?date={race['date']}", staff_token)
    booked = {(b["unit_id"], b["start"]): b.get("reservation_id") for b in day.json()["bookings"]}
    doubled = []
    holders: dict[tuple[str, str], list[str]] = defaultdict(list)
    for hold in results["holds"]:
        for unit, start in hold["slots"]:
            holders[(unit, start)].append(hold["id"])
    for slot, ids in holders.items():
        if len(ids) > 1 or booked.get(slot) != ids[0]:
            doubled.append(f"{slot}: holds {ids}, staff view {booked.get(slot)}")
    checks.append(
        (
            "no slot double-booked (holds won = the staff day view)",
            day.status_code == 200 and not doubled,
            f"{len(results['holds'])} holds won of {len(race['slots'])} slots by "
            f"{RATES['racing_residents']} residents, {results['refused_holds']} × 409; {'; '.join(doubled)}",
        )
    )

    unconfirmed = []
    for hold in results["holds"]:
        r = api.get(f"/reservations/{hold['id']}", hold["token"])
        if r.status_code != 200 or r.json()["status"] != "confirmed":
            unconfirmed.append(f"{hold['id']}: {r.status_code} {r.json().get('status')}")
    checks.append(
        (
            "every paid hold is confirmed",
            len(results["paid_sessions"]) == len(results["holds"]) and not unconfirmed,
            f"{len(results['paid_sessions'])} paid; {'; '.join(unconfirmed)}",
        )
    )

    errors = {
        name: {code: n for code, n in codes.items() if code.startswith("5") or code.startswith("error")}
        for name, codes in results["statuses"].items()
    }
    errors = {name: codes for name, codes in errors.items() if codes}
    checks.append(("no 5xx and no connection error", not errors, json.dumps(errors) if errors else "none"))
    return checks


def section(
    results: dict[str, Any], checks: list[tuple[str, bool, str]], seconds: float, waiting: int, race: dict[str, Any]
) -> str:
    r = RATES
    lines = [
        load_section.START,
        "## The city's busiest hour (make load)",
        "",
        f"Written by `make load` (tests/load). Last run: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on "
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}.",
        "The local stack runs in the driver's process (moto server, gateway, in-process handlers, Stripe stand-in)",
        "on 127.0.0.1; locust runs headless in a second process on the same two cores.",
        "",
        f"**Time is not compressed: {MINUTES:g} minutes of the busiest hour at its own rates** (LOAD_MINUTES).",
        f"{waiting} tickets were issued through the API before the run (the waiting room); during it:",
        "",
        f"- {r['tickets_per_hour']} tickets an hour across {len(results['by_counter'])} counters: one ticket "
        "machine per counter, `POST /queues/{counterId}/tickets` with a device token and an Idempotency-Key;",
        f"- {r['phones']} phones polling their ticket every {r['phone_poll_s']} s (`GET /tickets/{{ticketId}}`);",
        f"- {r['display_boards']} display boards polling `GET /congestion/now` every {r['display_poll_s']} s, and one "
        f"screen per counter polling `GET /queues/{{counterId}}/status` every {r['status_poll_s']} s;",
        f"- {r['racing_residents']} residents (each their own account) starting at the same instant for the same "
        f"{len(race['slots'])} slots ({race['facility_id']}, Saturday {race['date']}, 17:00 and 19:00): each tries "
        "the slots in a random order until one hold succeeds, then checks out and pays on the Stripe stand-in, "
        "which posts the signed webhook;",
        f"- Stripe webhooks at {r['webhooks_per_s']}/s signed with the local webhook secret: redeliveries of the "
        "run's real events (same id), new events about its paid checkouts, and event types that are ignored;",
        f"- {r['faq_chatters']} residents asking the FAQ chat every {r['faq_chat_s']} s "
        "(questions from tests/data/faq_queries.json, in their languages).",
        "",
        f"{results['requests']} requests in {seconds:.0f} s ({results['requests'] / seconds:.1f}/s). Latencies are "
        "the client's, in ms; percentiles are inclusive (with few requests p99 is near the slowest).",
        "",
        "locust is a closed model: a user whose request takes longer than its pacing falls behind, so a rate",
        "below the hour's (per s, over the whole run) means the stack was saturated. Load average of this machine",
        f"(shared with other work): {results['load_before']} before the run, {results['load_after']} after.",
        "",
        "| route | requests | per s | statuses | p50 ms | p99 ms | max ms |",
        "|---|---:|---:|---|---:|---:|---:|",
    ]
    for name in sorted(results["latencies_ms"]):
        values = results["latencies_ms"][name]
        codes = ", ".join(f"{c} × {n}" for c, n in sorted(results["statuses"][name].items()))
        lines.append(
            f"| {name} | {len(values)} | {len(values) / seconds:.1f} | {codes} "
            f"| {percentile(values, 50):.0f} | {percentile(values, 99):.0f} | {max(values):.0f} |"
        )
    for name, bodies in sorted(results["unexpected"].items()):
        lines += ["", f"Unexpected answers of {name} (first {len(bodies)}): " + "; ".join(f"`{b}`" for b in bodies)]
    lines += ["", "Checks after the run, through the API:", "", "| check | result | detail |", "|---|---|---|"]
    for name, passed, detail in checks:
        lines.append(f"| {name} | {'pass' if passed else '**FAIL**'} | {detail} |")
    lines += [
        "",
        "Latencies are the local stack's (moto and one Python process for every function), not the cloud's: they",
        "show where the emulator saturates on two shared cores, and the checks show that nothing is lost when it",
        "does.",
        load_section.END,
    ]
    return "\n".join(lines) + "\n"


def progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def main() -> int:
    seconds = int(MINUTES * 60)
    workdir = Path(tempfile.mkdtemp(prefix="madoguchi-load-"))
    # The functions' EMF metrics and logs go to stdout, as in Lambda: keep them out of the console.
    with (workdir / "stack-stdout.log").open("w", encoding="utf-8") as stack_out, redirect_stdout(stack_out):
        code, elapsed, results, checks, waiting, race = run(seconds, workdir)
    text = section(results, checks, elapsed, len(waiting), race)
    load_section.write(text)
    print(text)
    failed = [name for name, passed, _ in checks if not passed]
    if failed or code not in (0, 1):  # locust exits 1 when a request failed; the checks judge those
        progress(f"FAILED: {failed or f'locust exited {code}'} (stack output in {workdir})")
        return 1
    return 0


def run(
    seconds: int, workdir: Path
) -> tuple[int, float, dict[str, Any], list[tuple[str, bool, str]], list[dict[str, Any]], dict[str, Any]]:
    stack = LocalStack(host="127.0.0.1", port=0).start()
    try:
        api = Api(stack.url)
        counters = api.get("/queues").json()["counters"]
        plan_counters = [
            {"id": c["id"], "department": c["department"], "services": [s["id"] for s in c["services"]]}
            for c in counters
        ]
        progress(f"Local stack at {stack.url}; issuing the waiting room's {RATES['phones']} tickets")
        waiting = waiting_room(api, plan_counters, RATES["phones"])
        pool = stack.oidc.pools["resident"]  # many residents, so the race is for slots, not per-account caps
        residents = [
            pool.id_token(DemoUser(f"load-resident-{n:02d}", "resident", f"load resident {n}"))
            for n in range(RATES["racing_residents"])
        ]
        race = {"facility_id": RACE_FACILITY, "date": race_day().isoformat(), "slots": RACE_SLOTS}
        questions = json.loads((ROOT / "tests" / "data" / "faq_queries.json").read_text(encoding="utf-8"))
        plan = {
            "url": stack.url,
            "stripe_url": stack.stripe.url,
            "duration_s": seconds,
            "max_requests": MAX_REQUESTS,
            "rates": RATES,
            "counters": plan_counters,
            "ticket_machine_token": api.token("ticket-1"),
            "resident_tokens": residents,
            "phone_tickets": [t["id"] for t in waiting],
            "race": race,
            "webhook_secret": LOCAL_SECRETS["stripe"]["webhook_secret"],
            "faq_questions": [{"q": q["q"], "lang": q["lang"]} for q in questions],
            "results": str(workdir / "results.json"),
        }
        plan_path = workdir / "plan.json"
        plan_path.write_text(json.dumps(plan), encoding="utf-8")
        users = (
            2 * len(plan_counters)
            + RATES["phones"]
            + RATES["display_boards"]
            + RATES["racing_residents"]
            + 20
            + RATES["faq_chatters"]
        )
        progress(f"Running {users} locust users for {seconds} s against {stack.url}")
        started, load_before = time.monotonic(), load_average()
        code = run_locust(plan_path, users, seconds)
        elapsed = time.monotonic() - started
        results = json.loads((workdir / "results.json").read_text(encoding="utf-8"))
        results["load_before"], results["load_after"] = load_before, load_average()
        results["by_counter"] = plan_counters
        progress("Checking that nothing was lost")
        checks = check(api, results, waiting, plan_counters, race)
    finally:
        stack.stop()
    return code, elapsed, results, checks, waiting, race


if __name__ == "__main__":
    sys.exit(main())
