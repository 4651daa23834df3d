"""One synth of the CDK app per test session, shared by the template, cdk-nag and cfn-lint tests.

`synth_templates` ({stack name: template dict}) is the helper other suites (e.g. the local-stack drift
test) reuse instead of synthesising again.
"""

from __future__ import annotations

import os

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Stack

from infra.app import Madoguchi, build, cdk_json_context
from infra.stacks.sources import Sources


def _test_sources(tmp: Path, *, web_dist: Path | None = None) -> Sources:
    """The repository's sources (`make layer` builds the dependency layer first), with web/dist chosen."""
    return Sources(web_dist=web_dist if web_dist is not None else tmp / "no-web-dist")


NAG_CANARY = "NagCanary"


@dataclass
class Synthesis:
    madoguchi: Madoguchi
    outdir: Path
    error: Exception | None

    def templates(self) -> dict[str, dict[str, Any]]:
        return {
            stack.stack_name: json.loads((self.outdir / stack.template_file).read_text())
            for stack in self.madoguchi.stacks
        }


def synthesise(tmp: Path, *, nag: bool, web_dist: Path | None = None) -> Synthesis:
    outdir = tmp / "cdk.out"
    app = App(context=cdk_json_context(), outdir=str(outdir))
    madoguchi = build(app, _test_sources(tmp, web_dist=web_dist), nag=nag)
    if nag:
        # A canary the checks must flag (a bucket without TLS enforcement or access logs): proof that cdk-nag ran,
        # since its report lists only failures.
        from aws_cdk import aws_s3

        aws_s3.Bucket(Stack(app, NAG_CANARY), "Unchecked")
    try:
        app.synth()
    except Exception as error:  # cdk-nag findings fail synth after the templates are written
        return Synthesis(madoguchi, outdir, error)
    return Synthesis(madoguchi, outdir, None)


@pytest.fixture(scope="session")
def madoguchi(tmp_path_factory: pytest.TempPathFactory) -> Madoguchi:
    """The app as `cdk synth` builds it (no web/dist), without cdk-nag, for Template assertions."""
    synthesis = synthesise(tmp_path_factory.mktemp("synth"), nag=False)
    if synthesis.error:
        raise synthesis.error
    return synthesis.madoguchi


@pytest.fixture(scope="session")
def synth_templates(madoguchi: Madoguchi) -> dict[str, dict[str, Any]]:
    """{stack name: synthesised CloudFormation template}, from the session's single synth."""
    from aws_cdk.assertions import Template

    return {stack.stack_name: Template.from_stack(stack).to_json() for stack in madoguchi.stacks}


@pytest.fixture(scope="session")
def catalogue_logical_ids(madoguchi: Madoguchi) -> dict[str, dict[str, str]]:
    """Logical ids of the catalogue's resources in synth_templates: {"tables"|"buckets"|...: {key: id}}."""

    def logical_id(construct: Any) -> str:
        return str(Stack.of(construct).get_logical_id(construct.node.default_child))

    return {
        "tables": {key: logical_id(t) for key, t in madoguchi.data.tables.items()},
        "buckets": {key: logical_id(b) for key, b in madoguchi.data.buckets.items()},
        "functions": {name: logical_id(f) for name, f in madoguchi.api.functions.items()},
        "state_machines": {key: logical_id(m) for key, m in madoguchi.workflows.state_machines.items()},
    }


@pytest.fixture(scope="session")
def checked_synthesis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synthesis]:
    """The whole app with AwsSolutionsChecks, including the web/dist deployment branch."""
    tmp = tmp_path_factory.mktemp("checked")
    web_dist = tmp / "dist"
    web_dist.mkdir()
    (web_dist / "index.html").write_text("<!doctype html><title>Madoguchi</title>\n")
    yield synthesise(tmp, nag=True, web_dist=web_dist)
