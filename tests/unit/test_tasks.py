from datetime import UTC, datetime

import pytest

from madoguchi.cases.models import RegisterTask
from madoguchi.cases.tasks import TaskDeps, inbox, register_task
from madoguchi.shared.auth import Caller, Role
from madoguchi.shared.errors import Forbidden, Unauthorized
from tests.fakes.cases import MemoryCaseStore, MemoryTaskStore

NOW = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)


def deps(store):
    return TaskDeps(store, MemoryCaseStore())


def register(store, department, token="secret-token"):
    request = RegisterTask(token=token, execution="arn:exec:1", step="smoke", department=department)
    return register_task(request, deps(store), NOW, ttl_days=30)


def test_registered_task_waits_in_its_departments_inbox_without_its_token():
    store = MemoryTaskStore()
    task = register(store, "shimin")
    listing = inbox(None, Caller(sub="staff-shimin", role=Role.STAFF, department="shimin"), deps(store))
    assert [t.id for t in listing.tasks] == [task.id]
    assert "secret-token" not in listing.model_dump_json()
    assert task.expires_at == int(NOW.timestamp()) + 30 * 86400


def test_other_departments_do_not_see_the_task():
    store = MemoryTaskStore()
    register(store, "shimin")
    assert inbox(None, Caller(sub="staff-zei", role=Role.STAFF, department="zei"), deps(store)).tasks == []


@pytest.mark.parametrize(
    ("caller", "error"),
    [
        (None, Unauthorized),
        (Caller(sub="resident-1", role=Role.RESIDENT), Forbidden),
        (Caller(sub="kiosk-1", role=Role.DEVICE), Forbidden),
    ],
)
def test_only_staff_have_an_inbox(caller, error):
    with pytest.raises(error):
        inbox(None, caller, deps(MemoryTaskStore()))
