"""Workflows: one Standard state machine per catalogue workflow, from its reviewed .asl.json file."""

from __future__ import annotations

from typing import Any

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra import catalogue
from infra.stacks.data import pascal_case
from infra.stacks.nag import acknowledge


class WorkflowsStack(Stack):
    def __init__(
        self, scope: Construct, construct_id: str, *, functions: dict[str, lambda_.Function], **kwargs: Any
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.state_machines: dict[str, sfn.StateMachine] = {
            wf.key: self._state_machine(wf, functions) for wf in catalogue.DEPLOYED_WORKFLOWS
        }

    def _state_machine(self, wf: catalogue.Workflow, functions: dict[str, lambda_.Function]) -> sfn.StateMachine:
        name = pascal_case(wf.key)
        log_group = logs.LogGroup(
            self, f"{name}Logs", retention=logs.RetentionDays.ONE_YEAR, removal_policy=RemovalPolicy.RETAIN
        )
        machine = sfn.StateMachine(
            self,
            f"{name}StateMachine",
            # A fixed name: functions that start or answer it are granted it by ARN, with no reference back.
            state_machine_name=wf.state_machine_name,
            state_machine_type=sfn.StateMachineType.STANDARD,
            definition_body=sfn.DefinitionBody.from_file(str(wf.asl_path)),
            definition_substitutions={
                placeholder: functions[fn_name].function_arn for placeholder, fn_name in wf.functions.items()
            },
            # Every state transition is logged, without inputs/outputs: they may carry personal data.
            logs=sfn.LogOptions(destination=log_group, level=sfn.LogLevel.ALL, include_execution_data=False),
            # X-Ray shows one case's path across departments' Lambda steps; sampled, so cheap.
            tracing_enabled=True,
        )
        # Exactly the functions the workflow names; the unqualified ARN is what the ASL invokes.
        machine.add_to_role_policy(
            iam.PolicyStatement(
                actions=["lambda:InvokeFunction"],
                resources=[functions[fn_name].function_arn for fn_name in wf.functions.values()],
            )
        )
        acknowledge(
            machine,
            "AwsSolutions-IAM5[Resource::*]",
            "CloudWatch Logs delivery (logs:*LogDelivery*, DescribeResourcePolicies) and X-Ray "
            "(PutTraceSegments, GetSampling*) accept only Resource '*'; CDK grants them for logging and "
            "tracing.",
        )
        return machine
