"""Sign-in after `cdk deploy`: managed-login domains, code-grant-only clients returning to the site, config.json
written from the stacks, and the stacks' size kept clear of CloudFormation's limits."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Stack

from infra.app import Madoguchi, build, cdk_json_context
from infra.stacks.sources import Sources

ROLES = ("resident", "staff", "device")
CITY_SITE = "https://madoguchi.city.example.jp"


def _logical_id(construct: Any) -> str:
    return str(Stack.of(construct).get_logical_id(construct.node.default_child))


def _clients(web: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k: r["Properties"] for k, r in web["Resources"].items() if r["Type"] == "AWS::Cognito::UserPoolClient"}


@pytest.fixture(scope="module")
def city_site(tmp_path_factory: pytest.TempPathFactory) -> Madoguchi:
    """The app as a city with its own domain deploys it (cdk.json context `site_url`)."""
    tmp = tmp_path_factory.mktemp("city")
    app = App(context={**cdk_json_context(), "site_url": CITY_SITE + "/"}, outdir=str(tmp / "cdk.out"))
    madoguchi = build(app, Sources(web_dist=tmp / "no-web-dist"), nag=False)
    app.synth()
    return madoguchi


def test_each_pool_has_a_managed_login_domain(madoguchi: Madoguchi, synth_templates: dict[str, Any]):
    auth = synth_templates["MadoguchiAuth"]["Resources"]
    domains = {
        r["Properties"]["UserPoolId"]["Ref"]: r["Properties"]
        for r in auth.values()
        if r["Type"] == "AWS::Cognito::UserPoolDomain"
    }
    for role, pool in madoguchi.auth.pools_by_role.items():
        domain = domains[_logical_id(pool)]
        assert domain["ManagedLoginVersion"] == 2
        assert f"-{role}-" in json.dumps(domain["Domain"])


def test_clients_allow_only_the_code_grant_back_to_the_distribution(
    madoguchi: Madoguchi, synth_templates: dict[str, Any]
):
    web = synth_templates["MadoguchiWeb"]
    clients = _clients(web)
    assert len(clients) == len(ROLES)
    distribution = {"Fn::GetAtt": [_logical_id(madoguchi.web.distribution), "DomainName"]}
    branded = {
        r["Properties"]["ClientId"]["Ref"]
        for r in web["Resources"].values()
        if r["Type"] == "AWS::Cognito::ManagedLoginBranding"
    }
    for role, client in madoguchi.web.sign_in.clients.items():
        props = clients[_logical_id(client)]
        assert props["AllowedOAuthFlows"] == ["code"], role
        assert props["AllowedOAuthFlowsUserPoolClient"] is True
        assert props["GenerateSecret"] is False  # a public client: PKCE, no secret in the pages
        assert props["SupportedIdentityProviders"] == ["COGNITO"]
        assert props["CallbackURLs"] == [{"Fn::Join": ["", ["https://", distribution, "/signin/"]]}]
        assert props["LogoutURLs"] == [{"Fn::Join": ["", ["https://", distribution, "/"]]}]
        assert "example.com" not in json.dumps(props)
        assert _logical_id(client) in branded  # managed login shows pages only for branded clients


def test_clients_return_to_the_citys_own_domain_when_set(city_site: Madoguchi):
    web = city_site.web
    from aws_cdk.assertions import Template

    clients = _clients(Template.from_stack(web).to_json())
    assert {json.dumps(c["CallbackURLs"]) for c in clients.values()} == {json.dumps([CITY_SITE + "/signin/"])}
    assert {json.dumps(c["LogoutURLs"]) for c in clients.values()} == {json.dumps([CITY_SITE + "/"])}


def test_staff_pool_requires_totp_mfa(madoguchi: Madoguchi, synth_templates: dict[str, Any]):
    staff = synth_templates["MadoguchiAuth"]["Resources"][_logical_id(madoguchi.auth.staff)]["Properties"]
    assert staff["MfaConfiguration"] == "ON"
    assert staff["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]


def _deployed_config(checked_synthesis: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """config.json as deployed by the site's BucketDeployment, and the deploy-time values of its markers."""
    web = checked_synthesis.templates()["MadoguchiWeb"]
    [deployment] = [r for r in web["Resources"].values() if r["Type"] == "Custom::CDKBucketDeployment"]
    props = deployment["Properties"]
    for key, markers in zip(props["SourceObjectKeys"], props["SourceMarkers"], strict=True):
        config = Path(checked_synthesis.outdir) / f"asset.{key.removesuffix('.zip')}" / "config.json"
        if config.is_file():
            # A deploy-time value replaces a whole JSON string (quotes included) with a bare marker.
            text = re.sub(r"<<marker:0x[0-9a-f]+:\d+>>", lambda m: json.dumps(m.group()), config.read_text())
            return json.loads(text), markers
    raise AssertionError("no config.json in the site deployment")


def test_config_json_carries_authorities_and_client_ids_from_the_stacks(checked_synthesis: Any):
    madoguchi = checked_synthesis.madoguchi
    config, markers = _deployed_config(checked_synthesis)
    assert set(config["auth"]) == set(ROLES)
    assert "tokenUrl" not in config["auth"] and "demoUsers" not in config["auth"]
    auth_stack = madoguchi.auth.stack_name
    for role in ROLES:
        entry = config["auth"][role]
        # every value is a CloudFormation value resolved at deploy time, none typed by hand
        authority = json.dumps(markers[entry["authority"]])
        assert f"{auth_stack}:ExportsOutputFnGetAtt{_logical_id(madoguchi.auth.pools_by_role[role])}ProviderURL" in (
            authority
        )
        client_id = markers[entry["clientId"]]
        assert {"Ref": _logical_id(madoguchi.web.sign_in.clients[role])} in client_id["Fn::Join"][1]
        sign_out = json.dumps(markers[entry["signOutUrl"]])
        assert "amazoncognito.com/logout" in sign_out and "PoolDomain" in sign_out
    site = json.dumps(markers[config["siteUrl"]])
    assert _logical_id(madoguchi.web.distribution) in site
