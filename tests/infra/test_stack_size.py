"""Every stack stays deployable as routes are added: CloudFormation refuses a stack of more than 500 resources
and a template of more than 1 MB. The margins (450, 800 KB) leave room to notice before a deploy fails."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from infra import catalogue
from infra.stacks.routes import first_segment

MAX_RESOURCES = 450
MAX_TEMPLATE_BYTES = 800 * 1024


def test_no_stack_nears_cloudformations_limits(checked_synthesis: Any):
    templates = sorted(Path(checked_synthesis.outdir).glob("*.template.json"))
    nested = [t for t in templates if ".nested." in t.name]
    assert nested, "the API's routes are in nested stacks"
    for path in templates:
        size = path.stat().st_size
        resources = len(json.loads(path.read_text())["Resources"])
        assert resources <= MAX_RESOURCES, f"{path.name}: {resources} resources"
        assert size <= MAX_TEMPLATE_BYTES, f"{path.name}: {size} bytes"


def test_routes_do_not_grow_the_api_stack(madoguchi: Any, synth_templates: dict[str, Any]):
    """The API stack holds functions, the API and /health; each first path segment's methods are elsewhere."""
    api = synth_templates["MadoguchiApi"]["Resources"]
    methods = [r for r in api.values() if r["Type"] == "AWS::ApiGateway::Method"]
    assert len(methods) == sum(1 for r, _ in catalogue.routes() if first_segment(r.path) == "health")
    nested = [r for r in api.values() if r["Type"] == "AWS::CloudFormation::Stack"]
    assert len(nested) == len({first_segment(r.path) for r, _ in catalogue.routes()}) - 1
    permissions = [r for r in api.values() if r["Type"] == "AWS::Lambda::Permission"]
    assert len(permissions) < len(madoguchi.api.functions) + 5  # per function (and event source), not per route


def test_resident_write_routes_have_their_own_lower_throttles(synth_templates: dict[str, Any]):
    from infra.stacks.api import ROUTE_THROTTLES, STAGE_THROTTLE

    routes = {(r.method, r.path) for r, _ in catalogue.routes()}
    assert set(ROUTE_THROTTLES) <= routes  # no throttle names a route that does not exist
    [stage] = [
        r for r in synth_templates["MadoguchiApi"]["Resources"].values() if r["Type"] == "AWS::ApiGateway::Stage"
    ]
    settings = {(s["HttpMethod"], s["ResourcePath"]): s for s in stage["Properties"]["MethodSettings"]}
    assert settings[("*", "/*")]["ThrottlingRateLimit"] == STAGE_THROTTLE[0]
    for (method, path), (rate, burst) in ROUTE_THROTTLES.items():
        setting = settings[(method, "/" + path.replace("/", "~1"))]  # API Gateway's escaping of resource paths
        assert (setting["ThrottlingRateLimit"], setting["ThrottlingBurstLimit"]) == (rate, burst)
        assert setting["DataTraceEnabled"] is False and setting["MetricsEnabled"] is True
        assert rate < STAGE_THROTTLE[0]


def test_hot_functions_reserve_concurrency(madoguchi: Any, synth_templates: dict[str, Any]):
    from aws_cdk import Stack

    from infra.stacks.api import RESERVED_CONCURRENCY

    resources = synth_templates["MadoguchiApi"]["Resources"]
    for name, fn in madoguchi.api.functions.items():
        props = resources[Stack.of(fn).get_logical_id(fn.node.default_child)]["Properties"]
        assert props.get("ReservedConcurrentExecutions") == RESERVED_CONCURRENCY.get(name), name
    assert sum(RESERVED_CONCURRENCY.values()) <= 100  # leaves a default 1000 quota well above AWS's 100 unreserved
