"""boto3 resources, created once per container on first use (endpoint and region come from the environment)."""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

import boto3

# Creating boto3 resources is not thread-safe; Lambda runs one event at a time, the local stack does not.
_lock = threading.Lock()


@cache
def dynamodb_table(name: str) -> Any:
    with _lock:
        return boto3.resource("dynamodb").Table(name)
