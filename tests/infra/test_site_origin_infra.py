"""Every function that builds links gets the site's address from the deployment: a plain `cdk deploy` (no context)
passes the web stack's SSM parameter holding the CloudFront distribution's address; `-c site_url=…` (a city's own
domain) passes that address directly too. Link-building functions are found by their imports, not by a list."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import grimp
import pytest
from aws_cdk import App, Stack

from infra import catalogue
from infra.app import Madoguchi, build, cdk_json_context
from infra.stacks.sources import Sources

PUBLIC_ORIGIN = "madoguchi.shared.public_origin"
CITY_SITE = "https://madoguchi.city.example.jp"
API_FUNCTIONS = [f for f in catalogue.FUNCTIONS if not f.cognito_trigger]


def _imported_modules(handler: Path) -> set[str]:
    """Every module a handler imports (at the top or inside functions), with the packages that import runs."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(handler.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return {".".join(name.split(".")[:i]) for name in names for i in range(1, name.count(".") + 2)}


def link_builders() -> set[str]:
    """Functions whose handler reaches madoguchi.shared.public_origin through any chain of imports."""
    graph = grimp.build_graph("madoguchi")
    reaching = graph.find_downstream_modules(PUBLIC_ORIGIN) | {PUBLIC_ORIGIN}
    return {fn.name for fn in API_FUNCTIONS if _imported_modules(fn.handler_file) & reaching}


def _logical_id(construct: Any) -> str:
    return str(Stack.of(construct).get_logical_id(construct.node.default_child))


def _function(templates: dict[str, Any], madoguchi: Madoguchi, name: str) -> dict[str, Any]:
    props: dict[str, Any] = templates["MadoguchiApi"]["Resources"][_logical_id(madoguchi.api.functions[name])][
        "Properties"
    ]
    return props


def _role_policy(templates: dict[str, Any], madoguchi: Madoguchi, name: str) -> str:
    role = madoguchi.api.functions[name].role
    assert role is not None
    role_id = _logical_id(role)
    policies = [
        r["Properties"]["PolicyDocument"]
        for r in templates["MadoguchiApi"]["Resources"].values()
        if r["Type"] == "AWS::IAM::Policy" and {"Ref": role_id} in r["Properties"]["Roles"]
    ]
    return json.dumps(policies)


def _site_parameter(templates: dict[str, Any]) -> dict[str, Any]:
    [parameter] = [
        r["Properties"]
        for r in templates["MadoguchiWeb"]["Resources"].values()
        if r["Type"] == "AWS::SSM::Parameter" and r["Properties"].get("Name") == catalogue.SITE_URL_PARAMETER
    ]
    return parameter


@pytest.fixture(scope="module")
def city_templates(tmp_path_factory: pytest.TempPathFactory) -> tuple[Madoguchi, dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("city-origin")
    app = App(context={**cdk_json_context(), "site_url": CITY_SITE + "/"}, outdir=str(tmp / "cdk.out"))
    madoguchi = build(app, Sources(web_dist=tmp / "no-web-dist"), nag=False)
    from aws_cdk.assertions import Template

    return madoguchi, {s.stack_name: Template.from_stack(s).to_json() for s in madoguchi.stacks}


def test_the_catalogue_flags_exactly_the_functions_that_build_links():
    found = link_builders()
    assert {"queue", "congestion", "applications", "reservations", "line_webhook", "line_login"} <= found
    assert {fn.name for fn in API_FUNCTIONS if fn.builds_links} == found


def test_a_plain_deploy_publishes_the_distributions_address(madoguchi: Madoguchi, synth_templates: dict[str, Any]):
    parameter = _site_parameter(synth_templates)
    distribution = _logical_id(madoguchi.web.distribution)
    assert parameter["Type"] == "String"
    assert parameter["Value"] == {"Fn::Join": ["", ["https://", {"Fn::GetAtt": [distribution, "DomainName"]}]]}


@pytest.mark.parametrize("name", sorted(link_builders()))
def test_every_link_building_function_gets_the_site_origin_from_a_plain_deploy(
    madoguchi: Madoguchi, synth_templates: dict[str, Any], name: str
):
    variables = _function(synth_templates, madoguchi, name)["Environment"]["Variables"]
    assert variables["SITE_URL_PARAMETER"] == catalogue.SITE_URL_PARAMETER
    assert "SITE_URL" not in variables  # nothing empty or typed by hand: the parameter is the source
    policy = _role_policy(synth_templates, madoguchi, name)
    assert '"ssm:GetParameter"' in policy
    assert f"parameter{catalogue.SITE_URL_PARAMETER}" in policy


@pytest.mark.parametrize("name", sorted({f.name for f in API_FUNCTIONS} - link_builders()))
def test_functions_that_build_no_links_get_no_site_address(
    madoguchi: Madoguchi, synth_templates: dict[str, Any], name: str
):
    variables = _function(synth_templates, madoguchi, name).get("Environment", {}).get("Variables", {})
    assert "SITE_URL" not in variables and "SITE_URL_PARAMETER" not in variables
    assert "ssm:GetParameter" not in _role_policy(synth_templates, madoguchi, name)


def test_a_city_domain_reaches_every_link_building_function(city_templates: tuple[Madoguchi, dict[str, Any]]):
    madoguchi, templates = city_templates
    assert _site_parameter(templates)["Value"] == CITY_SITE
    for name in link_builders():
        variables = _function(templates, madoguchi, name)["Environment"]["Variables"]
        assert variables["SITE_URL"] == CITY_SITE, name
        assert variables["SITE_URL_PARAMETER"] == catalogue.SITE_URL_PARAMETER, name
