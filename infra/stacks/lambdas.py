"""One way to build a Python Lambda function: arm64, Python 3.13, JSON logs, own log group and role."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra import catalogue
from infra.stacks.nag import acknowledge

# 3.13 matches the dependency layer built by `make layer` (cp313 wheels such as pydantic-core).
RUNTIME = lambda_.Runtime.PYTHON_3_13
FUNCTION_LOG_RETENTION = logs.RetentionDays.THREE_MONTHS
# Local caches and build markers never ship (they would also change the asset hash between machines).
ASSET_EXCLUDE = ["**/__pycache__", "**/*.pyc", ".built"]  # .built: `make layer`'s marker


def python_function(
    scope: Construct,
    construct_id: str,
    *,
    fn: catalogue.Function,
    code_dir: Path,
    environment: Mapping[str, str],
    layers: Sequence[lambda_.ILayerVersion] = (),
    statements: Sequence[iam.PolicyStatement] = (),
) -> lambda_.Function:
    log_group = logs.LogGroup(
        scope,
        f"{construct_id}Logs",
        retention=FUNCTION_LOG_RETENTION,
        removal_policy=RemovalPolicy.RETAIN,
    )
    # Own role with inline statements only: no AWS managed policy, nothing beyond what the catalogue lists.
    role = iam.Role(
        scope,
        f"{construct_id}Role",
        assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
        description=f"Runs the {fn.name} function",
    )
    role.add_to_policy(
        iam.PolicyStatement(
            actions=["logs:CreateLogStream", "logs:PutLogEvents"],
            resources=[log_group.log_group_arn],
        )
    )
    for statement in statements:
        role.add_to_policy(statement)
    function = lambda_.Function(
        scope,
        construct_id,
        description=fn.description,
        code=lambda_.Code.from_asset(str(code_dir), exclude=ASSET_EXCLUDE),
        handler="handler.lambda_handler",
        runtime=RUNTIME,
        architecture=lambda_.Architecture.ARM_64,
        memory_size=fn.memory_mb,
        timeout=Duration.seconds(fn.timeout_s),
        environment=dict(environment),
        layers=list(layers),
        role=role,
        log_group=log_group,
        logging_format=lambda_.LoggingFormat.JSON,
    )
    acknowledge(
        function,
        "AwsSolutions-L1",
        "Python 3.13 on purpose: the dependency layer is built for cp313 (layers/requirements.lock); "
        "moving to 3.14 is one constant plus a layer rebuild.",
    )
    return function
