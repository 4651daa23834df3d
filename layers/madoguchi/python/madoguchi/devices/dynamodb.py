"""Device records on DynamoDB: GetItem per device request, one-partition Query for the list, transactions.

Items (pk, sk) of the devices table:
- ``DEVICES``, ``<device id>``: a device (model fields, and `code_hash` while pending). One partition: a city has
  tens to hundreds of machines, so the list is one Query and the per-request check one GetItem.
- ``CODE#<sha256 of the code>``, ``CODE``: the pending device a code redeems (`expires_epoch`; `ttl` removes it)
- ``AUDIT#<device id>``, ``<time>#<action>``: who enrolled, redeemed, revoked, and when
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from boto3.dynamodb.conditions import Key

from madoguchi.devices.models import Device, DeviceAuditEntry, DeviceStatus, EnrolmentCodeInvalid
from madoguchi.devices.store import DeviceStore
from madoguchi.shared.aws import dynamodb_table
from madoguchi.shared.dynamodb import plain, query_all, transact
from madoguchi.shared.errors import Conflict, NotFound, present

PARTITION = "DEVICES"
KEEP_CODE_SECONDS = 24 * 3600  # TTL removes spent or expired code items a day later (expiry is decided by epoch)
FIELDS = set(Device.model_fields)


def _key(device_id: str) -> dict[str, str]:
    return {"pk": PARTITION, "sk": device_id}


def _code_key(code_hash: str) -> dict[str, str]:
    return {"pk": f"CODE#{code_hash}", "sk": "CODE"}


def _device(item: dict[str, Any]) -> Device:
    return Device.model_validate({k: v for k, v in plain(item).items() if k in FIELDS})


def device_item(device: Device) -> dict[str, Any]:
    """A device's item (for loading records made elsewhere, such as the local stack's demo devices)."""
    return {**_key(device.id), **device.model_dump(mode="json", exclude_none=True)}


class DynamoDeviceStore(DeviceStore):
    def __init__(self, table_name: str) -> None:
        self._table = dynamodb_table(table_name)
        self._client = self._table.meta.client
        self._name = table_name

    def _audit_put(self, audit: DeviceAuditEntry) -> dict[str, Any]:
        item = {"pk": f"AUDIT#{audit.device_id}", "sk": f"{audit.at.isoformat()}#{audit.action}"}
        return {"Put": {"TableName": self._name, "Item": {**item, **audit.model_dump(mode="json")}}}

    def create(self, device: Device, code_hash: str, audit: DeviceAuditEntry) -> None:
        expires = int(present(device.code_expires_at).timestamp())
        item = {**_key(device.id), **device.model_dump(mode="json", exclude_none=True), "code_hash": code_hash}
        code = {
            **_code_key(code_hash),
            "device_id": device.id,
            "expires_epoch": expires,
            "ttl": expires + KEEP_CODE_SECONDS,
        }
        transact(
            self._client,
            [
                {"Put": {"TableName": self._name, "Item": item, "ConditionExpression": "attribute_not_exists(sk)"}},
                {"Put": {"TableName": self._name, "Item": code, "ConditionExpression": "attribute_not_exists(pk)"}},
                self._audit_put(audit),
            ],
        )

    def get(self, device_id: str) -> Device | None:
        item = self._table.get_item(Key=_key(device_id), ConsistentRead=True).get("Item")
        return _device(item) if item else None

    def all(self) -> list[Device]:
        items = query_all(self._table, KeyConditionExpression=Key("pk").eq(PARTITION))
        return sorted((_device(i) for i in items), key=lambda d: d.created_at, reverse=True)

    def find_code(self, code_hash: str, now: datetime) -> Device | None:
        item = self._table.get_item(Key=_code_key(code_hash), ConsistentRead=True).get("Item")
        if not item or int(item["expires_epoch"]) <= int(now.timestamp()):
            return None
        device = self.get(str(item["device_id"]))
        return device if device is not None and device.status is DeviceStatus.PENDING else None

    def redeem(self, device_id: str, code_hash: str, audit: DeviceAuditEntry, now: datetime) -> Device:
        try:
            transact(
                self._client,
                [
                    {
                        "Delete": {
                            "TableName": self._name,
                            "Key": _code_key(code_hash),
                            "ConditionExpression": "device_id = :id AND expires_epoch > :now",
                            "ExpressionAttributeValues": {":id": device_id, ":now": int(now.timestamp())},
                        }
                    },
                    {
                        "Update": {
                            "TableName": self._name,
                            "Key": _key(device_id),
                            "UpdateExpression": "SET #status = :active, enrolled_at = :now REMOVE code_hash, "
                            "code_expires_at",
                            "ConditionExpression": "#status = :pending AND code_hash = :hash",
                            "ExpressionAttributeNames": {"#status": "status"},
                            "ExpressionAttributeValues": {
                                ":active": DeviceStatus.ACTIVE.value,
                                ":pending": DeviceStatus.PENDING.value,
                                ":hash": code_hash,
                                ":now": now.isoformat(),
                            },
                        }
                    },
                    self._audit_put(audit),
                ],
            )
        except Conflict as e:
            raise EnrolmentCodeInvalid() from e
        device = self.get(device_id)
        if device is None:
            raise EnrolmentCodeInvalid()
        return device

    def reissue_code(
        self, device_id: str, created_by: str, code_hash: str, expires_at: datetime, audit: DeviceAuditEntry
    ) -> None:
        item = self._table.get_item(Key=_key(device_id), ConsistentRead=True).get("Item")
        if item is None or "code_hash" not in item:
            raise Conflict()
        expires = int(expires_at.timestamp())
        code = {
            **_code_key(code_hash),
            "device_id": device_id,
            "expires_epoch": expires,
            "ttl": expires + KEEP_CODE_SECONDS,
        }
        transact(
            self._client,
            [
                {
                    "Update": {
                        "TableName": self._name,
                        "Key": _key(device_id),
                        "UpdateExpression": "SET code_hash = :hash, code_expires_at = :expires",
                        # still pending, still this manager's, still the code we read (a racing retry loses)
                        "ConditionExpression": "#status = :pending AND created_by = :by AND code_hash = :old",
                        "ExpressionAttributeNames": {"#status": "status"},
                        "ExpressionAttributeValues": {
                            ":pending": DeviceStatus.PENDING.value,
                            ":by": created_by,
                            ":old": item["code_hash"],
                            ":hash": code_hash,
                            ":expires": expires_at.isoformat(),
                        },
                    }
                },
                {"Delete": {"TableName": self._name, "Key": _code_key(str(item["code_hash"]))}},
                {"Put": {"TableName": self._name, "Item": code, "ConditionExpression": "attribute_not_exists(pk)"}},
                self._audit_put(audit),
            ],
        )

    def restore_code(self, device_id: str, code_hash: str, expires_at: datetime) -> None:
        expires = int(expires_at.timestamp())
        code = {
            **_code_key(code_hash),
            "device_id": device_id,
            "expires_epoch": expires,
            "ttl": expires + KEEP_CODE_SECONDS,
        }
        transact(
            self._client,
            [
                {"Put": {"TableName": self._name, "Item": code}},
                {
                    "Update": {
                        "TableName": self._name,
                        "Key": _key(device_id),
                        "UpdateExpression": "SET #status = :pending, code_hash = :hash, code_expires_at = :expires "
                        "REMOVE enrolled_at",
                        "ConditionExpression": "#status = :active",
                        "ExpressionAttributeNames": {"#status": "status"},
                        "ExpressionAttributeValues": {
                            ":active": DeviceStatus.ACTIVE.value,
                            ":pending": DeviceStatus.PENDING.value,
                            ":hash": code_hash,
                            ":expires": expires_at.isoformat(),
                        },
                    }
                },
            ],
        )

    def revoke(self, device_id: str, by: str, audit: DeviceAuditEntry, now: datetime) -> Device:
        for _ in range(3):  # a redeem may land between the read and the write; read again and retry
            item = self._table.get_item(Key=_key(device_id), ConsistentRead=True).get("Item")
            if item is None:
                raise NotFound()
            if item["status"] == DeviceStatus.REVOKED.value:
                return _device(item)
            writes: list[dict[str, Any]] = [
                {
                    "Update": {
                        "TableName": self._name,
                        "Key": _key(device_id),
                        "UpdateExpression": "SET #status = :revoked, revoked_at = :now, revoked_by = :by "
                        "REMOVE code_hash, code_expires_at",
                        "ConditionExpression": "#status = :was",
                        "ExpressionAttributeNames": {"#status": "status"},
                        "ExpressionAttributeValues": {
                            ":revoked": DeviceStatus.REVOKED.value,
                            ":was": item["status"],
                            ":now": now.isoformat(),
                            ":by": by,
                        },
                    }
                },
                self._audit_put(audit),
            ]
            if item.get("code_hash"):
                writes.append({"Delete": {"TableName": self._name, "Key": _code_key(str(item["code_hash"]))}})
            try:
                transact(self._client, writes)
            except Conflict:
                continue
            return self._get_present(device_id)
        raise Conflict()

    def _get_present(self, device_id: str) -> Device:
        device = self.get(device_id)
        if device is None:
            raise NotFound()
        return device

    def identity_disabled(self, device_id: str) -> None:
        self._table.update_item(
            Key=_key(device_id),
            UpdateExpression="SET identity_disabled = :yes",
            ConditionExpression="attribute_exists(sk)",
            ExpressionAttributeValues={":yes": True},
        )

    def audit(self, device_id: str) -> list[DeviceAuditEntry]:
        items = query_all(self._table, KeyConditionExpression=Key("pk").eq(f"AUDIT#{device_id}"))
        return [
            DeviceAuditEntry.model_validate({k: v for k, v in plain(i).items() if k not in ("pk", "sk")}) for i in items
        ]
