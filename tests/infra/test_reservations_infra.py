"""What reservations and payments need from the cloud beyond the catalogue's generic checks."""

from __future__ import annotations

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
