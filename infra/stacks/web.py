"""Web: the static front end in a private bucket behind CloudFront (Origin Access Control)."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct, IConstruct

from infra.stacks.data import access_logs_bucket
from infra.stacks.nag import acknowledge
from infra.stacks.sources import Sources

# Nothing is loaded from other origins (see DESIGN.md: no CDN at run time).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)


class WebStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, sources: Sources, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        # CloudFront standard logs are written with ACLs, so this log bucket keeps them enabled.
        logs = access_logs_bucket(self, "AccessLogs", object_ownership=s3.ObjectOwnership.OBJECT_WRITER)
        self.site_bucket = s3.Bucket(
            self,
            "SiteBucket",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            server_access_logs_bucket=logs,
            server_access_logs_prefix="site/",
            removal_policy=RemovalPolicy.RETAIN,
            lifecycle_rules=[
                s3.LifecycleRule(
                    abort_incomplete_multipart_upload_after=Duration.days(1),
                    noncurrent_version_expiration=Duration.days(30),
                )
            ],
        )
        headers = cloudfront.ResponseHeadersPolicy(
            self,
            "SecurityHeaders",
            comment="Madoguchi web security headers",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.days(365), include_subdomains=True, override=True
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True
                ),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
                    override=True,
                ),
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=CONTENT_SECURITY_POLICY, override=True
                ),
            ),
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="Madoguchi web",
            default_root_object="index.html",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.site_bucket),
                # Content only over HTTPS; plain HTTP gets a redirect, not a page.
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                response_headers_policy=headers,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
            ),
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            price_class=cloudfront.PriceClass.PRICE_CLASS_200,  # includes edge locations in Japan
            enable_logging=True,
            log_bucket=logs,
            log_file_prefix="cloudfront/",
        )
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR1",
            "No geo restriction: residents abroad (moving in, overseas family) must reach the city.",
        )
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR2",
            "A WAF web ACL (us-east-1, billed per rule) is the city's choice at deployment; the "
            "origin is a private bucket of static files.",
        )
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR4",
            "The default *.cloudfront.net certificate forces the TLSv1 policy; a city domain with an "
            "ACM certificate and TLSv1.2_2021 is set at deployment.",
        )
        # web/dist exists only after `npm run build`; without it the stack still synthesises (for `make
        # synth` and tests) and deploys an empty site.
        if (sources.web_dist / "index.html").is_file():
            self._deploy_site(sources)
        CfnOutput(self, "WebUrl", value=f"https://{self.distribution.distribution_domain_name}")

    def _deploy_site(self, sources: Sources) -> None:
        s3deploy.BucketDeployment(
            self,
            "SiteDeployment",
            sources=[s3deploy.Source.asset(str(sources.web_dist))],
            destination_bucket=self.site_bucket,
            distribution=self.distribution,
            distribution_paths=["/*"],
            memory_limit=512,
        )
        for child in self.node.children:
            if child.node.id.startswith("Custom::CDKBucketDeployment"):
                self._acknowledge_bucket_deployment_handler(child)

    def _acknowledge_bucket_deployment_handler(self, handler: IConstruct) -> None:
        reason = (
            "CDK's BucketDeployment singleton handler: its role, policy (asset bucket read, site bucket "
            "sync, CloudFront invalidation) and runtime are managed by CDK."
        )
        site_bucket = self.get_logical_id(self.site_bucket.node.default_child)  # type: ignore[arg-type]
        findings = [
            "IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
            "L1",
            "IAM5[Action::s3:GetBucket*]",
            "IAM5[Action::s3:GetObject*]",
            "IAM5[Action::s3:List*]",
            "IAM5[Action::s3:Abort*]",
            "IAM5[Action::s3:DeleteObject*]",
            "IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]",
            f"IAM5[Resource::<{site_bucket}.Arn>/*]",
            "IAM5[Resource::*]",
        ]
        for finding in findings:
            acknowledge(handler, f"AwsSolutions-{finding}", reason)
