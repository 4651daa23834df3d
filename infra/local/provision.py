"""Create the catalogue's tables, buckets, secrets, functions and state machines in the emulated account."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import boto3
from botocore.exceptions import ClientError

from infra import catalogue
from infra.catalogue import Table
from infra.local.secrets import LOCAL_SECRETS

LAMBDA_ROLE = "madoguchi-local-lambda"
STATES_ROLE = "madoguchi-local-states"


def table_spec(table: Table) -> dict[str, Any]:
    """CreateTable arguments for a catalogue table: the same shape the CDK data stack declares."""
    key_names = [table.pk, *([table.sk] if table.sk else [])]
    for index in table.indexes:
        key_names += [index.pk, *([index.sk] if index.sk else [])]
    spec: dict[str, Any] = {
        "TableName": table.local_name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": n, "AttributeType": "S"} for n in dict.fromkeys(key_names)],
        "KeySchema": [
            {"AttributeName": table.pk, "KeyType": "HASH"},
            *([{"AttributeName": table.sk, "KeyType": "RANGE"}] if table.sk else []),
        ],
    }
    if table.indexes:
        spec["GlobalSecondaryIndexes"] = [
            {
                "IndexName": index.name,
                "KeySchema": [
                    {"AttributeName": index.pk, "KeyType": "HASH"},
                    *([{"AttributeName": index.sk, "KeyType": "RANGE"}] if index.sk else []),
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
            for index in table.indexes
        ]
    if table.stream:
        spec["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    return spec


def function_arn(name: str) -> str:
    from infra.local.functions import ACCOUNT, REGION

    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{catalogue.function(name).local_name}"


def state_machine_definition(workflow: catalogue.Workflow) -> str:
    text = workflow.asl_path.read_text()
    for placeholder, fn_name in workflow.functions.items():
        text = text.replace("${" + placeholder + "}", function_arn(fn_name))
    return text


def _placeholder_zip() -> bytes:
    # moto wants code for a function; ours runs in-process (infra.local.lambda_dispatch), never from this zip.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("handler.py", "def lambda_handler(event, context):\n    raise RuntimeError('dispatched')\n")
    return buffer.getvalue()


def _role(iam: Any, name: str, service: str) -> str:
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
    }
    try:
        return str(iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"])
    except ClientError as e:
        if e.response["Error"]["Code"] != "EntityAlreadyExists":
            raise
        return str(iam.get_role(RoleName=name)["Role"]["Arn"])


def provision() -> dict[str, str]:
    """Create everything (idempotently); return the state machine ARNs by workflow key."""
    dynamodb = boto3.client("dynamodb")
    existing = set(dynamodb.list_tables()["TableNames"])
    for table in catalogue.TABLES:
        if table.local_name not in existing:
            dynamodb.create_table(**table_spec(table))
        if table.ttl:
            dynamodb.update_time_to_live(
                TableName=table.local_name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": table.ttl},
            )

    s3: Any = boto3.client("s3")
    for bucket in catalogue.BUCKETS:
        try:
            s3.create_bucket(
                Bucket=bucket.local_name,
                CreateBucketConfiguration={"LocationConstraint": s3.meta.region_name},
            )
        except ClientError as e:
            if e.response["Error"]["Code"] not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                raise

    secretsmanager = boto3.client("secretsmanager")
    for secret in catalogue.SECRETS:
        value = json.dumps(LOCAL_SECRETS[secret.key])
        try:
            secretsmanager.create_secret(Name=secret.local_name, Description=secret.description, SecretString=value)
        except ClientError as e:
            if e.response["Error"]["Code"] != "ResourceExistsException":
                raise
            secretsmanager.put_secret_value(SecretId=secret.local_name, SecretString=value)

    iam = boto3.client("iam")
    lambda_role = _role(iam, LAMBDA_ROLE, "lambda.amazonaws.com")
    states_role = _role(iam, STATES_ROLE, "states.amazonaws.com")

    lambda_client = boto3.client("lambda")
    code = _placeholder_zip()
    for fn in catalogue.FUNCTIONS:
        try:
            lambda_client.create_function(
                FunctionName=fn.local_name,
                Runtime="python3.13",
                Role=lambda_role,
                Handler="handler.lambda_handler",
                Code={"ZipFile": code},
                MemorySize=fn.memory_mb,
                Timeout=fn.timeout_s,
                Architectures=["arm64"],
            )
        except ClientError as e:
            if e.response["Error"]["Code"] != "ResourceConflictException":
                raise

    sfn = boto3.client("stepfunctions")
    arns = {m["name"]: m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"]}
    machines: dict[str, str] = {}
    for workflow in catalogue.WORKFLOWS:
        arn = arns.get(workflow.local_name)
        if arn is None:
            arn = sfn.create_state_machine(
                name=workflow.local_name,
                definition=state_machine_definition(workflow),
                roleArn=states_role,
                type="STANDARD",
            )["stateMachineArn"]
        machines[workflow.key] = arn
    return machines
