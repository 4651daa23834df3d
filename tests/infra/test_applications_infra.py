"""Applications in the cloud: uploads expire, the check function is invoked by S3 object-created events under
uploads/ only and may touch only the attachments bucket, status e-mails go through one SES identity."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk import Stack
from aws_cdk.assertions import Template

from infra import catalogue
from infra.app import Madoguchi


def _statements(template: dict[str, Any], role_prefix: str) -> list[dict[str, Any]]:
    found = []
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] == "AWS::IAM::Policy" and logical_id.startswith(role_prefix):
            found += resource["Properties"]["PolicyDocument"]["Statement"]
    return found


def test_uploads_and_unreferenced_files_expire(madoguchi: Madoguchi):
    data = Template.from_stack(madoguchi.data).to_json()
    bucket_id = Stack.of(madoguchi.data).get_logical_id(madoguchi.data.buckets["attachments"].node.default_child)
    rules = {r.get("Id"): r for r in data["Resources"][bucket_id]["Properties"]["LifecycleConfiguration"]["Rules"]}
    assert rules["ExpireUploads"]["Prefix"] == "uploads/" and rules["ExpireUploads"]["ExpirationInDays"] == 1
    # the raw upload's noncurrent version (left by the check's delete) does not stay the bucket-wide 30 days
    assert rules["ExpireUploads"]["NoncurrentVersionExpiration"] == {"NoncurrentDays": 1}
    assert rules["ExpireUnreferenced"]["TagFilters"] == [{"Key": "referenced", "Value": "false"}]
    assert rules["ExpireUnreferenced"]["ExpirationInDays"] == 30
    [cors] = data["Resources"][bucket_id]["Properties"]["CorsConfiguration"]["CorsRules"]
    assert cors["AllowedMethods"] == ["POST"]  # presigned uploads only: no GET or PUT from browsers


def test_object_created_under_uploads_invokes_the_check_function(madoguchi: Madoguchi):
    api = Template.from_stack(madoguchi.api).to_json()
    check_id = Stack.of(madoguchi.api).get_logical_id(madoguchi.api.functions["attachment_check"].node.default_child)
    [notification] = [r for r in api["Resources"].values() if r["Type"] == "Custom::S3BucketNotifications"]
    [config] = notification["Properties"]["NotificationConfiguration"]["LambdaFunctionConfigurations"]
    assert config["Events"] == ["s3:ObjectCreated:*"]
    assert config["Filter"]["Key"]["FilterRules"] == [{"Name": "prefix", "Value": "uploads/"}]
    assert config["LambdaFunctionArn"] == {"Fn::GetAtt": [check_id, "Arn"]}
    permissions = [
        r["Properties"]
        for r in api["Resources"].values()
        if r["Type"] == "AWS::Lambda::Permission" and r["Properties"]["Principal"] == "s3.amazonaws.com"
    ]
    assert [p["FunctionName"] for p in permissions] == [{"Fn::GetAtt": [check_id, "Arn"]}]


def test_the_check_function_may_use_the_attachments_bucket_and_applications_table_only(madoguchi: Madoguchi):
    api = Template.from_stack(madoguchi.api).to_json()
    statements = _statements(api, "AttachmentCheckFunctionRole")
    text = json.dumps(statements)
    assert "AttachmentsBucket" in text and "ApplicationsTable" in text
    for other in ("CasesTable", "TasksTable", "CatalogueTable", "secretsmanager", "ses:", "states:"):
        assert other not in text, other
    s3_actions = {
        a
        for s in statements
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
        if a.startswith("s3:")
    }
    assert s3_actions == {"s3:GetObject", "s3:PutObject", "s3:PutObjectTagging", "s3:DeleteObject"}


def test_mail_is_sent_from_one_identity(madoguchi: Madoguchi):
    api = Template.from_stack(madoguchi.api).to_json()
    for fn in catalogue.FUNCTIONS:
        prefix = "".join(part.capitalize() for part in fn.name.split("_")) + "FunctionRole"
        ses = [s for s in _statements(api, prefix) if "ses:SendEmail" in json.dumps(s["Action"])]
        if fn.sends_mail:
            [statement] = ses
            assert "identity/madoguchi.example" in json.dumps(statement["Resource"])
            assert "*" not in json.dumps(statement["Resource"]).replace("${AWS::", "")
        else:
            assert not ses, fn.name


def test_certificates_are_binary(madoguchi: Madoguchi):
    api = Template.from_stack(madoguchi.api).to_json()
    [rest] = [r for r in api["Resources"].values() if r["Type"] == "AWS::ApiGateway::RestApi"]
    assert rest["Properties"]["BinaryMediaTypes"] == ["application/pdf"]
