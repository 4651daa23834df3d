"""Observability: alarms on functions, the API and workflows to one encrypted SNS topic, and a dashboard."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra.catalogue import METRICS_NAMESPACE as NAMESPACE
from infra.stacks.data import pascal_case
from madoguchi.cases.life_events import life_events
from madoguchi.shared.departments import DEPARTMENTS

PERIOD = Duration.minutes(5)
CASE_DEPARTMENTS = sorted({step.department for event in life_events() for step in event.steps})
API_P99_LATENCY_MS = 3000


class ObservabilityStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        functions: dict[str, lambda_.Function],
        api: apigw.RestApi,
        state_machines: dict[str, sfn.StateMachine],
        stream_failures: dict[str, sqs.IQueue] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        key = kms.Key(
            self,
            "AlarmsKey",
            description="Madoguchi alarm notifications",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        # CloudWatch publishes alarms to the encrypted topic, so it needs this key.
        key.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["kms:Decrypt", "kms:GenerateDataKey"],
                resources=["*"],
            )
        )
        self.topic = sns.Topic(self, "Alarms", display_name="Madoguchi alarms", master_key=key, enforce_ssl=True)
        action = cw_actions.SnsAction(self.topic)
        self.alarms: list[cloudwatch.Alarm] = []

        def alarm(construct_id: str, metric: cloudwatch.IMetric, threshold: float, description: str) -> None:
            created = cloudwatch.Alarm(
                self,
                construct_id,
                metric=metric,
                threshold=threshold,
                evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
                alarm_description=description,
            )
            created.add_alarm_action(action)
            self.alarms.append(created)

        for name, fn in functions.items():
            alarm(f"{pascal_case(name)}Errors", fn.metric_errors(period=PERIOD), 1, f"{name} raised errors")
            alarm(
                f"{pascal_case(name)}Throttles",
                fn.metric_throttles(period=PERIOD),
                1,
                f"{name} was throttled",
            )
        for name, queue in (stream_failures or {}).items():
            alarm(
                f"{pascal_case(name)}StreamFailures",
                queue.metric_approximate_number_of_messages_visible(period=PERIOD),
                1,
                f"{name} gave up on a stream batch: redrive it within 24 hours (docs/operations.md, Outbox)",
            )
        alarm(
            "EffectsGivenUp",
            cloudwatch.Metric(
                namespace=NAMESPACE,
                metric_name="EffectsGivenUp",
                dimensions_map={"service": "outbox_effects"},
                statistic="Sum",
                period=PERIOD,
            ),
            1,
            "The outbox worker gave up on an effect after two days of tries (docs/operations.md, Outbox)",
        )
        alarm("Api5xx", api.metric_server_error(period=PERIOD), 1, "The API answered 5xx")
        alarm(
            "ApiP99Latency",
            api.metric_latency(period=PERIOD, statistic="p99"),
            API_P99_LATENCY_MS,
            f"API p99 latency at or above {API_P99_LATENCY_MS} ms",
        )
        for key_name, machine in state_machines.items():
            name = pascal_case(key_name)
            alarm(f"{name}Failed", machine.metric_failed(period=PERIOD), 1, f"{key_name} executions failed")
            alarm(f"{name}TimedOut", machine.metric_timed_out(period=PERIOD), 1, f"{key_name} timed out")

        # A one-stop case step that waits past its timeout is escalated to the department's lead: one topic per
        # department (the lead subscribes), fed by the StepEscalated metric the workflow function publishes.
        self.lead_topics: dict[str, sns.Topic] = {}
        for department in CASE_DEPARTMENTS:
            topic = sns.Topic(
                self,
                f"{pascal_case(department)}LeadTopic",
                display_name=f"Madoguchi escalations: {DEPARTMENTS[department]['ja']}",
                master_key=key,
                enforce_ssl=True,
            )
            escalated = cloudwatch.Alarm(
                self,
                f"{pascal_case(department)}StepEscalated",
                metric=cloudwatch.Metric(
                    namespace=NAMESPACE,
                    metric_name="StepEscalated",
                    dimensions_map={"service": "workflow_tasks", "department": department},
                    statistic="Sum",
                    period=PERIOD,
                ),
                threshold=1,
                evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
                alarm_description=f"A one-stop case step of {department} waited past its timeout",
            )
            escalated.add_alarm_action(cw_actions.SnsAction(topic))
            self.lead_topics[department] = topic
            CfnOutput(self, f"{pascal_case(department)}LeadTopicArn", value=topic.topic_arn)

        dashboard = cloudwatch.Dashboard(self, "Dashboard", default_interval=Duration.hours(6))
        dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="API requests and errors",
                left=[api.metric_count(period=PERIOD), api.metric_client_error(period=PERIOD)],
                right=[api.metric_server_error(period=PERIOD)],
            ),
            cloudwatch.GraphWidget(
                title="API latency (ms)",
                left=[api.metric_latency(period=PERIOD, statistic=s) for s in ("p50", "p90", "p99")],
            ),
        )
        dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Function errors and throttles",
                left=[fn.metric_errors(period=PERIOD, label=name) for name, fn in functions.items()],
                right=[fn.metric_throttles(period=PERIOD, label=name) for name, fn in functions.items()],
            ),
            cloudwatch.GraphWidget(
                title="Function duration p99 (ms)",
                left=[fn.metric_duration(period=PERIOD, statistic="p99", label=name) for name, fn in functions.items()],
            ),
        )
        dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Workflows",
                left=[m.metric_started(period=PERIOD, label=f"{k} started") for k, m in state_machines.items()]
                + [m.metric_succeeded(period=PERIOD, label=f"{k} succeeded") for k, m in state_machines.items()],
                right=[m.metric_failed(period=PERIOD, label=f"{k} failed") for k, m in state_machines.items()]
                + [m.metric_timed_out(period=PERIOD, label=f"{k} timed out") for k, m in state_machines.items()],
            ),
            cloudwatch.AlarmStatusWidget(title="Alarms", alarms=self.alarms),
        )
        CfnOutput(self, "AlarmTopicArn", value=self.topic.topic_arn)
