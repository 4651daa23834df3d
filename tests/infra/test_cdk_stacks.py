"""The synthesised stacks match the catalogue: tables, functions, routes, workflows and buckets."""

from __future__ import annotations

import fnmatch
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import Stack
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk.assertions import Match, Template

from infra import catalogue
from infra.app import Madoguchi
from infra.stacks.api import API_FUNCTIONS
from infra.stacks.auth import TOKEN_CLAIMS
from infra.stacks.web import api_path_patterns
from madoguchi.cases.life_events import life_events
from madoguchi.shared.departments import DEPARTMENTS


def _logical_id(construct: Any) -> str:
    return Stack.of(construct).get_logical_id(construct.node.default_child)


def _resource(template: Template, logical_id: str) -> dict[str, Any]:
    return template.to_json()["Resources"][logical_id]


@pytest.fixture(scope="module")
def data(madoguchi: Madoguchi) -> Template:
    return Template.from_stack(madoguchi.data)


@pytest.fixture(scope="module")
def api(madoguchi: Madoguchi) -> Template:
    return Template.from_stack(madoguchi.api)


@pytest.fixture(scope="module")
def auth(madoguchi: Madoguchi) -> Template:
    return Template.from_stack(madoguchi.auth)


@pytest.mark.parametrize("spec", catalogue.TABLES, ids=lambda t: t.key)
def test_each_table_matches_the_catalogue(madoguchi: Madoguchi, data: Template, spec: catalogue.Table):
    props = _resource(data, _logical_id(madoguchi.data.tables[spec.key]))["Properties"]
    key_schema = [{"AttributeName": spec.pk, "KeyType": "HASH"}]
    if spec.sk:
        key_schema.append({"AttributeName": spec.sk, "KeyType": "RANGE"})
    assert props["KeySchema"] == key_schema
    key_names = {spec.pk, spec.sk} | {n for i in spec.indexes for n in (i.pk, i.sk)}
    key_names.discard(None)
    assert {a["AttributeName"]: a["AttributeType"] for a in props["AttributeDefinitions"]} == {
        name: "S" for name in key_names
    }
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    indexes = {
        gsi["IndexName"]: (gsi["KeySchema"], gsi["Projection"]) for gsi in props.get("GlobalSecondaryIndexes", [])
    }
    assert indexes == {
        index.name: (
            [{"AttributeName": index.pk, "KeyType": "HASH"}]
            + ([{"AttributeName": index.sk, "KeyType": "RANGE"}] if index.sk else []),
            {"ProjectionType": "ALL"},
        )
        for index in spec.indexes
    }
    if spec.ttl:
        assert props["TimeToLiveSpecification"] == {"AttributeName": spec.ttl, "Enabled": True}
    else:
        assert "TimeToLiveSpecification" not in props
    if spec.stream:
        assert props["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    else:
        assert "StreamSpecification" not in props
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["DeletionProtectionEnabled"] is True
    assert props["SSESpecification"] == {
        "SSEEnabled": True,
        "SSEType": "KMS",
        "KMSMasterKeyId": {"Fn::GetAtt": [_logical_id(madoguchi.data.key), "Arn"]},
    }


def test_the_data_key_rotates(data: Template):
    data.has_resource_properties("AWS::KMS::Key", {"EnableKeyRotation": True})


def test_every_bucket_is_private_encrypted_and_tls_only(madoguchi: Madoguchi):
    for stack in madoguchi.stacks:
        template = Template.from_stack(stack)
        buckets = template.find_resources("AWS::S3::Bucket")
        for logical_id, bucket in buckets.items():
            props = bucket["Properties"]
            assert props["PublicAccessBlockConfiguration"] == {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            }, logical_id
            assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"], logical_id
            assert props["VersioningConfiguration"] == {"Status": "Enabled"}, logical_id
            assert any(
                rule.get("AbortIncompleteMultipartUpload") for rule in props["LifecycleConfiguration"]["Rules"]
            ), logical_id
        policies = template.find_resources("AWS::S3::BucketPolicy")
        tls_only = {
            p["Properties"]["Bucket"]["Ref"]
            for p in policies.values()
            if any(
                s["Effect"] == "Deny" and s.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}
                for s in p["Properties"]["PolicyDocument"]["Statement"]
            )
        }
        assert tls_only == set(buckets), stack.stack_name


