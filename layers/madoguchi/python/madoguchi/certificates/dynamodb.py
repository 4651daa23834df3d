"""The certificate register on DynamoDB (table `certificates`): GetItem by issue number, conditional writes.

| pk                      | sk      | item                                                   |
|-------------------------|---------|--------------------------------------------------------|
| CERT#<issue number>     | CERT    | one issued certificate (kind, office, day, code hash)  |
| SERIAL#<prefix>#<year>  | COUNTER | the issue serial of a channel and year (atomic ADD)    |
| AUDIT#<issue number>    | <time>#<action>#<staff> | a staff read or revocation        |
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from madoguchi.certificates.models import CertificateAuditEntry, CertificateNotFound, IssuedCertificate
from madoguchi.certificates.store import CertificateRegistry
from madoguchi.shared.aws import dynamodb_table
from madoguchi.shared.dynamodb import plain, query_all, transact
from madoguchi.shared.errors import Conflict


def _key(issue_number: str) -> dict[str, str]:
    return {"pk": f"CERT#{issue_number}", "sk": "CERT"}


def _condition_failed(error: ClientError) -> bool:
    return error.response["Error"]["Code"] == "ConditionalCheckFailedException"


def _audit_item(entry: CertificateAuditEntry) -> dict[str, Any]:
    key = {"pk": f"AUDIT#{entry.issue_number}", "sk": f"{entry.at.isoformat()}#{entry.action}#{entry.by}"}
    return {**key, **entry.model_dump(mode="json")}


class DynamoCertificateRegistry(CertificateRegistry):
    def __init__(self, table_name: str) -> None:
        self._table = dynamodb_table(table_name)
        self._name = table_name

    def register(self, certificate: IssuedCertificate) -> None:
        item = {**_key(certificate.issue_number), **certificate.model_dump(mode="json", exclude_none=True)}
        try:
            self._table.put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")
        except ClientError as e:
            if not _condition_failed(e):
                raise

    def get(self, issue_number: str) -> IssuedCertificate | None:
        item = self._table.get_item(Key=_key(issue_number)).get("Item")
        if not item:
            return None
        return IssuedCertificate.model_validate({k: v for k, v in plain(dict(item)).items() if k not in ("pk", "sk")})

    def next_serial(self, prefix: str, year: int) -> int:
        answer = self._table.update_item(
            Key={"pk": f"SERIAL#{prefix}#{year}", "sk": "COUNTER"},
            UpdateExpression="ADD serial :one",
            ExpressionAttributeValues={":one": 1},
            ReturnValues="UPDATED_NEW",
        )
        return int(answer["Attributes"]["serial"])

    def revoke(self, issue_number: str, reason: str, audit: CertificateAuditEntry) -> IssuedCertificate:
        revocation = {
            "Update": {
                "TableName": self._name,
                "Key": _key(issue_number),
                "UpdateExpression": "SET revoked_at = :at, revoked_by = :by, revoked_reason = :reason",
                "ConditionExpression": "attribute_exists(pk) AND attribute_not_exists(revoked_at)",
                "ExpressionAttributeValues": {":at": audit.at.isoformat(), ":by": audit.by, ":reason": reason},
            }
        }
        # A failed condition: unknown (answered below) or revoked already (the first revocation stands).
        with suppress(Conflict):
            transact(
                self._table.meta.client, [revocation, {"Put": {"TableName": self._name, "Item": _audit_item(audit)}}]
            )
        found = self._table.get_item(Key=_key(issue_number), ConsistentRead=True).get("Item")
        if not found:
            raise CertificateNotFound()
        return IssuedCertificate.model_validate({k: v for k, v in plain(dict(found)).items() if k not in ("pk", "sk")})

    def audit(self, entry: CertificateAuditEntry) -> None:
        self._table.put_item(Item=_audit_item(entry))

    def audit_trail(self, issue_number: str) -> list[CertificateAuditEntry]:
        items = query_all(self._table, KeyConditionExpression=Key("pk").eq(f"AUDIT#{issue_number}"))
        return [
            CertificateAuditEntry.model_validate({k: v for k, v in plain(i).items() if k not in ("pk", "sk")})
            for i in items
        ]
