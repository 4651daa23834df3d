"""Data: the customer-managed key, one DynamoDB table per catalogue table, one bucket per catalogue bucket."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from infra import catalogue
from infra.stacks.nag import acknowledge


def pascal_case(key: str) -> str:
    return "".join(part.capitalize() for part in key.split("_"))


def _string_key(name: str) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=name, type=dynamodb.AttributeType.STRING)


def access_logs_bucket(scope: Construct, construct_id: str, **extra: Any) -> s3.Bucket:
    """Target of S3 (and CloudFront) access logs: S3-managed keys, as log delivery requires."""
    bucket = s3.Bucket(
        scope,
        construct_id,
        encryption=s3.BucketEncryption.S3_MANAGED,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        enforce_ssl=True,
        versioned=True,
        removal_policy=RemovalPolicy.RETAIN,
        lifecycle_rules=[
            s3.LifecycleRule(
                abort_incomplete_multipart_upload_after=Duration.days(1),
                expiration=Duration.days(400),
                noncurrent_version_expiration=Duration.days(30),
            )
        ],
        **extra,
    )
    acknowledge(
        bucket,
        "AwsSolutions-S1",
        "This is the access-log target; logging it to itself would loop.",
    )
    return bucket


class DataStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.key = kms.Key(
            self,
            "DataKey",
            description="Madoguchi data at rest: tables and resident files",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.tables: dict[str, dynamodb.Table] = {t.key: self._table(t) for t in catalogue.TABLES}
        for key, table in self.tables.items():  # operators seed and inspect tables by these names
            CfnOutput(self, f"{pascal_case(key)}TableName", value=table.table_name)
        self.access_logs = access_logs_bucket(self, "AccessLogs")
        self.buckets: dict[str, s3.Bucket] = {b.key: self._bucket(b) for b in catalogue.BUCKETS}
        self.secrets: dict[str, secretsmanager.Secret] = {s.key: self._secret(s) for s in catalogue.SECRETS}

    def _secret(self, spec: catalogue.Secret) -> secretsmanager.Secret:
        secret = secretsmanager.Secret(
            self,
            f"{pascal_case(spec.key)}Secret",
            description=f"{spec.description}. JSON fields: {', '.join(spec.fields)} (set after deploy)",
            encryption_key=self.key,
            removal_policy=RemovalPolicy.RETAIN,
        )
        acknowledge(
            secret,
            "AwsSolutions-SMG4",
            "A third party issues these credentials; they are rotated in its console and put here "
            "(docs/operations.md), which a rotation Lambda cannot do.",
        )
        CfnOutput(self, f"{pascal_case(spec.key)}SecretArn", value=secret.secret_arn)
        return secret

    def _table(self, spec: catalogue.Table) -> dynamodb.Table:
        table = dynamodb.Table(
            self,
            f"{pascal_case(spec.key)}Table",
            partition_key=_string_key(spec.pk),
            sort_key=_string_key(spec.sk) if spec.sk else None,
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
            encryption_key=self.key,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            deletion_protection=True,
            time_to_live_attribute=spec.ttl,
            stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES if spec.stream else None,
            removal_policy=RemovalPolicy.RETAIN,
        )
        for index in spec.indexes:
            table.add_global_secondary_index(
                index_name=index.name,
                partition_key=_string_key(index.pk),
                sort_key=_string_key(index.sk) if index.sk else None,
                projection_type=dynamodb.ProjectionType.ALL,
            )
        return table

    def _bucket(self, spec: catalogue.Bucket) -> s3.Bucket:
        return s3.Bucket(
            self,
            f"{pascal_case(spec.key)}Bucket",
            encryption=s3.BucketEncryption.KMS,
            encryption_key=self.key,
            bucket_key_enabled=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix=f"{spec.key}/",
            removal_policy=RemovalPolicy.RETAIN,
            lifecycle_rules=[
                s3.LifecycleRule(
                    abort_incomplete_multipart_upload_after=Duration.days(1),
                    noncurrent_version_expiration=Duration.days(30),
                ),
                *self._expiry_rules(spec),
            ],
            # Browsers post presigned uploads straight to the bucket from the site's origin. The policy signed by
            # the API (key, size, type, expiry) is what authorises an upload; CORS only lets the page see the reply.
            cors=[
                s3.CorsRule(
                    allowed_methods=[s3.HttpMethods.POST],
                    allowed_origins=["*"],
                    allowed_headers=["*"],
                    max_age=3000,
                )
            ]
            if spec.uploads_prefix
            else None,
        )

    @staticmethod
    def _expiry_rules(spec: catalogue.Bucket) -> list[s3.LifecycleRule]:
        """Raw uploads expire whatever happens to them; checked files expire while no submission refers to them."""
        rules = []
        if spec.uploads_prefix:
            rules.append(
                s3.LifecycleRule(
                    id="ExpireUploads",
                    prefix=spec.uploads_prefix,
                    expiration=Duration.days(spec.uploads_expire_days),
                    # The check deletes a raw upload once read; in a versioned bucket that leaves a noncurrent
                    # version: it goes after a day, not the bucket-wide 30 (issue 13: raw photos keep their EXIF).
                    noncurrent_version_expiration=Duration.days(1),
                )
            )
        if spec.unreferenced_tag:
            name, value = spec.unreferenced_tag
            rules.append(
                s3.LifecycleRule(
                    id="ExpireUnreferenced",
                    tag_filters={name: value},
                    expiration=Duration.days(spec.unreferenced_expire_days),
                )
            )
        return rules
