"""The Madoguchi CDK app: `python -m infra.app` (run by `cdk synth` through cdk.json).

Synth needs no AWS account: stacks take their environment from CDK_DEFAULT_* when set and stay
environment-agnostic otherwise.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

from aws_cdk import App, Environment, Validations
from cdk_nag import AwsSolutionsChecks

from infra import catalogue
from infra.stacks.api import ApiStack
from infra.stacks.auth import AuthStack
from infra.stacks.data import DataStack
from infra.stacks.observability import ObservabilityStack
from infra.stacks.sources import Sources
from infra.stacks.web import WebStack
from infra.stacks.workflows import WorkflowsStack

CDK_JSON = catalogue.ROOT / "cdk.json"


@dataclass
class Madoguchi:
    app: App
    data: DataStack
    auth: AuthStack
    api: ApiStack
    workflows: WorkflowsStack
    web: WebStack
    observability: ObservabilityStack

    @property
    def stacks(self) -> list[Any]:
        return [self.data, self.auth, self.api, self.workflows, self.web, self.observability]


def cdk_json_context() -> dict[str, Any]:
    """The feature flags of cdk.json, for apps built outside the CLI (tests)."""
    context: dict[str, Any] = json.loads(CDK_JSON.read_text(encoding="utf-8"))["context"]
    return context


def _environment() -> Environment | None:
    account, region = os.environ.get("CDK_DEFAULT_ACCOUNT"), os.environ.get("CDK_DEFAULT_REGION")
    return Environment(account=account, region=region) if account and region else None


def build(app: App, sources: Sources | None = None, *, nag: bool = True) -> Madoguchi:
    sources = sources or Sources()
    sources.check()
    env = _environment()
    data = DataStack(app, "MadoguchiData", env=env, description="Madoguchi tables, files and data key")
    auth = AuthStack(app, "MadoguchiAuth", sources=sources, env=env, description="Madoguchi user pools")
    api = ApiStack(app, "MadoguchiApi", data=data, auth=auth, sources=sources, env=env, description="Madoguchi API")
    workflows = WorkflowsStack(
        app, "MadoguchiWorkflows", functions=api.functions, env=env, description="Madoguchi workflows"
    )
    web = WebStack(
        app,
        "MadoguchiWeb",
        sources=sources,
        api=api.api,
        auth=auth,
        env=env,
        description="Madoguchi web front end",
    )
    observability = ObservabilityStack(
        app,
        "MadoguchiObservability",
        functions={**api.functions, **{f"token_claims_{r}": f for r, f in auth.triggers.items()}},
        api=api.api,
        state_machines=workflows.state_machines,
        stream_failures=dict(api.stream_failures),
        env=env,
        description="Madoguchi alarms and dashboard",
    )
    if nag:
        # cdk-nag 3.x is a policy-validation plugin: findings fail synth and are written to the
        # assembly's policy-validation-report.json.
        Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return Madoguchi(app, data, auth, api, workflows, web, observability)


def main() -> None:
    app = App()
    build(app)
    app.synth()


if __name__ == "__main__":
    main()
