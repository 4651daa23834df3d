"""cdk-nag (AwsSolutions) and cfn-lint on the whole synthesised app."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from infra.stacks.sources import MissingSource, Sources
from tests.infra.conftest import NAG_CANARY

CFN_LINT = Path(sys.executable).parent / "cfn-lint"
# W3005 "dependency already enforced": CDK adds an explicit DependsOn from each function/state machine to
# its role's inline policy, which the GetAtt of the role does not cover; it is intended, so it is ignored.
IGNORED_LINT_RULES = {"W3005"}


def test_cdk_nag_reports_no_unacknowledged_findings(checked_synthesis: Any):
    report_file = checked_synthesis.outdir / "validation-report.json"
    assert report_file.exists(), "no validation report: the checks did not run"
    report = json.loads(report_file.read_text())
    findings = [
        f"{violation['severity']} {violation['ruleName']} at {construct['constructPath']}: {violation['description']}"
        for plugin in report["pluginReports"]
        for violation in plugin.get("violations", [])
        for construct in violation.get("violatingConstructs", [])
    ]
    canary = [f for f in findings if f" at {NAG_CANARY}/" in f]
    assert canary, "cdk-nag did not flag the canary bucket: the checks did not run"
    assert [f for f in findings if f not in canary] == []
    assert "ValidationFailed" in str(checked_synthesis.error)  # the canary's findings, and only those


def test_the_checked_app_includes_the_web_deployment(checked_synthesis: Any):
    web = checked_synthesis.templates()["MadoguchiWeb"]
    assert any(r["Type"] == "Custom::CDKBucketDeployment" for r in web["Resources"].values())


def test_cfn_lint_finds_nothing_but_ignored_warnings(checked_synthesis: Any):
    templates = sorted(str(p) for p in checked_synthesis.outdir.glob("*.template.json"))
    nested = [t for t in templates if ".nested." in t]
    assert len(templates) - len(nested) == 7 and nested  # the six stacks, the cdk-nag canary, the API's routes
    result = subprocess.run(
        [str(CFN_LINT), "--format", "json", "--regions", "ap-northeast-1", "us-east-1", "--", *templates],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode in (0, 2, 4, 6), result.stderr  # 2 errors, 4 warnings, 8 informational
    matches = json.loads(result.stdout or "[]")
    remaining = [
        f"{m['Rule']['Id']} {Path(m['Filename']).name}:{m['Location']['Start']['LineNumber']} {m['Message']}"
        for m in matches
        if m["Rule"]["Id"] not in IGNORED_LINT_RULES
    ]
    assert not remaining, "\n".join(remaining)


def test_missing_dependency_layer_says_to_run_make_layer(tmp_path: Path):
    with pytest.raises(MissingSource, match="make layer"):
        Sources(deps_layer=tmp_path / "nowhere").check()
