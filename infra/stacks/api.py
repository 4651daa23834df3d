"""Api: the two layers, one function per catalogue function and a REST API with one method per route (methods
in nested stacks by first path segment: infra/stacks/routes.py)."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk import ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as events_targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as lambda_sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra import catalogue
from infra.stacks.auth import AuthStack
from infra.stacks.data import DataStack, pascal_case
from infra.stacks.lambdas import ASSET_EXCLUDE, RUNTIME, python_function
from infra.stacks.nag import acknowledge
from infra.stacks.routes import RoutesStack, routes_stack_id, segments
from infra.stacks.sources import Sources
from infra.stacks.waf import api_web_acl
from madoguchi.shared.i18n import message

API_FUNCTIONS = tuple(fn for fn in catalogue.FUNCTIONS if not fn.cognito_trigger)
PARENT_SEGMENT = "health"  # the one first path segment whose methods stay in the API stack itself

# Stage-wide limits (requests per second, burst), and lower ones on the routes anyone can hammer: what residents
# create (holds, applications, tickets, chat) and the public write endpoints. Staff routes keep the stage's.
STAGE_THROTTLE = (100, 200)
ROUTE_THROTTLES: dict[tuple[str, str], tuple[int, int]] = {
    ("POST", "/reservations"): (20, 40),
    ("POST", "/lottery/applications"): (10, 20),
    ("POST", "/applications"): (10, 20),
    ("POST", "/applications/{applicationId}/attachments"): (10, 20),
    ("POST", "/cases"): (10, 20),
    ("POST", "/queues/{counterId}/tickets"): (20, 40),
    ("POST", "/tickets/{ticketId}/notifications"): (10, 20),
    ("POST", "/faq/chat"): (10, 20),
    ("POST", "/guide/checklist"): (20, 40),
    ("POST", "/devices/enrol"): (2, 5),  # a code is typed once per machine: slow guessing down further
    ("POST", "/devices/token"): (10, 20),
    # certificates are checked one at a time by a clerk holding the paper: slow down trying numbers and codes
    ("GET", "/certificates/{issueNumber}"): (2, 5),
    ("POST", "/guide/checklist.ics"): (20, 40),
    ("POST", "/line/webhook"): (20, 40),
    ("POST", "/payments/stripe/webhook"): (20, 40),
}
# Reserved concurrency: a flood on one context cannot take every execution of the account from the others (the
# queue and bookings must keep working on a busy morning). Accounts whose concurrency quota is still the new-
# account default cannot reserve: deploy with `-c reserved_concurrency=false` until the quota is raised.
RESERVED_CONCURRENCY: dict[str, int] = {"queue": 20, "reservations": 20, "applications": 10, "faq": 10}

TABLE_READ = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:ConditionCheckItem"]
TABLE_WRITE = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"]
KEY_READ = ["kms:Decrypt", "kms:DescribeKey"]
KEY_WRITE = ["kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom", "kms:ReEncryptTo"]
OBJECT_READ = ["s3:GetObject"]
# What the devices function does to the device pool's users, and nothing else (no list, no delete, no other pool).
DEVICE_POOL_ADMIN = [
    "cognito-idp:AdminCreateUser",
    "cognito-idp:AdminSetUserPassword",
    "cognito-idp:AdminInitiateAuth",
    "cognito-idp:AdminUserGlobalSignOut",
    "cognito-idp:AdminDisableUser",
]
OBJECT_WRITE = ["s3:PutObject", "s3:PutObjectTagging", "s3:DeleteObject"]


class ApiStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        data: DataStack,
        auth: AuthStack,
        sources: Sources,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self._data = data
        self._auth = auth
        layers = [
            lambda_.LayerVersion(
                self,
                "MadoguchiLayer",
                code=lambda_.Code.from_asset(str(sources.madoguchi_layer), exclude=ASSET_EXCLUDE),
                compatible_runtimes=[RUNTIME],
                compatible_architectures=[lambda_.Architecture.ARM_64],
                description="The madoguchi package: models, logic, ports and adapters",
            ),
            lambda_.LayerVersion(
                self,
                "DependenciesLayer",
                code=lambda_.Code.from_asset(str(sources.deps_layer), exclude=ASSET_EXCLUDE),
                compatible_runtimes=[RUNTIME],
                compatible_architectures=[lambda_.Architecture.ARM_64],
                description="Third-party dependencies from layers/requirements.lock (boto3 from the runtime)",
            ),
        ]
        self.functions: dict[str, lambda_.Function] = {
            fn.name: python_function(
                self,
                f"{pascal_case(fn.name)}Function",
                fn=fn,
                code_dir=sources.function_dir(fn),
                environment=self._environment(fn),
                layers=layers,
                statements=self._statements(fn),
            )
            for fn in API_FUNCTIONS
        }
        if str(self.node.try_get_context("reserved_concurrency")).lower() != "false":
            for name, executions in RESERVED_CONCURRENCY.items():
                cfn = self.functions[name].node.default_child
                assert isinstance(cfn, lambda_.CfnFunction)
                cfn.reserved_concurrent_executions = executions
        for fn in API_FUNCTIONS:
            if fn.schedule:
                events.Rule(
                    self,
                    f"{pascal_case(fn.name)}Schedule",
                    description=f"Runs {fn.name} on {fn.schedule} (UTC)",
                    schedule=events.Schedule.expression(fn.schedule),
                    targets=[events_targets.LambdaFunction(self.functions[fn.name], retry_attempts=2)],
                )
        self.stream_failures: dict[str, sqs.Queue] = {}
        for fn in API_FUNCTIONS:
            for key in fn.s3_events:
                self._s3_events(fn, key)
            for key in fn.streams:
                self._stream(fn, key)
            if fn.buckets:
                role = self.functions[fn.name].role
                if role is None:
                    raise ValueError(f"{fn.name} has no role to acknowledge its bucket grants on")
                for key, _ in fn.buckets:
                    # The finding names the bucket by the export the data stack makes of its ARN.
                    export = self.resolve(self._data.export_value(self._data.buckets[key].bucket_arn))
                    acknowledge(
                        role,
                        f"AwsSolutions-IAM5[Resource::{export['Fn::ImportValue']}/*]",
                        "Object keys are made per application (uploads/<application>/<file>, files/...): the grant "
                        "covers the objects of this one bucket, which the catalogue lists for the function.",
                    )
        self.api = self._rest_api(auth)

    def _stream(self, fn: catalogue.Function, key: str) -> None:
        """New items of the table's stream invoke the function in batches (the outbox's consumers). A failing record
        is retried from itself (ReportBatchItemFailures; the batch bisected on errors) STREAM_RETRY_ATTEMPTS times;
        then where the batch is goes to the function's on-failure queue, kept 14 days and alarmed on, for
        `python -m infra.redrive` (docs/operations.md). Consumers count each event id once, so retries are safe."""
        failures = self.stream_failures.get(fn.name)
        if failures is None:
            failures = sqs.Queue(
                self,
                f"{pascal_case(fn.name)}StreamFailures",
                retention_period=Duration.days(14),
                encryption=sqs.QueueEncryption.SQS_MANAGED,
                enforce_ssl=True,
            )
            acknowledge(
                failures,
                "AwsSolutions-SQS3",
                "This queue is itself the on-failure destination of a stream consumer; it holds batch positions for "
                "an operator's redrive, and an alarm fires on its first message.",
            )
            self.stream_failures[fn.name] = failures
        self.functions[fn.name].add_event_source(
            lambda_sources.DynamoEventSource(
                self._data.tables[key],
                starting_position=lambda_.StartingPosition.TRIM_HORIZON,
                batch_size=catalogue.STREAM_BATCH_SIZE,
                retry_attempts=catalogue.STREAM_RETRY_ATTEMPTS,
                bisect_batch_on_error=True,
                report_batch_item_failures=True,
                max_record_age=Duration.seconds(catalogue.STREAM_MAX_RECORD_AGE_S),
                on_failure=lambda_sources.SqsDlq(failures),
                # New items only: a TTL expiry or an event written again is no new event (locally the same filter)
                filters=[lambda_.FilterCriteria.filter({"eventName": lambda_.FilterRule.is_equal("INSERT")})],
            )
        )
        role = self.functions[fn.name].role
        if role is not None:
            acknowledge(
                role,
                "AwsSolutions-IAM5[Resource::*]",
                "dynamodb:ListStreams, which the stream's event source mapping needs, has no resource-level "
                "permission; reading records is granted on this one stream only.",
            )

    def _s3_events(self, fn: catalogue.Function, key: str) -> None:
        """Object-created events under the bucket's uploads prefix invoke the function (S3 event, Records[]).

        The bucket lives in the data stack; its notification is configured from here (CDK's custom resource on an
        imported bucket), so the data stack does not depend on this one.
        """
        spec = catalogue.bucket(key)
        owned = self._data.buckets[key]
        bucket = s3.Bucket.from_bucket_attributes(
            self, f"{pascal_case(key)}BucketEvents", bucket_arn=owned.bucket_arn, bucket_name=owned.bucket_name
        )
        filters = [s3.NotificationKeyFilter(prefix=spec.uploads_prefix)] if spec.uploads_prefix else []
        bucket.add_event_notification(
            s3.EventType.OBJECT_CREATED, s3n.LambdaDestination(self.functions[fn.name]), *filters
        )
        handler = self.node.try_find_child("BucketNotificationsHandler050a0587b7544547bf325f094a3db834")
        if handler is not None:
            acknowledge(
                handler,
                "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                "AWSLambdaBasicExecutionRole]",
                "CDK's own handler that sets the bucket notification at deploy time; it only writes its logs.",
            )

    def _environment(self, fn: catalogue.Function) -> dict[str, str]:
        env = catalogue.environment(fn)
        if fn.builds_links:
            # Links in e-mails, QR codes, LINE messages and Stripe return URLs come from the deployment, never from
            # a request header: the web stack's parameter (the distribution's address, or `-c site_url`), read at
            # cold start; with `-c site_url` the value is also passed directly and no read is needed.
            env["SITE_URL_PARAMETER"] = catalogue.SITE_URL_PARAMETER
            site_url = self.node.try_get_context("site_url")
            if site_url:
                env["SITE_URL"] = str(site_url).rstrip("/")
        for key, _ in fn.tables:
            env[catalogue.table(key).env] = self._data.tables[key].table_name
        for key, _ in fn.buckets:
            env[catalogue.bucket(key).env] = self._data.buckets[key].bucket_name
        for key in dict.fromkeys(catalogue.deployed(fn.starts + fn.answers)):
            env[catalogue.workflow(key).env] = self._state_machine_arn(key)
        for key in fn.secrets:
            env[catalogue.secret(key).env] = self._data.secrets[key].secret_arn
        if fn.device_identities:
            env["DEVICE_USER_POOL_ID"] = self._auth.devices.user_pool_id
            env["DEVICE_CLIENT_ID"] = self._auth.device_enrolment.user_pool_client_id
        return env

    @property
    def site_url_parameter_arn(self) -> str:
        # By name: the web stack that writes it depends on this stack (the distribution's origin is the API).
        return self.format_arn(
            service="ssm", resource="parameter", resource_name=catalogue.SITE_URL_PARAMETER.lstrip("/")
        )

    def _state_machine_arn(self, key: str) -> str:
        # Built from the fixed name (infra/stacks/workflows.py): the workflows stack depends on this one.
        return self.format_arn(
            service="states",
            resource="stateMachine",
            resource_name=catalogue.workflow(key).state_machine_name,
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )

    def _statements(self, fn: catalogue.Function) -> list[iam.PolicyStatement]:
        """Exactly the tables, indexes and buckets the catalogue lists, and the data key."""
        statements: list[iam.PolicyStatement] = []
        writes = False
        for key, access in fn.tables:
            table = self._data.tables[key]
            resources = [table.table_arn] + [
                f"{table.table_arn}/index/{index.name}" for index in catalogue.table(key).indexes
            ]
            actions = TABLE_READ + (TABLE_WRITE if access == "write" else [])
            statements.append(iam.PolicyStatement(actions=actions, resources=resources))
            writes = writes or access == "write"
        for key, access in fn.buckets:
            bucket = self._data.buckets[key]
            actions = OBJECT_READ + (OBJECT_WRITE if access == "write" else [])
            statements.append(iam.PolicyStatement(actions=actions, resources=[bucket.arn_for_objects("*")]))
            writes = writes or access == "write"
        if catalogue.deployed(fn.starts):
            arns = [self._state_machine_arn(key) for key in catalogue.deployed(fn.starts)]
            statements.append(iam.PolicyStatement(actions=["states:StartExecution"], resources=arns))
        if catalogue.deployed(fn.answers):
            arns = [self._state_machine_arn(key) for key in catalogue.deployed(fn.answers)]
            statements.append(
                iam.PolicyStatement(actions=["states:SendTaskSuccess", "states:SendTaskFailure"], resources=arns)
            )
        if fn.sends_mail:
            domain = catalogue.MAIL_FROM.split("@", 1)[1]
            statements.append(
                iam.PolicyStatement(
                    actions=["ses:SendEmail"],
                    resources=[
                        self.format_arn(service="ses", resource="identity", resource_name=domain),
                        self.format_arn(service="ses", resource="identity", resource_name=catalogue.MAIL_FROM),
                    ],
                )
            )
        if fn.builds_links:
            statements.append(
                iam.PolicyStatement(actions=["ssm:GetParameter"], resources=[self.site_url_parameter_arn])
            )
        if fn.device_identities:
            statements.append(
                iam.PolicyStatement(actions=DEVICE_POOL_ADMIN, resources=[self._auth.devices.user_pool_arn])
            )
        if fn.secrets:
            arns = [self._data.secrets[key].secret_arn for key in fn.secrets]
            statements.append(iam.PolicyStatement(actions=["secretsmanager:GetSecretValue"], resources=arns))
        if fn.tables or fn.buckets or fn.secrets:
            actions = KEY_READ + (KEY_WRITE if writes else [])
            statements.append(iam.PolicyStatement(actions=actions, resources=[self._data.key.key_arn]))
        return statements

    @staticmethod
    def _gateway_responses(api: apigw.RestApi) -> None:
        """API Gateway's own refusals (authorizer, unknown route, throttling) in the API's one error body.

        They cannot negotiate a language, so the message carries Japanese and English.
        """
        refusals = {
            "unauthorized": (apigw.ResponseType.UNAUTHORIZED, "401"),
            "forbidden": (apigw.ResponseType.ACCESS_DENIED, "403"),
            "not_found": (apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN, "404"),  # API Gateway's unknown route
            "too_many_requests": (apigw.ResponseType.THROTTLED, "429"),
            "bad_request": (apigw.ResponseType.DEFAULT_4_XX, None),
            "internal_error": (apigw.ResponseType.DEFAULT_5_XX, None),
        }
        for code, (response_type, status) in refusals.items():
            body = {"code": code, "message": f"{message(code, 'ja')} / {message(code, 'en')}", "detail": []}
            api.add_gateway_response(
                f"{pascal_case(code)}Response",
                type=response_type,
                status_code=status,
                templates={"application/json": json.dumps(body, ensure_ascii=False)},
            )

    def _rest_api(self, auth: AuthStack) -> apigw.RestApi:
        """The REST API, its authorizer, validator, stage and /health here; every other first path segment's
        methods in a nested stack of its own (infra/stacks/routes.py), so the route count cannot push a stack
        past CloudFormation's 500 resources."""
        access_logs = logs.LogGroup(
            self, "AccessLogs", retention=logs.RetentionDays.ONE_YEAR, removal_policy=RemovalPolicy.RETAIN
        )
        api = apigw.RestApi(
            self,
            "RestApi",
            description="Madoguchi API",
            endpoint_types=[apigw.EndpointType.REGIONAL],
            # Receipts (領収書) are PDFs: the Lambda answers base64, API Gateway sends the bytes.
            binary_media_types=["application/pdf"],
            cloud_watch_role=True,
            cloud_watch_role_removal_policy=RemovalPolicy.RETAIN,
            deploy=False,  # the deployment below also waits for the nested stacks' methods
        )
        self._gateway_responses(api)
        validator = api.add_request_validator(
            "RequestValidator", validate_request_body=True, validate_request_parameters=True
        )
        authorizer = apigw.CfnAuthorizer(
            self,
            "TokenAuthorizer",
            rest_api_id=api.rest_api_id,
            name="TokenAuthorizer",
            type="COGNITO_USER_POOLS",
            identity_source="method.request.header.Authorization",
            provider_arns=[pool.user_pool_arn for pool in auth.pools],
        )
        self.route_stacks: dict[str, RoutesStack] = {}
        self.methods: dict[tuple[str, str], apigw.Method] = {}
        for segment, routes in segments().items():
            if segment == PARENT_SEGMENT:
                # A RestApi must hold at least one method in its own stack (CDK validates it): the health check.
                for route, fn in routes:
                    method = api.root.resource_for_path(route.path.lstrip("/")).add_method(
                        route.method,
                        apigw.LambdaIntegration(self.functions[fn.name], allow_test_invoke=False),
                        authorization_type=apigw.AuthorizationType.NONE,
                        request_validator=validator,
                    )
                    for rule in ("AwsSolutions-APIG4", "AwsSolutions-COG4"):
                        acknowledge(method, rule, "Public route by design (catalogue authenticated=False).")
                    self.methods[(route.path, route.method)] = method
                continue
            stack = RoutesStack(
                self,
                routes_stack_id(segment),
                rest_api_id=api.rest_api_id,
                root_resource_id=api.rest_api_root_resource_id,
                routes=routes,
                functions=dict(self.functions),
                authorizer_id=authorizer.ref,
                validator_id=validator.request_validator_id,
                description=f"Madoguchi API routes under /{segment}",
            )
            self.route_stacks[segment] = stack
            self.methods.update(stack.methods)
        deployment = apigw.Deployment(self, "Deployment", api=api, description="Madoguchi API")
        # A new deployment whenever a route or its authorization changes (the methods live in other stacks).
        deployment.add_to_logical_id([f"{r.method} {r.path} {r.authenticated} {f.name}" for r, f in catalogue.routes()])
        for stack in self.route_stacks.values():
            deployment.node.add_dependency(stack)
        stage = apigw.Stage(
            self,
            "Stage",
            deployment=deployment,
            stage_name="v1",
            throttling_rate_limit=STAGE_THROTTLE[0],
            throttling_burst_limit=STAGE_THROTTLE[1],
            method_options={
                f"{path}/{method}": apigw.MethodDeploymentOptions(
                    throttling_rate_limit=rate,
                    throttling_burst_limit=burst,
                    # a method's own settings are whole: repeat the stage's logging and metrics
                    logging_level=apigw.MethodLoggingLevel.ERROR,
                    data_trace_enabled=False,
                    metrics_enabled=True,
                )
                for (method, path), (rate, burst) in ROUTE_THROTTLES.items()
            },
            access_log_destination=apigw.LogGroupLogDestination(access_logs),
            access_log_format=apigw.AccessLogFormat.json_with_standard_fields(
                caller=False,
                http_method=True,
                ip=True,
                protocol=True,
                request_time=True,
                resource_path=True,
                response_length=True,
                status=True,
                user=True,
            ),
            logging_level=apigw.MethodLoggingLevel.ERROR,
            data_trace_enabled=False,  # full request logs would hold personal data
            metrics_enabled=True,
        )
        api.deployment_stage = stage
        acknowledge(
            api,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AmazonAPIGatewayPushToCloudWatchLogs]",
            "The account-wide API Gateway logging role; AWS's managed policy is the documented one.",
        )
        # Rate limits per client and AWS's managed rules in front of the stage (infra/stacks/waf.py).
        office_cidrs = self.node.try_get_context("office_cidrs") or []
        if isinstance(office_cidrs, str):  # -c office_cidrs=203.0.113.0/24,198.51.100.7/32
            office_cidrs = [c.strip() for c in office_cidrs.split(",") if c.strip()]
        self.web_acl = api_web_acl(self, stage.stage_arn, list(office_cidrs))
        CfnOutput(self, "ApiUrl", value=api.url)
        return api
