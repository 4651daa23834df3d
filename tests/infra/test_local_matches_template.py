"""The local stack provisions what the CDK app synthesises: same table shapes, same state machines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from infra import catalogue
from infra.local.provision import function_arn


def resource(templates: dict[str, dict[str, Any]], logical_id: str) -> dict[str, Any]:
    for template in templates.values():
        if logical_id in template.get("Resources", {}):
            return dict(template["Resources"][logical_id]["Properties"])
    raise AssertionError(f"{logical_id} is not in the synthesised templates")


def key_schema(keys: list[dict[str, str]]) -> list[tuple[str, str]]:
    return [(k["AttributeName"], k["KeyType"]) for k in keys]


def indexes(gsis: list[dict[str, Any]]) -> dict[str, tuple[Any, ...]]:
    return {g["IndexName"]: (key_schema(g["KeySchema"]), g["Projection"]["ProjectionType"]) for g in gsis}


@pytest.mark.parametrize("table", catalogue.TABLES, ids=lambda t: t.key)
def test_local_table_has_the_synthesised_shape(local_stack, synth_templates, catalogue_logical_ids, table):
    cloud = resource(synth_templates, catalogue_logical_ids["tables"][table.key])
    dynamodb = boto3.client("dynamodb")
    local = dynamodb.describe_table(TableName=table.local_name)["Table"]

    assert key_schema(local["KeySchema"]) == key_schema(cloud["KeySchema"])
    assert {(a["AttributeName"], a["AttributeType"]) for a in local["AttributeDefinitions"]} == {
        (a["AttributeName"], a["AttributeType"]) for a in cloud["AttributeDefinitions"]
    }
    assert indexes(local.get("GlobalSecondaryIndexes", [])) == indexes(cloud.get("GlobalSecondaryIndexes", []))
    ttl = dynamodb.describe_time_to_live(TableName=table.local_name)["TimeToLiveDescription"]
    cloud_ttl = cloud.get("TimeToLiveSpecification", {})
    assert ttl.get("AttributeName") == cloud_ttl.get("AttributeName")
    assert bool(local.get("StreamSpecification", {}).get("StreamEnabled")) == ("StreamSpecification" in cloud)


def exported_logical_id(templates: dict[str, dict[str, Any]], value: dict[str, Any]) -> str:
    """The logical id behind a substitution: a GetAtt in the same stack or an import of another's output."""
    if "Fn::GetAtt" in value:
        return str(value["Fn::GetAtt"][0])
    name = value["Fn::ImportValue"]
    for template in templates.values():
        for output in template.get("Outputs", {}).values():
            if output.get("Export", {}).get("Name") == name:
                return str(output["Value"]["Fn::GetAtt"][0])
    raise AssertionError(f"no stack exports {name}")


@pytest.mark.parametrize("workflow", catalogue.DEPLOYED_WORKFLOWS, ids=lambda w: w.key)
def test_local_state_machine_runs_the_synthesised_definition(
    local_stack, madoguchi, synth_templates, catalogue_logical_ids, workflow
):
    cloud = resource(synth_templates, catalogue_logical_ids["state_machines"][workflow.key])
    assert cloud.get("StateMachineType") == "STANDARD"
    # The cloud's definition is the ASL file uploaded as an asset, with the same placeholders substituted.
    outdir = Path(madoguchi.stacks[0].node.root.outdir)
    asset = json.loads((outdir / f"asset.{cloud['DefinitionS3Location']['Key']}").read_text())
    substitutions = {
        placeholder: exported_logical_id(synth_templates, value)
        for placeholder, value in cloud["DefinitionSubstitutions"].items()
    }
    function_ids = catalogue_logical_ids["functions"]
    assert substitutions == {placeholder: function_ids[fn] for placeholder, fn in workflow.functions.items()}

    sfn = boto3.client("stepfunctions")
    local_text = sfn.describe_state_machine(stateMachineArn=local_stack.state_machines[workflow.key])["definition"]
    for placeholder, fn in workflow.functions.items():
        local_text = local_text.replace(function_arn(fn), "${" + placeholder + "}")
    assert json.loads(local_text) == asset
