"""One contract for ApplicationStore, run against the in-memory fake and the DynamoDB adapter (moto): conditional
writes, ordering and pagination, so the fake the unit tests use cannot drift from the table's rules."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from madoguchi.applications.models import Application, Attachment, AuditEntry, Resident, Visit
from madoguchi.applications.store import ApplicationStore
from madoguchi.cases.models import Verification
from madoguchi.shared.errors import Conflict

NOW = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", "dynamodb"])
def store(request: pytest.FixtureRequest) -> Iterator[ApplicationStore]:
    if request.param == "memory":
        from tests.fakes.applications import MemoryApplicationStore

        yield MemoryApplicationStore()
        return
    request.getfixturevalue("aws")
    import boto3

    from infra import catalogue
    from infra.local.provision import table_spec
    from madoguchi.applications.dynamodb import DynamoApplicationStore

    table = catalogue.table("applications")
    boto3.client("dynamodb").create_table(**table_spec(table))
    yield DynamoApplicationStore(table.local_name)


def app(n: int, **extra: Any) -> Application:
    fields: dict[str, Any] = {
        "id": f"a-{n:016x}",
        "code": f"C{n:07d}",
        "procedure": "juminhyo",
        "department": "shimin",
        "channel": "online",
        "status": "draft",
        "owner": "resident-1",
        "created_at": NOW + timedelta(minutes=n),
        "updated_at": NOW + timedelta(minutes=n),
    }
    return Application.model_validate(fields | extra)


def audit(action: str = "created") -> AuditEntry:
    return AuditEntry(at=NOW, actor="resident-1", role="resident", action=action)


def attachment(n: int, status: str = "pending") -> Attachment:
    return Attachment.model_validate(
        {
            "id": f"f-{n:016x}",
            "kind": "identity_document",
            "content_type": "image/jpeg",
            "status": status,
            "key": f"uploads/x/f-{n:016x}",
            "created_at": NOW,
        }
    )


def verification(n: int, department: str = "kaigo") -> Verification:
    return Verification(
        id=f"v-{n:016x}",
        asked_by="system",
        asked_department="shimin",
        department=department,
        question=f"q{n}",
        asked_at=NOW + timedelta(minutes=n),
    )


def all_pages(fetch: Any, limit: int) -> list[Any]:
    items, cursor = fetch(limit, None)
    seen = list(items)
    while cursor:
        items, cursor = fetch(limit, cursor)
        seen += items
    return seen


def test_create_is_found_by_id_and_code_and_audited(store: ApplicationStore) -> None:
    store.create(app(1), audit())
    record = store.record(app(1).id)
    assert record is not None and record.application == app(1)
    assert [e.action for e in record.audit] == ["created"]
    assert store.by_code("C0000001") == app(1).id
    assert store.get("a-missing") is None and store.record("a-missing") is None and store.by_code("NOPE") is None


def test_create_refuses_a_used_idempotency_key_or_id_and_writes_nothing(store: ApplicationStore) -> None:
    store.create(app(1), audit(), "resident-1#k1")
    assert store.by_idempotency("resident-1#k1") == app(1).id
    with pytest.raises(Conflict):
        store.create(app(2), audit(), "resident-1#k1")
    assert store.get(app(2).id) is None and store.by_code("C0000002") is None
    with pytest.raises(Conflict):
        store.create(app(1, code="OTHER"), audit())
    assert store.by_code("OTHER") is None


def test_save_needs_the_expected_version_and_writes_all_or_nothing(store: ApplicationStore) -> None:
    store.create(app(1), audit())
    changed = app(1, status="received", version=1, submitted_at=NOW)
    with pytest.raises(Conflict):
        store.save(changed, audit("submitted"), expected_version=3, verifications=[verification(1)], idempotency="k")
    record = store.record(app(1).id)
    assert record is not None and record.application.status == "draft" and not record.verifications
    assert store.by_idempotency("k") is None and [e.action for e in record.audit] == ["created"]
    store.save(changed, audit("submitted"), expected_version=0, verifications=[verification(1)], idempotency="k")
    record = store.record(app(1).id)
    assert (
        record is not None
        and record.application.version == 1
        and [v.id for v in record.verifications] == [verification(1).id]
    )
    assert store.by_idempotency("k") == app(1).id
    with pytest.raises(Conflict):  # the same key twice
        store.save(app(1, version=2), audit(), expected_version=1, idempotency="k")


def test_save_requires_the_named_attachments_to_be_valid(store: ApplicationStore) -> None:
    store.create(app(1), audit())
    store.add_attachment(app(1).id, attachment(1))
    with pytest.raises(Conflict):
        store.save(app(1, version=1), audit(), expected_version=0, attachment_keys=[attachment(1).id])
    with pytest.raises(Conflict):
        store.save(app(1, version=1), audit(), expected_version=0, attachment_keys=["f-missing"])
    assert store.get(app(1).id) == app(1)
    store.mark_attachment(app(1).id, attachment(1, "valid"))
    store.save(app(1, version=1), audit(), expected_version=0, attachment_keys=[attachment(1).id])
    assert store.get(app(1).id) == app(1, version=1)


def test_an_attachment_is_added_once_under_its_id(store: ApplicationStore) -> None:
    # a retried upload request (the same id from the same Idempotency-Key) adds nothing and changes nothing
    store.create(app(1), audit())
    store.add_attachment(app(1).id, attachment(1))
    store.mark_attachment(app(1).id, attachment(1, "valid"))
    with pytest.raises(Conflict):
        store.add_attachment(app(1).id, attachment(1))
    assert store.attachment(app(1).id, attachment(1).id) == attachment(1, "valid")


def test_an_attachment_is_marked_once_from_pending(store: ApplicationStore) -> None:
    store.create(app(1), audit())
    store.add_attachment(app(1).id, attachment(1))
    store.mark_attachment(app(1).id, attachment(1, "rejected"))
    assert store.attachment(app(1).id, attachment(1).id) == attachment(1, "rejected")
    with pytest.raises(Conflict):
        store.mark_attachment(app(1).id, attachment(1, "valid"))
    with pytest.raises(Conflict):
        store.mark_attachment(app(1).id, attachment(9, "valid"))
    assert store.attachment(app(1).id, attachment(9).id) is None


def test_a_verification_is_answered_once_and_leaves_the_department_list(store: ApplicationStore) -> None:
    store.create(app(1), audit())
    store.save(app(1, version=1), audit(), expected_version=0, verifications=[verification(1), verification(2)])
    answered = verification(1).model_copy(update={"answer": "ok", "answered_by": "s", "answered_at": NOW})
    store.answer_verification(app(1).id, answered, audit("verification_answered"))
    with pytest.raises(Conflict):
        store.answer_verification(app(1).id, answered, audit("verification_answered"))
    with pytest.raises(Conflict):
        store.answer_verification(app(1).id, verification(7).model_copy(update={"answer": "x"}), audit())
    items, _ = store.pending_verifications("kaigo", 10, None)
    assert [(a, v.id) for a, v in items] == [(app(1).id, verification(2).id)]
    record = store.record(app(1).id)
    assert record is not None
    assert [e.action for e in record.audit].count("verification_answered") == 1


def test_pending_verifications_page_oldest_first(store: ApplicationStore) -> None:
    store.create(app(1), audit())
    asked = [verification(n) for n in (3, 1, 2, 5, 4)] + [verification(6, "other")]
    store.save(app(1, version=1), audit(), expected_version=0, verifications=asked)
    seen = all_pages(lambda limit, cursor: store.pending_verifications("kaigo", limit, cursor), 2)
    assert [v.question for _, v in seen] == ["q1", "q2", "q3", "q4", "q5"]


def test_mine_pages_newest_first_and_only_the_owners(store: ApplicationStore) -> None:
    for n in (3, 1, 5, 2, 4):
        store.create(app(n), audit())
    store.create(app(9, owner="resident-2"), audit())
    seen = all_pages(lambda limit, cursor: store.mine("resident-1", limit, cursor), 2)
    assert [a.id for a in seen] == [app(n).id for n in (5, 4, 3, 2, 1)]
    assert [a.id for a in store.mine("resident-2", 10, None)[0]] == [app(9).id]


def test_inbox_holds_what_staff_handle_by_status_then_time(store: ApplicationStore) -> None:
    later = NOW + timedelta(hours=1)
    rows = [
        app(1),  # a draft: not in the inbox
        app(2, status="received", submitted_at=later + timedelta(minutes=2)),
        app(3, status="received", submitted_at=later + timedelta(minutes=1)),
        app(4, status="in_review", submitted_at=later),
        app(5, status="preregistered", channel="counter"),  # handed over by QR: staff find it
        app(6, status="awaiting_payment", submitted_at=later),  # not for staff until paid
        app(7, status="received", submitted_at=later, department="kodomo"),
    ]
    for a in rows:
        store.create(a, audit())
    everything = all_pages(lambda limit, cursor: store.inbox("shimin", None, limit, cursor), 2)
    assert [a.id for a in everything] == [app(n).id for n in (4, 5, 3, 2)]
    received = all_pages(lambda limit, cursor: store.inbox("shimin", "received", limit, cursor), 1)
    assert [a.id for a in received] == [app(3).id, app(2).id]


def test_awaiting_payment_lists_the_oldest_waiting_first(store: ApplicationStore) -> None:
    for n in (4, 2, 3, 1):
        store.create(app(n, status="awaiting_payment"), audit())
    store.create(app(5, status="received", submitted_at=NOW), audit())
    before = NOW + timedelta(minutes=4)  # app 4 was updated at +4: not before
    assert [a.id for a in store.awaiting_payment(before, 10)[0]] == [app(n).id for n in (1, 2, 3)]
    # page after page (issue 13: the reconciler read only the first page)
    seen = all_pages(lambda limit, cursor: store.awaiting_payment(before, limit, cursor), 2)
    assert [a.id for a in seen] == [app(n).id for n in (1, 2, 3)]


def test_audit_entries_append(store: ApplicationStore) -> None:
    store.create(app(1), audit())
    store.audit(app(1).id, audit("viewed"))
    store.audit(app(1).id, audit("viewed"))
    record = store.record(app(1).id)
    assert record is not None and [e.action for e in record.audit].count("viewed") == 2


def test_a_visit_is_gone_once_expired(store: ApplicationStore) -> None:
    visit = Visit(
        id="visit-1",
        device="kiosk-1",
        name="n",
        address="a",
        date_of_birth="1970-01-01",
        sex="male",
        created_at=NOW,
        expires_at=NOW + timedelta(minutes=30),
    )
    store.put_visit(visit)
    assert store.visit("visit-1", NOW) == visit
    assert store.visit("visit-1", NOW + timedelta(minutes=30)) is None
    assert store.visit("visit-2", NOW) is None


def test_residents_round_trip(store: ApplicationStore) -> None:
    resident = Resident(id="r-1", name="n", address="a", date_of_birth="1970-01-01", sex="female", email="x@y.jp")
    store.put_resident(resident)
    assert store.resident("r-1") == resident and store.resident("r-2") is None


def test_awaiting_payment_pages_do_not_skip_when_earlier_ones_leave(store: ApplicationStore) -> None:
    for n in range(1, 6):
        store.create(app(n, status="awaiting_payment"), audit())
    before = NOW + timedelta(hours=1)
    first, cursor = store.awaiting_payment(before, 2)
    for a in first:  # received (or reopened) by reconciliation before the next page is read
        store.save(a.model_copy(update={"status": "draft", "version": 1}), audit(), expected_version=0)
    rest = all_pages(lambda limit, c: store.awaiting_payment(before, limit, c or cursor), 2)
    assert [a.id for a in first + rest] == [app(n).id for n in range(1, 6)]


def test_waiting_counts_follow_status_changes_and_verifications(store: ApplicationStore) -> None:
    # Given a draft, a received application, one in review and one of another department
    store.create(app(1), audit())
    store.create(app(2, status="received", submitted_at=NOW), audit())
    store.create(app(3, status="in_review", submitted_at=NOW), audit())
    store.create(app(4, status="received", submitted_at=NOW, department="kodomo"), audit())
    assert store.waiting_counts("shimin") == {"received": 1, "in_review": 1, "verify": 0}
    # When the draft is submitted asking kaigo twice, and one received goes into review
    store.save(
        app(1, status="received", submitted_at=NOW, version=1),
        audit("submitted"),
        expected_version=0,
        verifications=[verification(1), verification(2)],
    )
    store.save(app(2, status="in_review", submitted_at=NOW, version=1), audit(), expected_version=0)
    with pytest.raises(Conflict):  # a stale save moves nothing
        store.save(app(3, status="approved", version=1), audit(), expected_version=5)
    assert store.waiting_counts("shimin") == {"received": 1, "in_review": 2, "verify": 0}
    assert store.waiting_counts("kaigo") == {"received": 0, "in_review": 0, "verify": 2}
    # And decided or answered work leaves the counts
    store.save(app(3, status="approved", version=1), audit(), expected_version=0)
    answered = verification(1).model_copy(update={"answer": "ok", "answered_by": "s", "answered_at": NOW})
    store.answer_verification(app(1).id, answered, audit("verification_answered"))
    assert store.waiting_counts("shimin") == {"received": 1, "in_review": 1, "verify": 0}
    assert store.waiting_counts("kaigo")["verify"] == 1 == len(store.pending_verifications("kaigo", 50, None)[0])
    assert store.waiting_counts("kodomo") == {"received": 1, "in_review": 0, "verify": 0}


# --- effects owed (issue 13; docs/decisions.md 76, 80) -----------------------------------------------------------
def owed_effect(application: Application, what: str = "notify") -> Any:
    from madoguchi.effects.models import Effect

    return Effect(
        id=f"applications:{application.id}:{what}:v{application.version}",
        kind=f"applications.{what}",
        payload={"application_id": application.id, "version": application.version},
        created_at=NOW,
    )


@pytest.fixture
def outboxed(aws: None) -> Iterator[tuple[ApplicationStore, Any]]:
    """The DynamoDB adapter with its outbox table, as the functions are wired."""
    import boto3

    from infra import catalogue
    from infra.local.provision import table_spec
    from madoguchi.applications.dynamodb import DynamoApplicationStore

    for key in ("applications", "outbox"):
        boto3.client("dynamodb").create_table(**table_spec(catalogue.table(key)))
    outbox = boto3.resource("dynamodb").Table(catalogue.table("outbox").local_name)
    yield DynamoApplicationStore(catalogue.table("applications").local_name, outbox.name), outbox


def test_effects_are_owed_in_the_changes_transaction_or_not_at_all(outboxed: tuple[ApplicationStore, Any]) -> None:
    store, outbox = outboxed
    store.create(app(1), audit())
    changed = app(1, status="received", version=1, submitted_at=NOW)
    with pytest.raises(Conflict):  # a lost race owes nothing
        store.save(changed, audit("submitted"), expected_version=5, effects=[owed_effect(changed)])
    assert outbox.get_item(Key={"pk": owed_effect(changed).id}).get("Item") is None
    store.save(
        changed,
        audit("submitted"),
        expected_version=0,
        effects=[owed_effect(changed), owed_effect(changed, "tag_files")],
    )
    for what in ("notify", "tag_files"):
        item = outbox.get_item(Key={"pk": owed_effect(changed, what).id})["Item"]
        assert item["queue"] == "EFFECT" and item["topic"] == "effects" and item["attempts"] == 0


def test_a_store_without_an_outbox_refuses_effects_and_writes_nothing(aws: None) -> None:
    import boto3

    from infra import catalogue
    from infra.local.provision import table_spec
    from madoguchi.applications.dynamodb import DynamoApplicationStore

    table = catalogue.table("applications")
    boto3.client("dynamodb").create_table(**table_spec(table))
    store = DynamoApplicationStore(table.local_name)
    store.create(app(1), audit())
    changed = app(1, status="received", version=1, submitted_at=NOW)
    with pytest.raises(RuntimeError):
        store.save(changed, audit("submitted"), expected_version=0, effects=[owed_effect(changed)])
    found = store.get(app(1).id)
    assert found is not None and found.status == "draft" and found.version == 0


def test_refunds_round_trip_with_when_they_were_sent(store: ApplicationStore) -> None:
    from madoguchi.applications.models import Refund

    refund = Refund(key="application-a-1-s-rejected-v3", payment_intent_id="pi_1", amount_yen=600, decided_at=NOW)
    store.create(app(1), audit())
    store.save(app(1, status="rejected", version=1, refunds=[refund]), audit("reject"), expected_version=0)
    found = store.get(app(1).id)
    assert found is not None and found.refunds == [refund]
    sent = [refund.model_copy(update={"sent_at": NOW})]
    store.save(app(1, status="rejected", version=2, refunds=sent), audit("refund_sent"), expected_version=1)
    found = store.get(app(1).id)
    assert found is not None and found.refunds[0].sent_at == NOW
