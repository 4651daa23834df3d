"""The certificate register on DynamoDB (table `certificates`): GetItem by issue number, conditional writes.

| pk                      | sk      | item                                                   |
|-------------------------|---------|--------------------------------------------------------|
| CERT#<issue number>     | CERT    | one issued certificate (kind, office, day, code hash)  |
| SERIAL#<prefix>#<year>  | COUNTER | the issue serial of a channel and year (atomic ADD)    |
"""

from __future__ import annotations

from datetime import datetime

from botocore.exceptions import ClientError

from madoguchi.certificates.models import CertificateNotFound, IssuedCertificate
from madoguchi.certificates.store import CertificateRegistry
from madoguchi.shared.aws import dynamodb_table
from madoguchi.shared.dynamodb import plain


def _key(issue_number: str) -> dict[str, str]:
    return {"pk": f"CERT#{issue_number}", "sk": "CERT"}


def _condition_failed(error: ClientError) -> bool:
    return error.response["Error"]["Code"] == "ConditionalCheckFailedException"


class DynamoCertificateRegistry(CertificateRegistry):
    def __init__(self, table_name: str) -> None:
        self._table = dynamodb_table(table_name)

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

    def revoke(self, issue_number: str, by: str, at: datetime) -> IssuedCertificate:
        try:
            self._table.update_item(
                Key=_key(issue_number),
                UpdateExpression="SET revoked_at = :at, revoked_by = :by",
                ConditionExpression="attribute_exists(pk) AND attribute_not_exists(revoked_at)",
                ExpressionAttributeValues={":at": at.isoformat(), ":by": by},
            )
        except ClientError as e:
            if not _condition_failed(e):
                raise
        found = self.get(issue_number)
        if found is None:
            raise CertificateNotFound()
        return found
