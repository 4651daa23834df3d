"""A catalogue table on moto in-process (`mock_aws`), for the port contract tests of cases, tasks, the FAQ and the
procedure catalogue: created with the same arguments the local stack provisions it with, under a fresh name
(the adapters cache their tables by name)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import boto3
import pytest

from infra import catalogue
from infra.local.provision import table_spec


@contextmanager
def emulated_table(monkeypatch: pytest.MonkeyPatch, key: str) -> Iterator[str]:
    from moto import mock_aws

    for name, value in {
        "AWS_DEFAULT_REGION": "ap-northeast-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)  # set by a local stack started in this process
    monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB", raising=False)
    with mock_aws():
        spec = table_spec(catalogue.table(key))
        spec["TableName"] = f"{key}-contract-{uuid.uuid4().hex[:8]}"
        boto3.client("dynamodb").create_table(**spec)
        yield spec["TableName"]
