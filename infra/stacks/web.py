"""Web: the static front end in a private bucket behind CloudFront (Origin Access Control), and the API.

The pages call the API with same-origin paths (`/procedures`, `/me`, ...), as the local gateway serves them, so
the distribution routes the catalogue's API paths to API Gateway and everything else to the bucket.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import Aws, CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from aws_cdk import aws_ssm as ssm
from constructs import Construct, IConstruct

from infra import catalogue, openapi
from infra.stacks.auth import AuthStack
from infra.stacks.data import access_logs_bucket
from infra.stacks.nag import acknowledge
from infra.stacks.sign_in import SignInClients
from infra.stacks.sources import Sources


def content_security_policy() -> str:
    """Nothing is loaded from other origins (see DESIGN.md: no CDN at run time); the pages fetch only Cognito's
    discovery and keys (cognito-idp) and its token endpoint (the pools' managed-login domains)."""
    cognito = f"https://cognito-idp.{Aws.REGION}.amazonaws.com https://*.auth.{Aws.REGION}.amazoncognito.com"
    return (
        f"default-src 'self'; connect-src 'self' {cognito}; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
    )


# Viewer-request function of the bucket behaviour: S3 (with OAC) has a default object only at the root, so
# `/kiosk/` and `/kiosk` become `/kiosk/index.html`; a last segment with a dot (`/assets/app.js`) is a file.
DIRECTORY_INDEX_CODE = """\
function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri.endsWith('/')) {
    request.uri = uri + 'index.html';
  } else if (!uri.slice(uri.lastIndexOf('/') + 1).includes('.')) {
    request.uri = uri + '/index.html';
  }
  return request;
}
"""


def api_path_patterns() -> list[str]:
    """CloudFront path patterns of the API, one or two per first path segment of the catalogue's routes.

    `/health` stays exact; `/procedures/{procedureId}` gives `/procedures/?*`. The `?` keeps the bare
    directory (`/staff/`, the staff console's page) on the bucket while `/staff/tasks` goes to the API.
    """
    patterns: list[str] = []
    for route, _ in catalogue.routes():
        segments = route.path.strip("/").split("/")
        pattern = f"/{segments[0]}" if len(segments) == 1 else f"/{segments[0]}/?*"
        if pattern not in patterns:
            patterns.append(pattern)
    return patterns


class WebStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        sources: Sources,
        api: apigw.RestApi,
        auth: AuthStack,
        **kwargs: Any,
    ) -> None:
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
                    content_security_policy=content_security_policy(), override=True
                ),
            ),
        )
        self.directory_index = cloudfront.Function(
            self,
            "DirectoryIndex",
            comment="Serves index.html for directory paths of the site bucket",
            code=cloudfront.FunctionCode.from_inline(DIRECTORY_INDEX_CODE),
            runtime=cloudfront.FunctionRuntime.JS_2_0,
        )
        # The stage path (/v1) becomes the origin path: /procedures reaches the stage's /procedures.
        api_behavior = cloudfront.BehaviorOptions(
            origin=origins.RestApiOrigin(api),
            # No redirect: it would turn a POST into a GET without its body.
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
            allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
            cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
            # Authorization, query strings and Accept-Language reach the API; Host must be API Gateway's.
            origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
            response_headers_policy=headers,
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
                function_associations=[
                    cloudfront.FunctionAssociation(
                        function=self.directory_index, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST
                    )
                ],
            ),
            additional_behaviors={pattern: api_behavior for pattern in api_path_patterns()},
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
            "origins are a private bucket of static files and the API, whose stage is throttled and whose "
            "signed-in routes are behind the Cognito authorizer.",
        )
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR4",
            "The default *.cloudfront.net certificate forces the TLSv1 policy; a city domain with an "
            "ACM certificate and TLSv1.2_2021 is set at deployment.",
        )
        # The site's one public address: a city's own domain (cdk.json context `site_url`, e.g.
        # "https://madoguchi.city.example.jp") or else the distribution's.
        context_site_url = self.node.try_get_context("site_url")
        self.site_url = (
            str(context_site_url).rstrip("/")
            if context_site_url
            else f"https://{self.distribution.distribution_domain_name}"
        )
        # Read at cold start by every function that builds links (catalogue `builds_links`; decisions.md): a
        # cross-stack value cannot reach them, since this stack already depends on the API's.
        self.site_url_parameter = ssm.StringParameter(
            self,
            "SiteUrlParameter",
            parameter_name=catalogue.SITE_URL_PARAMETER,
            string_value=self.site_url,
            description="The site's public address: links in e-mails, QR codes, LINE and Stripe return URLs",
        )
        self.sign_in = SignInClients(self, "SignIn", auth=auth, site_url=self.site_url)
        for role, client in self.sign_in.clients.items():
            CfnOutput(self, f"{role.capitalize()}ClientId", value=client.user_pool_client_id)
        # web/dist exists only after `npm run build`; without it the stack still synthesises (for `make
        # synth` and tests) and deploys an empty site.
        if (sources.web_dist / "index.html").is_file():
            self._deploy_site(sources)
        CfnOutput(self, "WebUrl", value=self.site_url)

    def web_config(self) -> dict[str, Any]:
        """The pages' configuration (GET /config.json), from the stacks at deploy time; the local gateway serves
        the same shape from the local provider."""
        return {"auth": self.sign_in.web_config(), "siteUrl": self.site_url}

    def _deploy_site(self, sources: Sources) -> None:
        s3deploy.BucketDeployment(
            self,
            "SiteDeployment",
            sources=[
                s3deploy.Source.asset(str(sources.web_dist)),
                # Served from the bucket at /openapi.json, where the local gateway serves it too.
                s3deploy.Source.json_data("openapi.json", openapi.from_handlers()),
                # The pages' configuration: authorities and client ids resolved by CloudFormation at deploy time.
                s3deploy.Source.json_data("config.json", self.web_config()),
            ],
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
