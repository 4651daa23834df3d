"""The API's web ACL (AWS WAF, regional, on the API Gateway stage): rate-based rules per client and the AWS
managed rules for known bad inputs and addresses with a bad reputation (issue 13, flaw 6; decisions.md 77).

It sits in front of the stage's and routes' throttles (which protect the whole API) and of the per-account limits
in the handlers (holds, open reservations, writes per minute), and stops one client flooding from many accounts or
none. Residents reach the API through CloudFront, so the client is the first address of `X-Forwarded-For`
(CloudFront appends the viewer's); direct callers are limited by their own address too. The city's own networks
(the city hall's NAT, where every clerk and kiosk shares one address) are exempt: `-c office_cidrs=…`.
Signature-checked webhooks (Stripe, LINE) are exempt: their senders retry and burst by design.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import aws_wafv2 as waf
from constructs import Construct

# Requests per client per 5 minutes (WAF's window): well above what one resident, phone, kiosk or ticket machine
# sends at the city's busiest hour (docs/benchmarks.md: a phone polls every 10 s = 30; a ticket machine issues
# fewer than 100), and far below a flood. Over it: 429 until the client's rate falls.
WRITES_PER_CLIENT = 300
REQUESTS_PER_CLIENT = 3000
# One address calling the API directly (not through CloudFront), or one CloudFront edge address carrying many
# residents: higher, so edges never block a city's crowd, still under the stage's own 100 requests per second.
REQUESTS_PER_ADDRESS = 20000
WEBHOOK_PATHS = ("/payments/stripe/webhook", "/line/webhook")
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def _visibility(name: str) -> waf.CfnWebACL.VisibilityConfigProperty:
    return waf.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=f"Madoguchi{name}", sampled_requests_enabled=True
    )


def _not(statement: dict[str, Any]) -> dict[str, Any]:
    return {"notStatement": {"statement": statement}}


def _path_is(path: str) -> dict[str, Any]:
    return {
        "byteMatchStatement": {
            "fieldToMatch": {"uriPath": {}},
            "positionalConstraint": "ENDS_WITH",  # the stage name precedes the route
            "searchString": path,
            "textTransformations": [{"priority": 0, "type": "NONE"}],
        }
    }


def _method_in(methods: tuple[str, ...]) -> dict[str, Any]:
    matches = [
        {
            "byteMatchStatement": {
                "fieldToMatch": {"method": {}},
                "positionalConstraint": "EXACTLY",
                "searchString": method,
                "textTransformations": [{"priority": 0, "type": "NONE"}],
            }
        }
        for method in methods
    ]
    return {"orStatement": {"statements": matches}}


def _rate_rule(
    name: str, priority: int, limit: int, aggregate: str, scope: dict[str, Any]
) -> waf.CfnWebACL.RuleProperty:
    statement: dict[str, Any] = {"limit": limit, "aggregateKeyType": aggregate, "scopeDownStatement": scope}
    if aggregate == "FORWARDED_IP":
        # No header (a direct caller): the rule does not apply, the per-address rule does.
        statement["forwardedIpConfig"] = {"headerName": "X-Forwarded-For", "fallbackBehavior": "NO_MATCH"}
    return waf.CfnWebACL.RuleProperty(
        name=name,
        priority=priority,
        statement={"rateBasedStatement": statement},
        action=waf.CfnWebACL.RuleActionProperty(
            block=waf.CfnWebACL.BlockActionProperty(
                custom_response=waf.CfnWebACL.CustomResponseProperty(
                    response_code=429, custom_response_body_key="too_many_requests"
                )
            )
        ),
        visibility_config=_visibility(name),
    )


def _managed(name: str, priority: int) -> waf.CfnWebACL.RuleProperty:
    return waf.CfnWebACL.RuleProperty(
        name=name,
        priority=priority,
        statement={"managedRuleGroupStatement": {"vendorName": "AWS", "name": name}},
        override_action=waf.CfnWebACL.OverrideActionProperty(none={}),
        visibility_config=_visibility(name),
    )


def api_web_acl(scope: Construct, stage_arn: str, office_cidrs: list[str]) -> waf.CfnWebACL:
    """The web ACL, associated with the stage whose ARN is given."""
    offices = waf.CfnIPSet(
        scope,
        "OfficeAddresses",
        scope="REGIONAL",
        ip_address_version="IPV4",
        addresses=office_cidrs,
        description="City networks - city hall NAT, kiosk and ticket machine lines - not rate-limited",
    )
    exempt = [
        *(_not(_path_is(path)) for path in WEBHOOK_PATHS),
        _not({"ipSetReferenceStatement": {"arn": offices.attr_arn}}),
    ]
    counted = {"andStatement": {"statements": exempt}}
    writes = {"andStatement": {"statements": [*exempt, _method_in(WRITE_METHODS)]}}
    acl = waf.CfnWebACL(
        scope,
        "ApiWebAcl",
        scope="REGIONAL",
        default_action=waf.CfnWebACL.DefaultActionProperty(allow={}),
        description="Madoguchi API: rate limits per client and AWS managed rules",
        custom_response_bodies={
            "too_many_requests": waf.CfnWebACL.CustomResponseBodyProperty(
                content_type="APPLICATION_JSON",
                content='{"code":"too_many_requests","message":"Too many requests. Please wait a few minutes."}',
            )
        },
        rules=[
            _managed("AWSManagedRulesAmazonIpReputationList", 0),
            _managed("AWSManagedRulesKnownBadInputsRuleSet", 1),
            _rate_rule("WritesPerClient", 2, WRITES_PER_CLIENT, "FORWARDED_IP", writes),
            _rate_rule("RequestsPerClient", 3, REQUESTS_PER_CLIENT, "FORWARDED_IP", counted),
            _rate_rule("RequestsPerAddress", 4, REQUESTS_PER_ADDRESS, "IP", counted),
        ],
        visibility_config=_visibility("ApiWebAcl"),
    )
    waf.CfnWebACLAssociation(scope, "ApiWebAclAssociation", resource_arn=stage_arn, web_acl_arn=acl.attr_arn)
    return acl
