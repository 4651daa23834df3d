"""GET /staff/tasks under load, with a city's worth of open cases waiting in the departments' inboxes."""

from __future__ import annotations

import statistics
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from infra import catalogue
from tests.bench.local import LOAD_THREADS, Api, counting_dynamodb_calls, in_process_stack, load

OPEN_CASES = 10_000
SEED_THREADS = 4
# moto's TransactWriteItems deep-copies the whole table (its rollback) and is not thread-safe: creating cases
# through the adapter slows down as the table grows, so that phase stops here and the rest is written in bulk.
CREATE_BUDGET_SECONDS = 60.0
DEPARTMENTS = ("shimin", "hoken", "zei", "shisan", "kodomo")  # every staffed department, round-robin
INBOX_USER = "staff-hoken"


class Seeder:
    """Open cases, each with one step waiting on a pending review task (a fake token: no execution waits)."""

    def __init__(self, machine: str) -> None:
        from madoguchi.cases.dynamodb import DynamoCaseStore, DynamoTaskStore

        self.cases = DynamoCaseStore(catalogue.table("cases").local_name)
        self.tasks = DynamoTaskStore(catalogue.table("tasks").local_name)
        self.machine = machine
        self.start = datetime.now(UTC)
        self.seeded = 0
        self._transactions = threading.Lock()

    def case_and_task(self, i: int) -> tuple[Any, Any, Any]:
        from madoguchi.cases.models import AuditEntry, Case, CaseStep, IdentityRecord, Task

        department = DEPARTMENTS[i % len(DEPARTMENTS)]
        case_id = f"c-bench-{i:05d}"
        at = self.start + timedelta(milliseconds=i)  # distinct creation times: the inbox index sorts by them
        task = Task(
            id=uuid.uuid4().hex,
            department=department,
            step="case",
            execution=self.machine.replace(":stateMachine:", ":execution:") + f":{case_id}",
            token=f"bench-token-{i}",
            case_id=case_id,
            created_at=at,
            expires_at=int((at + timedelta(days=30)).timestamp()),
        )
        case = Case(
            id=case_id,
            event="bereavement",
            status="open",
            opened_by="staff-onestop",
            opened_at=at,
            identity=IdentityRecord(method="my_number_card", verified_by="staff-onestop", verified_at=at),
            steps=[CaseStep(department=department, procedures=[], status="waiting", task_id=task.id)],
        )
        audit = AuditEntry(at=at, actor="staff-onestop", action="case_opened", department="onestop")
        return case, audit, task

    def through_create(self, count: int, budget: float) -> float:
        """Cases through DynamoCaseStore.create (one at a time, see above), tasks through DynamoTaskStore.add."""
        started = time.monotonic()
        stop_at = started + budget

        def one(i: int) -> bool:
            if time.monotonic() > stop_at:
                return False
            case, audit, task = self.case_and_task(i)
            with self._transactions:
                self.cases.create(case, audit)
            self.tasks.add(task)
            return True

        with ThreadPoolExecutor(SEED_THREADS) as pool:
            done = sum(pool.map(one, range(self.seeded, self.seeded + count)))
        self.seeded += done
        return time.monotonic() - started

    def in_bulk(self, count: int) -> float:
        """The same case and audit items as create writes, by BatchWriteItem; tasks still through add."""
        from madoguchi.cases.dynamodb import _case_item

        started = time.monotonic()
        made = [self.case_and_task(i) for i in range(self.seeded, self.seeded + count)]
        with ThreadPoolExecutor(SEED_THREADS) as pool:
            added = pool.map(self.tasks.add, [task for _, _, task in made])
            with self.cases._table.batch_writer() as batch:
                for case, audit, _ in made:
                    batch.put_item(Item=_case_item(case))
                    batch.put_item(Item=self.cases._audit_put(case.id, audit)["Put"]["Item"])
            list(added)
        self.seeded += count
        return time.monotonic() - started


def measure_inbox(api: Api, calls: Any) -> dict[str, Any]:
    """One load run as 保険年金課, after warming every container; DynamoDB calls counted during the run only."""
    page = api.call("GET", "/staff/tasks", INBOX_USER)["tasks"]
    with ThreadPoolExecutor(LOAD_THREADS) as pool:
        list(pool.map(lambda _: api.call("GET", "/staff/tasks", INBOX_USER), range(4 * LOAD_THREADS)))
    calls.clear()
    latencies, elapsed = load(f"{api.url}/staff/tasks", api.headers(INBOX_USER))
    quantiles = statistics.quantiles(latencies, n=100, method="inclusive")  # never beyond the slowest request
    return {
        "page": len(page),
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": quantiles[49] * 1000,
        "p99_ms": quantiles[98] * 1000,
        "ddb_calls": {op: n / len(latencies) for op, n in sorted(calls.items())},
    }


def inbox_under_load() -> list[dict[str, Any]]:
    """p50/p99 of a department's inbox with up to OPEN_CASES open cases waiting, and its DynamoDB calls.

    The inbox is a Query on a sparse index (pending tasks only), so its cost should not grow with the backlog.
    Seeds the backlog directly through the adapters (no executions) and loads the route as 保険年金課: first at
    what DynamoCaseStore.create could write within CREATE_BUDGET_SECONDS, then (if that was fewer) at OPEN_CASES
    with the rest written in bulk.
    """
    runs = []
    with counting_dynamodb_calls() as calls, in_process_stack() as stack:
        seeder = Seeder(stack.state_machines["bereavement"])
        api = Api(stack.url)
        seconds = seeder.through_create(OPEN_CASES, CREATE_BUDGET_SECONDS)
        runs.append({"cases": seeder.seeded, "how": "create", "seed_s": seconds, **measure_inbox(api, calls)})
        if seeder.seeded < OPEN_CASES:
            seconds = seeder.in_bulk(OPEN_CASES - seeder.seeded)
            runs.append({"cases": seeder.seeded, "how": "bulk", "seed_s": seconds, **measure_inbox(api, calls)})
    return runs
