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
