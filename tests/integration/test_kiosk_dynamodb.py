"""The kiosk's DynamoDB adapter keeps the session rules the service relies on (moto)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from moto import mock_aws

from madoguchi.kiosk.dynamodb import DynamoKioskSessions, DynamoResidentDirectory
from madoguchi.kiosk.matching import FourItems, lookup_key
from madoguchi.kiosk.models import ChallengeExpired, ChallengeUsed, KioskSession
from madoguchi.shared.aws import dynamodb_table
from madoguchi.shared.errors import Conflict, NotFound

pytestmark = pytest.mark.moto_in_process  # mock_aws() resets the process's moto: see ports/conftest.py

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
TABLE = "madoguchi-kiosk-test"


@pytest.fixture
def table() -> Iterator[str]:
    env = {"AWS_DEFAULT_REGION": "ap-northeast-1", "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    with mock_aws():
        boto3.client("dynamodb").create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        dynamodb_table.cache_clear()
        yield TABLE
        dynamodb_table.cache_clear()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def session(session_id: str = "s1") -> KioskSession:
    return KioskSession(
        id=session_id,
        kiosk="kiosk-1",
        challenge="Y2hhbGxlbmdl",
        state="challenged",
        created_at=NOW,
        challenge_expires_at=NOW + timedelta(minutes=2),
        expires_at=NOW + timedelta(minutes=15),
    )


def test_a_challenge_is_claimed_once(table: str) -> None:
    # One conditional UpdateItem decides; DynamoDB makes it atomic (moto, without locks, cannot prove races)
    store = DynamoKioskSessions(table)
    store.put(session())
    with pytest.raises(Conflict):
        store.put(session())  # ids are never reused
    assert store.claim_challenge("s1", "kiosk-1", NOW).state == "verifying"
    with pytest.raises(ChallengeUsed):
        store.claim_challenge("s1", "kiosk-1", NOW)
    done = store.finish("s1", {"state": "authenticated", "resident_id": "resident-1"})
    assert (done.state, done.resident_id) == ("authenticated", "resident-1")
    with pytest.raises(Conflict):
        store.finish("s1", {"state": "refused"})  # a finished session stays as it is


def test_late_foreign_and_unknown_claims_are_told_apart(table: str) -> None:
    store = DynamoKioskSessions(table)
    store.put(session())
    with pytest.raises(NotFound):
        store.claim_challenge("s1", "kiosk-2", NOW)
    with pytest.raises(NotFound):
        store.claim_challenge("nope", "kiosk-1", NOW)
    with pytest.raises(ChallengeExpired):
        store.claim_challenge("s1", "kiosk-1", NOW + timedelta(minutes=3))
    stored = store.get("s1")
    assert stored is not None and stored.state == "challenged"


def test_residents_are_found_by_lookup_key(table: str) -> None:
    directory = DynamoResidentDirectory(table)
    ichiro = FourItems("市民 一郎", "三重県四日市市諏訪町1番5号", "1985-04-12", "male")
    directory.put("resident-1", lookup_key(ichiro), ichiro)
    assert directory.candidates(lookup_key(ichiro)) == [("resident-1", ichiro)]
    assert directory.candidates(lookup_key(FourItems("他市 太郎", "x", "1970-01-01", "male"))) == []
