"""What reservations and payments need from the cloud beyond the catalogue's generic checks."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk.assertions import Match, Template

from infra.app import Madoguchi


def test_receipt_pdfs_pass_api_gateway_as_binary(madoguchi: Madoguchi) -> None:
    Template.from_stack(madoguchi.api).has_resource_properties(
        "AWS::ApiGateway::RestApi", {"BinaryMediaTypes": Match.array_with(["application/pdf"])}
    )


def test_idempotency_records_have_a_hash_key_only_and_expire(madoguchi: Madoguchi) -> None:
    Template.from_stack(madoguchi.data).has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
            "TimeToLiveSpecification": {"AttributeName": "expiration", "Enabled": True},
        },
    )


def test_sweeper_runs_every_minute_and_reconciler_every_five(madoguchi: Madoguchi) -> None:
    api = Template.from_stack(madoguchi.api)
    expressions = {r["Properties"]["ScheduleExpression"] for r in api.find_resources("AWS::Events::Rule").values()}
    assert {"rate(1 minute)", "rate(5 minutes)"} <= expressions


def _role_text(template: dict[str, Any], role_prefix: str) -> str:
    return json.dumps(
        [
            r["Properties"]["PolicyDocument"]["Statement"]
            for logical_id, r in template["Resources"].items()
            if r["Type"] == "AWS::IAM::Policy" and logical_id.startswith(role_prefix)
        ]
    )


def test_refunds_and_booking_e_mails_are_sent_by_the_outbox_worker_only(madoguchi: Madoguchi) -> None:
    """Issue 13: the worker carries out `reservations.refund` and `reservations.notify`; the request functions that
    owe them keep Stripe only for checkouts and no longer read resident records or send mail."""
    api = Template.from_stack(madoguchi.api).to_json()
    worker = _role_text(api, "OutboxEffectsFunctionRole")
    for needed in ("ReservationsTable", "ApplicationsTable", "secretsmanager:GetSecretValue", "ses:SendEmail"):
        assert needed in worker, needed
    for name in ("ReservationsFunctionRole", "FacilitiesFunctionRole"):
        text = _role_text(api, name)
        assert "ses:SendEmail" not in text and "ApplicationsTable" not in text, name
        assert "ReservationsTable" in text and "secretsmanager:GetSecretValue" in text, name  # checkouts
