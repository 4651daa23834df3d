"""EventBridge schedules in the local stack: invoke each scheduled function with a Scheduled Event.

Supports the catalogue's expressions: `rate(N minute[s]|hour[s]|day[s])` and `cron(min hour dom month dow year)`
(UTC; AWS's 1-7 day-of-week numbering and `?` are translated for croniter). `make run` runs it in a thread;
tests keep it off and call LocalStack.run_scheduled for deterministic runs.
"""

from __future__ import annotations

import logging
import re
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from croniter import croniter

from infra import catalogue
from infra.local.functions import ACCOUNT, REGION, Functions

log = logging.getLogger(__name__)

RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
CRON = re.compile(r"^cron\((.+)\)$")
UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


def scheduled_event(fn: catalogue.Function, at: datetime) -> dict[str, Any]:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT,
        "time": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": REGION,
        "resources": [f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{fn.local_name}-schedule"],
        "detail": {},
    }


def _aws_dow_to_cron(field: str) -> str:
    # AWS: 1 = Sunday … 7 = Saturday; cron: 0 = Sunday … 6 = Saturday. Names are the same in both.
    return re.sub(r"\d", lambda m: str(int(m.group()) - 1), field)


def next_run(expression: str, after: datetime) -> datetime:
    if match := RATE.match(expression):
        return after + timedelta(seconds=int(match.group(1)) * UNIT_SECONDS[match.group(2).rstrip("s")])
    if match := CRON.match(expression):
        fields = match.group(1).split()
        if len(fields) != 6:
            raise ValueError(f"AWS cron needs six fields: {expression}")
        minute, hour, dom, month, dow, _year = fields
        spec = " ".join([minute, hour, dom.replace("?", "*"), month, _aws_dow_to_cron(dow.replace("?", "*"))])
        result: datetime = croniter(spec, after).get_next(datetime)
        return result
    raise ValueError(f"unsupported schedule expression: {expression}")


class Scheduler:
    def __init__(self, functions: Functions, now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.functions = functions
        self.now = now
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run(self, name: str) -> Any:
        """Invoke a scheduled function once, now, as its rule would."""
        fn = catalogue.function(name)
        return self.functions.pools[name].invoke(scheduled_event(fn, self.now()))

    def start(self) -> Scheduler:
        self._thread = threading.Thread(target=self._loop, name="scheduler", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _loop(self) -> None:
        scheduled = [fn for fn in catalogue.FUNCTIONS if fn.schedule]
        due = {fn.name: next_run(fn.schedule or "", self.now()) for fn in scheduled}
        while not self._stop.wait(1.0):
            now = self.now()
            for fn in scheduled:
                if due[fn.name] <= now:
                    due[fn.name] = next_run(fn.schedule or "", now)
                    threading.Thread(target=self._invoke, args=(fn.name,), daemon=True).start()

    def _invoke(self, name: str) -> None:
        try:
            self.run(name)
        except Exception:  # a failed run is retried on the next tick, as EventBridge's next invocation would
            log.exception("scheduled function %s failed", name)
