"""boto3 resources, created once per container on first use (endpoint and region come from the environment)."""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

import boto3
from botocore.config import Config

# Outside calls that follow a resident's or clerk's request (SES, Step Functions, S3) fail fast enough that the
# function answers before its own time-out (10 s at the shortest, infra/catalogue.py): 2 attempts of at most
# 1 s to connect and 2 s to read, plus the standard mode's jittered back-off (< 1 s) = under 7 s.
# Standard mode retries throttling, 5xx and connection errors and time-outs. docs/decisions.md has the table.
CONNECT_TIMEOUT_SECONDS = 1
READ_TIMEOUT_SECONDS = 2
MAX_ATTEMPTS = 2


def provider_config(**overrides: Any) -> Config:
    """botocore Config for a client of an outside AWS service called within a request."""
    return Config(
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        read_timeout=READ_TIMEOUT_SECONDS,
        retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS},
        **overrides,
    )


# Creating boto3 resources is not thread-safe; Lambda runs one event at a time, the local stack does not.
_lock = threading.Lock()


# DynamoDB: throttling (ProvisionedThroughputExceeded, ThrottlingException) and 5xx are retried in standard
# mode with jittered back-off, at most DYNAMODB_ATTEMPTS tries (< 3 s of back-off), then the caller gets 503
# service_busy with Retry-After (shared/api.py). The legacy default is ten tries for DynamoDB.
DYNAMODB_ATTEMPTS = 3


@cache
def dynamodb_table(name: str) -> Any:
    with _lock:
        config = Config(retries={"mode": "standard", "total_max_attempts": DYNAMODB_ATTEMPTS})
        return boto3.resource("dynamodb", config=config).Table(name)
