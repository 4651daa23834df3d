"""Our Lambda handlers, run in-process the way Lambda runs them: a pool of containers per function.

Each container is a separate import of the function's handler.py (module state is per container, as in
Lambda) and serves one event at a time; a busy pool grows by a cold start, up to MAX_CONTAINERS.
"""

from __future__ import annotations

import importlib.util
import queue
import threading
import time
import uuid
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from infra import catalogue
from infra.catalogue import Function

MAX_CONTAINERS = 4


class PerThreadDict(MutableMapping[str, Any]):
    """A dict whose content belongs to the calling thread. Powertools' Metrics keep their metric set in class
    attributes shared by every instance of the process: one event per process in Lambda, but here every
    container of every function runs in one process, in the gateway's threads, so one invocation's flush
    cleared another's metrics mid-flush ("Must contain at least one metric": a 500 under load). An invocation
    runs in one thread from its first metric to its flush, so per-thread state is per-invocation state."""

    def __init__(self) -> None:
        self._local = threading.local()

    @property
    def _data(self) -> dict[str, Any]:
        data: dict[str, Any] | None = getattr(self._local, "data", None)
        if data is None:
            data = self._local.data = {}
        return data

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._data[key] = value

    def __delitem__(self, key: str) -> None:
        del self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def clear(self) -> None:
        self._data.clear()


def isolate_metrics() -> None:
    """Give each thread (so each in-process invocation) its own Powertools metric set; before any handler loads."""
    from aws_lambda_powertools.metrics import Metrics

    for name in ("_metrics", "_dimensions", "_metadata"):
        if not isinstance(getattr(Metrics, name), PerThreadDict):
            setattr(Metrics, name, PerThreadDict())


class _PerThreadAttribute:
    """A class attribute whose value belongs to the calling thread, read and written on the class or its
    instances alike."""

    def __init__(self, local: threading.local, name: str) -> None:
        self._local, self._name = local, name

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        return getattr(self._local, self._name, None)

    def __set__(self, instance: Any, value: Any) -> None:
        setattr(self._local, self._name, value)


def isolate_resolver_events() -> None:
    """Give each thread (so each in-process invocation) its own Powertools resolver event. The resolver keeps
    the current event and context in class attributes (`BaseRouter.current_event = …` in `resolve`): one event
    per process in Lambda, but here a parallel invocation's event replaced this one's between routing and the
    handler, so a hold was written for another resident (make load: "a hold answered 200 whose checkout then
    returns 404"). Assignments on the class go through its metaclass, reads on instances through the class:
    both are made per-thread."""
    from aws_lambda_powertools.event_handler.api_gateway import BaseRouter

    if isinstance(type(BaseRouter).__dict__.get("current_event"), _PerThreadAttribute):
        return
    local = threading.local()
    names = ("current_event", "lambda_context")
    for name in names:
        if name in BaseRouter.__dict__:
            delattr(BaseRouter, name)
        setattr(BaseRouter, name, _PerThreadAttribute(local, name))  # instances: app.current_event
    per_thread = type("PerThreadRouterMeta", (type(BaseRouter),), {n: _PerThreadAttribute(local, n) for n in names})
    setattr(BaseRouter, "__class__", per_thread)  # noqa: B010 - the class: BaseRouter.current_event = … in resolve()


REGION = "ap-northeast-1"
ACCOUNT = "123456789012"


@dataclass
class LambdaContext:
    """The attributes of Lambda's context object that our code and Powertools read."""

    function_name: str
    memory_limit_in_mb: int
    timeout_s: int
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    _started: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{self.function_name}"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return "local"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.timeout_s - (time.monotonic() - self._started)) * 1000))


def load_container(fn: Function) -> ModuleType:
    """Import the function's handler.py as a fresh module (a cold start)."""
    module_name = f"madoguchi_fn_{fn.name}_{uuid.uuid4().hex[:8]}"
    spec = importlib.util.spec_from_file_location(module_name, fn.handler_file)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {fn.handler_file}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class FunctionPool:
    def __init__(self, fn: Function) -> None:
        self.fn = fn
        self._idle: queue.LifoQueue[ModuleType] = queue.LifoQueue()
        self._count = 0
        self._lock = threading.Lock()
        self.overruns: list[str] = []  # invocations that ran past the function's timeout

    def _acquire(self) -> ModuleType:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            grow = self._count < MAX_CONTAINERS
            if grow:
                self._count += 1
        if grow:
            return load_container(self.fn)
        return self._idle.get()

    def invoke(self, event: Any) -> Any:
        container = self._acquire()
        context = LambdaContext(self.fn.local_name, self.fn.memory_mb, self.fn.timeout_s)
        try:
            return container.lambda_handler(event, context)
        finally:
            self._idle.put(container)
            if context.get_remaining_time_in_millis() <= 0:  # Lambda would have stopped it: tests look here
                self.overruns.append(context.aws_request_id)

    def any_container(self) -> ModuleType:
        """A loaded container, e.g. to read its resolver's OpenAPI document."""
        container = self._acquire()
        self._idle.put(container)
        return container


class Functions:
    """Every function of the catalogue, addressable by catalogue name or by local (physical) name."""

    def __init__(self) -> None:
        isolate_metrics()
        isolate_resolver_events()
        self.pools = {fn.name: FunctionPool(fn) for fn in catalogue.FUNCTIONS}
        self._by_local_name = {fn.local_name: fn.name for fn in catalogue.FUNCTIONS}

    def by_local_name(self, local_name: str) -> FunctionPool:
        return self.pools[self._by_local_name[local_name]]
