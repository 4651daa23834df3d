"""Web Push endpoints are checked as the HTTP client (requests → urllib3) will read them: the server POSTs to
the endpoint a stranger gives, so anything but a real push service would let anyone aim it (SSRF)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from madoguchi.queue import service as queue
from madoguchi.queue.models import IssueRequest, NotifyRequest
from madoguchi.queue.service import QueueDeps
from madoguchi.shared.auth import Caller, DeviceKind, Role
from madoguchi.shared.errors import InvalidInput
from madoguchi.shared.settings import Settings
from tests.fakes.queue import MemoryQueueStore

HOSTS = Settings().webpush_host_list()  # the cloud's allow-list, as deployed
T0 = datetime(2026, 11, 30, 0, 30, tzinfo=UTC)
MACHINE = Caller(sub="ticket-1", role=Role.DEVICE, device_kind=DeviceKind.TICKET_MACHINE)

ACCEPTED = [
    "https://fcm.googleapis.com/fcm/send/abc:APA91b",
    "https://updates.push.services.mozilla.com/wpush/v2/gAAAA",
    "https://wns2-par02p.notify.windows.com/w/?token=BQYAAA%2b",
    "https://web.push.apple.com/QGx9d2ZdSf",
    "https://FCM.googleapis.com/fcm/send/x",  # hosts are case-insensitive
    "https://fcm.googleapis.com/x@y",  # '@' in the path is not userinfo for either parser
]

CRAFTED = [
    "http://localhost\\@fcm.googleapis.com/x",  # the reported bypass: urllib3 connects to localhost
    "https://localhost\\@fcm.googleapis.com/x",
    "https://127.0.0.1\\.fcm.googleapis.com/x",
    "https://fcm.googleapis.com\\@localhost/x",
    "https://user@fcm.googleapis.com/x",  # userinfo
    "https://fcm.googleapis.com@169.254.169.254/latest/meta-data",
    "https://fcm.googleapis.com:@169.254.169.254/",
    "https://:@fcm.googleapis.com/x",
    "https://fcm.googleapis.com%40evil.example/x",
    "https://evil.example#@fcm.googleapis.com/x",
    "https://evil.example?@fcm.googleapis.com/x",
    "http://fcm.googleapis.com/x",  # not https
    "ftp://fcm.googleapis.com/x",
    "//fcm.googleapis.com/x",
    "https://fcm.googleapis.com:8443/x",  # explicit port
    "https://fcm.googleapis.com:443/x",
    "https://fcm.googleapis.com:/x",
    "https://fcm.googleapis.com:99999/x",
    "https://169.254.169.254/latest/meta-data",  # IP literals
    "https://[::1]/x",
    "https://[::ffff:a9fe:a9fe]/x",
    "https://2130706433/x",
    "https://0x7f.0.0.1/x",
    "https://127.1/x",
    "https://fcm.googleapis.com./x",  # trailing dot
    "https://fcm.googleapis.com.evil.example/x",
    "https://evilfcm.googleapis.com.example/x",
    "https://evil.example/fcm.googleapis.com",
    "https://xfcm.googleapis.comx/x",
    "https://fcm.googleapis.com\t/x",  # control characters and spaces
    "https://fcm.googleapis.com\r\nHost: evil/x",
    "https://fcm.googleapis.com\x00.evil.example/x",
    "https://fcm.googleapis.com /x",
    "https://fcm.googleapis.com\u3002evil.example/x",  # non-ASCII (IDNA full stop)
    "https://ｆｃｍ.googleapis.com/x",
    "",
]


@pytest.mark.parametrize("endpoint", ACCEPTED)
def test_real_push_services_are_accepted(endpoint: str) -> None:
    assert queue.push_endpoint_allowed(endpoint, HOSTS)


@pytest.mark.parametrize("endpoint", CRAFTED)
def test_crafted_endpoints_are_refused(endpoint: str) -> None:
    assert not queue.push_endpoint_allowed(endpoint, HOSTS)


def test_an_origin_configured_exactly_is_accepted_and_nothing_near_it() -> None:
    origins = ["http://127.0.0.1:8765"]  # e.g. the local stack's recording push service (settings)
    assert queue.push_endpoint_allowed("http://127.0.0.1:8765/push/abc", HOSTS, origins)
    for near in (
        "http://127.0.0.1:8766/push",
        "https://127.0.0.1:8765/push",
        "http://127.0.0.1/push",
        "http://x@127.0.0.1:8765/push",
        "http://127.0.0.1:8765\\@fcm.googleapis.com/push",
        "http://localhost:8765/push",
    ):
        assert not queue.push_endpoint_allowed(near, HOSTS, origins), near


def test_a_refused_endpoint_changes_nothing_on_the_ticket() -> None:
    store = MemoryQueueStore()
    receipt = queue.issue(
        "shimin_cert",
        IssueRequest(service="juminhyo"),
        MACHINE,
        QueueDeps(store),
        T0,
        base_url="https://city.example",
        lang="ja",
    )
    body = NotifyRequest.model_validate(
        {"webpush": {"endpoint": "http://localhost\\@fcm.googleapis.com/x", "keys": {"p256dh": "x", "auth": "y"}}}
    )
    with pytest.raises(InvalidInput) as refused:
        queue.opt_in(receipt.id, body, QueueDeps(store), T0, lang="ja", push_hosts=HOSTS)
    assert refused.value.fields == [(["body", "webpush", "endpoint"], "queue_push_service")]
    stored = store.get("shimin_cert", receipt.arrived_at.date(), receipt.number)
    assert stored is not None and stored.notify is None
