"""Port contract tests run in-process: moto's DynamoDB/S3/SES (no local stack), tables and buckets created from
the catalogue the way the local stack provisions them.

`mock_aws()` resets moto's backends, which are global to the process: a local stack (ThreadedMotoServer) started
by the same pytest worker would lose its tables. So these tests carry the `moto_in_process` marker and
`make test` runs them in a pytest run of their own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from moto import mock_aws

    for name, value in {
        "AWS_DEFAULT_REGION": "ap-northeast-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/ports/" in str(item.path):
            item.add_marker(pytest.mark.moto_in_process)