@pytest.mark.parametrize("spec", catalogue.BUCKETS, ids=lambda b: b.key)
def test_catalogue_buckets_use_the_data_key_and_log_access(madoguchi: Madoguchi, data: Template, spec):
    props = _resource(data, _logical_id(madoguchi.data.buckets[spec.key]))["Properties"]
    encryption = props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert encryption["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert props["LoggingConfiguration"]["DestinationBucketName"] == {"Ref": _logical_id(madoguchi.data.access_logs)}


@pytest.mark.parametrize("fn", API_FUNCTIONS, ids=lambda f: f.name)
def test_each_function_is_built_as_the_catalogue_says(madoguchi: Madoguchi, api: Template, fn):
    function = madoguchi.api.functions[fn.name]
    props = _resource(api, _logical_id(function))["Properties"]
    assert props["Architectures"] == ["arm64"]
    assert props["Runtime"] == "python3.13"
    assert props["Handler"] == "handler.lambda_handler"
    assert props["MemorySize"] == fn.memory_mb
    assert props["Timeout"] == fn.timeout_s
    assert props["LoggingConfig"]["LogFormat"] == "JSON"
    layers = api.find_resources("AWS::Lambda::LayerVersion")
    assert len(layers) == 2
    assert sorted(layer["Ref"] for layer in props["Layers"]) == sorted(layers)
    variables = props["Environment"]["Variables"]
    expected = set(catalogue.environment(fn)) | {catalogue.table(k).env for k, _ in fn.tables}
    expected |= {catalogue.bucket(k).env for k, _ in fn.buckets}
    expected |= {catalogue.workflow(k).env for k in catalogue.deployed(fn.starts + fn.answers)}
    if fn.builds_links:  # links from the deployment's address, never from request headers
        expected |= {"SITE_URL_PARAMETER"}
    expected |= {catalogue.secret(k).env for k in fn.secrets}
    if fn.device_identities:  # the device pool and its enrolment client, from the auth stack
        expected |= {"DEVICE_USER_POOL_ID", "DEVICE_CLIENT_ID"}
    assert set(variables) == expected
    for name, value in catalogue.environment(fn).items():
        assert variables[name] == value
    log_group = props["LoggingConfig"]["LogGroup"]["Ref"]
    assert _resource(api, log_group)["Properties"]["RetentionInDays"] > 0


@pytest.mark.parametrize("fn", API_FUNCTIONS, ids=lambda f: f.name)
def test_each_function_role_reaches_only_its_catalogue_tables(madoguchi: Madoguchi, api: Template, fn):
    role = madoguchi.api.functions[fn.name].role
    assert role is not None
    role_props = _resource(api, Stack.of(role).get_logical_id(role.node.default_child))["Properties"]
    assert "ManagedPolicyArns" not in role_props
    policies = [
        p
        for p in api.find_resources("AWS::IAM::Policy").values()
        if {"Ref": Stack.of(role).get_logical_id(role.node.default_child)} in p["Properties"]["Roles"]
    ]
    document = json.dumps([p["Properties"]["PolicyDocument"] for p in policies])
    for key in (t.key for t in catalogue.TABLES):
        table_id = _logical_id(madoguchi.data.tables[key])
        assert (table_id in document) == (key in dict(fn.tables) or key in fn.streams), key
    writes = [a for a in ("dynamodb:PutItem", "dynamodb:UpdateItem") if a in document]
    assert bool(writes) == any(access == "write" for _, access in fn.tables)
    assert "dynamodb:Scan" not in document
    # ListStreams has no resource-level permission: Lambda's event source mapping needs it on "*"
    list_streams = '{"Action": "dynamodb:ListStreams", "Effect": "Allow", "Resource": "*"}'
    assert (list_streams in document) == bool(fn.streams)
    assert '"*"' not in document.replace(list_streams, "")


def test_one_method_per_catalogue_route_with_the_authorizer_exactly_on_authenticated_ones(
    madoguchi: Madoguchi, api: Template
):
    routes = catalogue.routes()
    assert len(madoguchi.api.methods) == len(routes)
    templates: dict[str, dict[str, Any]] = {}
    for route, fn in routes:
        construct = madoguchi.api.methods[(route.path, route.method)]
        stack = Stack.of(construct)
        template = templates.setdefault(stack.node.path, Template.from_stack(stack).to_json())
        method = template["Resources"][_logical_id(construct)]["Properties"]
        assert method["HttpMethod"] == route.method
        assert method["Integration"]["Type"] == "AWS_PROXY"
        uri = json.dumps(method["Integration"]["Uri"])
        if stack is not madoguchi.api:  # the function's ARN arrives as a parameter from the API stack
            nested = api.to_json()["Resources"][madoguchi.api.get_logical_id(stack.nested_stack_resource)]
            for name, value in nested["Properties"]["Parameters"].items():
                uri = uri.replace(json.dumps({"Ref": name}), json.dumps(value))
        assert _logical_id(madoguchi.api.functions[fn.name]) in uri
        if route.authenticated:
            assert method["AuthorizationType"] == "COGNITO_USER_POOLS", route
            assert "AuthorizerId" in method
        else:
            assert method["AuthorizationType"] == "NONE", route
            assert "AuthorizerId" not in method


def test_a_web_acl_rate_limits_each_client_in_front_of_the_stage(api: Template):
    from infra.stacks.waf import REQUESTS_PER_CLIENT, WEBHOOK_PATHS, WRITES_PER_CLIENT

    [(acl_id, acl)] = api.find_resources("AWS::WAFv2::WebACL").items()
    props = acl["Properties"]
    assert props["Scope"] == "REGIONAL" and "Allow" in props["DefaultAction"]
    rules = {r["Name"]: r for r in props["Rules"]}
    assert {"AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesKnownBadInputsRuleSet"} <= set(rules)
    writes = rules["WritesPerClient"]["Statement"]["RateBasedStatement"]
    assert writes["Limit"] == WRITES_PER_CLIENT and writes["AggregateKeyType"] == "FORWARDED_IP"
    assert writes["ForwardedIPConfig"]["HeaderName"] == "X-Forwarded-For"
    assert rules["RequestsPerClient"]["Statement"]["RateBasedStatement"]["Limit"] == REQUESTS_PER_CLIENT
    assert rules["RequestsPerAddress"]["Statement"]["RateBasedStatement"]["AggregateKeyType"] == "IP"
    for name in ("WritesPerClient", "RequestsPerClient", "RequestsPerAddress"):
        assert rules[name]["Action"]["Block"]["CustomResponse"]["ResponseCode"] == 429
        scope = json.dumps(rules[name]["Statement"]["RateBasedStatement"]["ScopeDownStatement"])
        assert all(path in scope for path in WEBHOOK_PATHS) and "IPSetReferenceStatement" in scope  # exempt
    methods = json.dumps(writes["ScopeDownStatement"])
    assert all(f'"SearchString": "{m}"' in methods for m in ("POST", "PUT", "PATCH", "DELETE"))
    [association] = api.find_resources("AWS::WAFv2::WebACLAssociation").values()
    [stage_id] = api.find_resources("AWS::ApiGateway::Stage")
    assert association["Properties"]["WebACLArn"] == {"Fn::GetAtt": [acl_id, "Arn"]}
    assert stage_id in json.dumps(association["Properties"]["ResourceArn"])


def test_the_authorizer_trusts_all_three_user_pools(api: Template):
    [authorizer] = api.find_resources("AWS::ApiGateway::Authorizer").values()
    assert authorizer["Properties"]["Type"] == "COGNITO_USER_POOLS"
    assert len(authorizer["Properties"]["ProviderARNs"]) == 3


def test_the_stage_is_throttled_and_access_logged_in_json(api: Template):
    [stage] = api.find_resources("AWS::ApiGateway::Stage").values()
    props = stage["Properties"]
    settings = props["MethodSettings"][0]
    assert settings["ThrottlingRateLimit"] > 0 and settings["ThrottlingBurstLimit"] > 0
    assert settings["DataTraceEnabled"] is False
    assert json.loads(props["AccessLogSetting"]["Format"])["requestId"] == "$context.requestId"
    api.resource_count_is("AWS::ApiGateway::Account", 1)


def test_each_pool_adds_its_role_through_the_token_claims_trigger(madoguchi: Madoguchi, auth: Template):
    pools = auth.find_resources("AWS::Cognito::UserPool")
    assert len(pools) == 3
    for role, trigger in madoguchi.auth.triggers.items():
        props = _resource(auth, _logical_id(trigger))["Properties"]
        assert props["Environment"]["Variables"] == {"ROLE": role, "DEPARTMENTS": ",".join(DEPARTMENTS)}
        assert props["Architectures"] == ["arm64"] and props["Runtime"] == "python3.13"
        assert props["LoggingConfig"]["LogFormat"] == "JSON"
        assert props["MemorySize"] == catalogue.function(TOKEN_CLAIMS).memory_mb
        assert "Layers" not in props  # stdlib only
        pool = {"resident": madoguchi.auth.residents, "staff": madoguchi.auth.staff}.get(role, madoguchi.auth.devices)
        lambda_config = _resource(auth, _logical_id(pool))["Properties"]["LambdaConfig"]
        assert lambda_config["PreTokenGeneration"] == {"Fn::GetAtt": [_logical_id(trigger), "Arn"]}


def test_staff_pool_requires_mfa_and_has_one_group_per_department(madoguchi: Madoguchi, auth: Template):
    staff = _resource(auth, _logical_id(madoguchi.auth.staff))["Properties"]
    assert staff["MfaConfiguration"] == "ON"
    assert staff["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    groups = auth.find_resources("AWS::Cognito::UserPoolGroup")
    assert {g["Properties"]["GroupName"] for g in groups.values()} == set(DEPARTMENTS)


def test_residents_sign_up_by_email_and_devices_carry_an_immutable_kind(madoguchi: Madoguchi, auth: Template):
    residents = _resource(auth, _logical_id(madoguchi.auth.residents))["Properties"]
    assert residents["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is False
    assert residents["UsernameAttributes"] == ["email"]
    devices = _resource(auth, _logical_id(madoguchi.auth.devices))["Properties"]
    assert devices["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert {k: v for k, v in devices["Schema"][0].items() if k in ("Name", "AttributeDataType", "Mutable")} == {
        "Name": "device_kind",
        "AttributeDataType": "String",
        "Mutable": False,
    }
    for pool in auth.find_resources("AWS::Cognito::UserPool").values():
        policy = pool["Properties"]["Policies"]["PasswordPolicy"]
        assert policy["MinimumLength"] >= 12
        assert all(policy[k] for k in ("RequireLowercase", "RequireUppercase", "RequireNumbers", "RequireSymbols"))


@pytest.mark.parametrize("wf", catalogue.DEPLOYED_WORKFLOWS, ids=lambda w: w.key)
def test_each_workflow_runs_its_asl_with_the_substituted_function_arns(madoguchi: Madoguchi, wf):
    template = Template.from_stack(madoguchi.workflows)
    machine = madoguchi.workflows.state_machines[wf.key]
    props = _resource(template, _logical_id(machine))["Properties"]
    assert props["StateMachineType"] == "STANDARD"
    assert props["StateMachineName"] == wf.state_machine_name  # functions are granted it by this name
    assert props["LoggingConfiguration"]["Level"] == "ALL"
    # from_file ships the reviewed ASL as an asset; CloudFormation substitutes the function ARNs.
    asset = Path(madoguchi.app.outdir) / f"asset.{props['DefinitionS3Location']['Key']}"
    assert json.loads(asset.read_text()) == json.loads(wf.asl_path.read_text())
    substitutions = props["DefinitionSubstitutions"]
    assert set(substitutions) == set(wf.functions)
    for placeholder, fn_name in wf.functions.items():
        function_id = _logical_id(madoguchi.api.functions[fn_name])
        assert function_id in json.dumps(substitutions[placeholder]), fn_name
        assert "Arn" in json.dumps(substitutions[placeholder])
    role = {"Ref": _logical_id(machine.role)}
    invoke = [
        s
        for p in template.find_resources("AWS::IAM::Policy").values()
        if role in p["Properties"]["Roles"]
        for s in p["Properties"]["PolicyDocument"]["Statement"]
        if s["Action"] == "lambda:InvokeFunction"
    ]
    assert len(invoke) == 1
    resources = invoke[0]["Resource"]
    resources = resources if isinstance(resources, list) else [resources]
    assert len(resources) == len(set(wf.functions.values()))
    assert all(not isinstance(r, str) for r in resources)  # ARNs of our functions, no wildcard


def test_web_is_served_through_cloudfront_with_origin_access_control(madoguchi: Madoguchi):
    web = Template.from_stack(madoguchi.web)
    web.resource_count_is("AWS::CloudFront::OriginAccessControl", 1)
    web.has_resource_properties(
        "AWS::CloudFront::Distribution",
        {
            "DistributionConfig": Match.object_like(
                {
                    "DefaultRootObject": "index.html",
                    "Logging": Match.object_like({"Bucket": Match.any_value()}),
                    "DefaultCacheBehavior": Match.object_like(
                        {
                            "ViewerProtocolPolicy": "redirect-to-https",
                            "ResponseHeadersPolicyId": Match.any_value(),
                        }
                    ),
                }
            )
        },
    )
    # No web/dist in this synth: nothing to deploy
    web.resource_count_is("Custom::CDKBucketDeployment", 0)


@pytest.fixture(scope="module")
def distribution(madoguchi: Madoguchi) -> dict[str, Any]:
    [config] = [
        d["Properties"]["DistributionConfig"]
        for d in Template.from_stack(madoguchi.web).find_resources("AWS::CloudFront::Distribution").values()
    ]
    return dict(config)


def _route_prefixes() -> set[str]:
    """First path segment of each catalogue route, as the paths the pages call reach CloudFront."""
    return {route.path.strip("/").split("/")[0] for route, _ in catalogue.routes()}


def _behavior_for(distribution: dict[str, Any], path: str) -> dict[str, Any]:
    """The behaviour CloudFront picks for a path: the first matching pattern, else the default."""
    for behavior in distribution.get("CacheBehaviors", []):
        # CloudFront patterns: `*` matches any characters (slashes too), `?` exactly one, as in fnmatch.
        if fnmatch.fnmatchcase(path, behavior["PathPattern"]):
            return dict(behavior)
    return dict(distribution["DefaultCacheBehavior"])


def test_every_catalogue_route_reaches_the_api_origin_uncached_and_https_only(distribution: dict[str, Any]):
    behaviors = distribution["CacheBehaviors"]
    assert [b["PathPattern"] for b in behaviors] == api_path_patterns()
    assert {b["PathPattern"].strip("/").split("/")[0] for b in behaviors} == _route_prefixes()
    [api_origin] = [o for o in distribution["Origins"] if "CustomOriginConfig" in o]
    assert api_origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert "execute-api" in json.dumps(api_origin["DomainName"])
    assert "OriginPath" in api_origin  # the stage
    for behavior in behaviors:
        assert behavior["TargetOriginId"] == api_origin["Id"]
        assert behavior["ViewerProtocolPolicy"] == "https-only"
        assert behavior["CachePolicyId"] == cloudfront.CachePolicy.CACHING_DISABLED.cache_policy_id
        assert (
            behavior["OriginRequestPolicyId"]
            == cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER.origin_request_policy_id
        )
        assert set(behavior["AllowedMethods"]) >= {"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
        assert behavior["ResponseHeadersPolicyId"] == distribution["DefaultCacheBehavior"]["ResponseHeadersPolicyId"]
    for route, _ in catalogue.routes():
        sample = route.path.replace("{", "").replace("}", "")
        assert _behavior_for(distribution, sample)["TargetOriginId"] == api_origin["Id"], route.path
    default_origin = distribution["DefaultCacheBehavior"]["TargetOriginId"]
    # The pages stay on the bucket, the staff console's /staff/ next to the API's /staff/tasks included.
    for page in ("/", "/kiosk/", "/kiosk", "/staff/", "/staff", "/docs/", "/assets/app.js", "/openapi.json"):
        assert _behavior_for(distribution, page)["TargetOriginId"] == default_origin, page


def test_the_bucket_behaviour_serves_directory_indexes(madoguchi: Madoguchi, distribution: dict[str, Any]):
    web = Template.from_stack(madoguchi.web)
    [(function_id, function)] = web.find_resources("AWS::CloudFront::Function").items()
    assert function["Properties"]["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"
    assert distribution["DefaultCacheBehavior"]["FunctionAssociations"] == [
        {"EventType": "viewer-request", "FunctionARN": {"Fn::GetAtt": [function_id, "FunctionARN"]}}
    ]
    node = shutil.which("node")
    assert node, "node is needed to run the CloudFront function"
    cases = {
        "/": "/index.html",
        "/kiosk/": "/kiosk/index.html",
        "/kiosk": "/kiosk/index.html",
        "/staff/": "/staff/index.html",
        "/assets/app.js": "/assets/app.js",
        "/openapi.json": "/openapi.json",
        "/kiosk/index.html": "/kiosk/index.html",
    }
    events = [{"version": "1.0", "request": {"method": "GET", "uri": uri, "headers": {}}} for uri in cases]
    harness = (
        function["Properties"]["FunctionCode"]
        + "\nconst events = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        + "\nconsole.log(JSON.stringify(events.map((e) => handler(e).uri)));\n"
    )
    result = subprocess.run(
        [node, "-e", harness], input=json.dumps(events), capture_output=True, text=True, check=True, timeout=30
    )
    assert dict(zip(cases, json.loads(result.stdout), strict=True)) == cases


def test_the_site_deployment_includes_the_merged_openapi_document(checked_synthesis: Any):
    web = checked_synthesis.templates()["MadoguchiWeb"]
    [deployment] = [r for r in web["Resources"].values() if r["Type"] == "Custom::CDKBucketDeployment"]
    assets = [
        checked_synthesis.outdir / f"asset.{key.removesuffix('.zip')}"
        for key in deployment["Properties"]["SourceObjectKeys"]
    ]
    assert any((asset / "index.html").is_file() for asset in assets)  # web/dist
    [document] = [json.loads((a / "openapi.json").read_text()) for a in assets if (a / "openapi.json").is_file()]
    assert document["openapi"].startswith("3.1")
    paths = {route.path for route, _ in catalogue.routes()}
    assert set(document["paths"]) == paths
    # config.json: tests/infra/test_sign_in_infra.py


def test_each_case_department_lead_is_told_of_escalations(madoguchi: Madoguchi):
    observability = Template.from_stack(madoguchi.observability)
    alarms = observability.find_resources("AWS::CloudWatch::Alarm").values()
    escalations = {
        d["Value"]
        for a in alarms
        if a["Properties"].get("MetricName") == "StepEscalated"
        for d in a["Properties"]["Dimensions"]
        if d["Name"] == "department"
    }
    steps = {step.department for event in life_events() for step in event.steps}
    assert escalations == steps
    assert set(madoguchi.observability.lead_topics) == steps


def test_alarms_cover_every_function_the_api_and_workflows(madoguchi: Madoguchi):
    observability = Template.from_stack(madoguchi.observability)
    alarms = observability.find_resources("AWS::CloudWatch::Alarm").values()
    metrics = [(a["Properties"]["Namespace"], a["Properties"]["MetricName"]) for a in alarms]
    functions = len(madoguchi.api.functions) + len(madoguchi.auth.triggers)
    assert metrics.count(("AWS/Lambda", "Errors")) == functions
    assert metrics.count(("AWS/Lambda", "Throttles")) == functions
    assert ("AWS/ApiGateway", "5XXError") in metrics and ("AWS/ApiGateway", "Latency") in metrics
    assert metrics.count(("AWS/States", "ExecutionsFailed")) == len(catalogue.DEPLOYED_WORKFLOWS)
    assert metrics.count(("AWS/States", "ExecutionsTimedOut")) == len(catalogue.DEPLOYED_WORKFLOWS)
    assert all(a["Properties"]["AlarmActions"] for a in alarms)
    observability.has_resource_properties("AWS::SNS::Topic", {"KmsMasterKeyId": Match.any_value()})
    observability.resource_count_is("AWS::CloudWatch::Dashboard", 1)


def test_synth_templates_helper_lists_every_stack(synth_templates: dict[str, dict[str, Any]]):
    assert set(synth_templates) == {
        "MadoguchiData",
        "MadoguchiAuth",
        "MadoguchiApi",
        "MadoguchiWorkflows",
        "MadoguchiWeb",
        "MadoguchiObservability",
    }
    assert all(t["Resources"] for t in synth_templates.values())


def test_api_gateways_own_refusals_use_the_one_error_body(api: Template):
    responses = api.find_resources("AWS::ApiGateway::GatewayResponse")
    by_type = {r["Properties"]["ResponseType"]: r["Properties"] for r in responses.values()}
    assert set(by_type) >= {"UNAUTHORIZED", "ACCESS_DENIED", "MISSING_AUTHENTICATION_TOKEN", "THROTTLED"}
    for properties in by_type.values():
        body = json.loads(properties["ResponseTemplates"]["application/json"])
        assert set(body) == {"code", "message", "detail"}
    assert by_type["MISSING_AUTHENTICATION_TOKEN"]["StatusCode"] == "404"


@pytest.mark.parametrize("fn", [f for f in catalogue.FUNCTIONS if f.starts or f.answers], ids=lambda f: f.name)
def test_functions_may_start_or_answer_exactly_their_workflows(madoguchi: Madoguchi, api: Template, fn):
    function = madoguchi.api.functions[fn.name]
    role = {"Ref": _logical_id(function.role)}
    statements = [
        s
        for p in api.find_resources("AWS::IAM::Policy").values()
        if role in p["Properties"]["Roles"]
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]
    granted: dict[str, set[str]] = {}
    for statement in statements:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        for action in actions:
            if action.startswith("states:"):
                granted.setdefault(action, set()).update(json.dumps(r) for r in resources)

    def workflows_in(action: str) -> set[str]:
        return {
            w.key
            for w in catalogue.DEPLOYED_WORKFLOWS
            if any(f":stateMachine:{w.state_machine_name}" in r for r in granted.get(action, ()))
        }

    assert workflows_in("states:StartExecution") == set(catalogue.deployed(fn.starts))
    answered = set(catalogue.deployed(fn.answers))
    assert workflows_in("states:SendTaskSuccess") == workflows_in("states:SendTaskFailure") == answered
    assert set(granted) <= {"states:StartExecution", "states:SendTaskSuccess", "states:SendTaskFailure"}
    assert all("*" not in r.split(":stateMachine:")[-1] for rs in granted.values() for r in rs)


@pytest.mark.parametrize("spec", catalogue.SECRETS, ids=lambda s: s.key)
def test_each_secret_is_encrypted_with_the_data_key(madoguchi: Madoguchi, data: Template, spec: catalogue.Secret):
    secret = madoguchi.data.secrets[spec.key]
    props = _resource(data, Stack.of(secret).get_logical_id(secret.node.default_child))["Properties"]
    assert props["KmsKeyId"] == {"Fn::GetAtt": [_logical_id(madoguchi.data.key), "Arn"]}
    for field in spec.fields:
        assert field in props["Description"]


@pytest.mark.parametrize("fn", API_FUNCTIONS, ids=lambda f: f.name)
def test_functions_read_exactly_their_secrets(madoguchi: Madoguchi, api: Template, fn: catalogue.Function):
    role = madoguchi.api.functions[fn.name].role
    assert role is not None
    role_id = Stack.of(role).get_logical_id(role.node.default_child)
    statements = [
        statement
        for policy in api.find_resources("AWS::IAM::Policy").values()
        if {"Ref": role_id} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if "secretsmanager:GetSecretValue" in json.dumps(statement["Action"])
    ]
    document = json.dumps(statements)
    for spec in catalogue.SECRETS:
        secret_id = Stack.of(madoguchi.data).get_logical_id(madoguchi.data.secrets[spec.key].node.default_child)
        assert (secret_id in document) == (spec.key in fn.secrets), spec.key


def test_each_scheduled_function_has_exactly_its_rule(madoguchi: Madoguchi, api: Template):
    rules = api.find_resources("AWS::Events::Rule")
    scheduled = {_logical_id(madoguchi.api.functions[fn.name]): fn.schedule for fn in API_FUNCTIONS if fn.schedule}
    found = {
        rule["Properties"]["Targets"][0]["Arn"]["Fn::GetAtt"][0]: rule["Properties"]["ScheduleExpression"]
        for rule in rules.values()
    }
    assert found == scheduled


def test_test_only_workflows_are_not_deployed(synth_templates):
    names = {
        r["Properties"].get("StateMachineName")
        for template in synth_templates.values()
        for r in template["Resources"].values()
        if r["Type"] == "AWS::StepFunctions::StateMachine"
    }
    assert names == {w.state_machine_name for w in catalogue.DEPLOYED_WORKFLOWS}
    assert catalogue.workflow("smoke").state_machine_name not in names


STREAM_CONSUMERS = [fn for fn in API_FUNCTIONS if fn.streams]


@pytest.mark.parametrize("fn", STREAM_CONSUMERS, ids=lambda f: f.name)
def test_stream_consumers_retry_report_failures_and_keep_what_they_give_up(madoguchi: Madoguchi, api: Template, fn):
    """The outbox loses nothing: failed records are retried from themselves, then parked on a queue (redrive)."""
    function_id = _logical_id(madoguchi.api.functions[fn.name])
    queue_id = _logical_id(madoguchi.api.stream_failures[fn.name])
    mappings = [
        m["Properties"]
        for m in api.find_resources("AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["FunctionName"] == {"Ref": function_id}
    ]
    assert len(mappings) == len(fn.streams)
    for props in mappings:
        assert props["StartingPosition"] == "TRIM_HORIZON"
        assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        assert props["BisectBatchOnFunctionError"] is True
        assert props["MaximumRetryAttempts"] == catalogue.STREAM_RETRY_ATTEMPTS
        assert props["BatchSize"] == catalogue.STREAM_BATCH_SIZE
        assert props["DestinationConfig"]["OnFailure"]["Destination"] == {"Fn::GetAtt": [queue_id, "Arn"]}
        assert json.loads(props["FilterCriteria"]["Filters"][0]["Pattern"]) == {"eventName": ["INSERT"]}
    observability = Template.from_stack(madoguchi.observability)
    alarms = observability.find_resources("AWS::CloudWatch::Alarm").values()
    assert any(a["Properties"]["MetricName"] == "ApproximateNumberOfMessagesVisible" for a in alarms)


def test_every_function_that_writes_a_context_with_events_may_write_the_outbox():
    """A writer without the outbox grant would fail its transactions; without OUTBOX_TABLE it would emit nothing."""
    emitting = {"applications", "queue", "kiosk", "faq", "reservations", "cases"}
    # marks an attachment's check: it changes no status that is counted
    only_attachments = {"attachment_check"}
    for fn in catalogue.FUNCTIONS:
        if fn.name in only_attachments:
            assert ("outbox", "write") not in fn.tables
        elif any(key in emitting and access == "write" for key, access in fn.tables):
            assert ("outbox", "write") in fn.tables, fn.name
