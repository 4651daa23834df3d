"""The one source for Madoguchi's shapes: tables, buckets, functions, routes and workflows.

The CDK app builds the cloud from it and the local stack provisions moto and routes requests from it, so the
two cannot drift (tests/infra compares both with the synthesised template). Plain data: no AWS imports here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS_DIR = ROOT / "functions"
WORKFLOWS_DIR = ROOT / "infra" / "workflows"
PREFIX = "madoguchi"

Access = Literal["read", "write"]
HttpMethod = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]


@dataclass(frozen=True)
class Index:
    name: str
    pk: str
    sk: str | None = None


@dataclass(frozen=True)
class Table:
    key: str  # short name; the physical name is chosen by CloudFormation in the cloud, PREFIX-key locally
    env: str  # environment variable that carries the table name to the functions
    pk: str = "pk"
    sk: str | None = "sk"
    indexes: tuple[Index, ...] = ()
    ttl: str | None = None
    stream: bool = False

    @property
    def local_name(self) -> str:
        return f"{PREFIX}-{self.key}"


@dataclass(frozen=True)
class Bucket:
    key: str
    env: str

    @property
    def local_name(self) -> str:
        return f"{PREFIX}-{self.key}"


@dataclass(frozen=True)
class Route:
    method: HttpMethod
    path: str  # API Gateway template, e.g. /procedures/{procedureId}
    # False: anyone may call it. True: a valid token is required (the authorizer checks it); which roles may
    # call it is decided in the handler by madoguchi.auth.require, so the rule lives next to the code it guards.
    authenticated: bool


@dataclass(frozen=True)
class Function:
    name: str  # folder under functions/, holding handler.py with lambda_handler
    description: str
    memory_mb: int
    timeout_s: int = 10
    routes: tuple[Route, ...] = ()
    tables: tuple[tuple[str, Access], ...] = ()
    buckets: tuple[tuple[str, Access], ...] = ()
    # Deployed by the auth stack as a Cognito trigger (no layers, not behind the API); the local issuer does its job.
    cognito_trigger: bool = False

    @property
    def local_name(self) -> str:
        return f"{PREFIX}-{self.name.replace('_', '-')}"

    @property
    def handler_file(self) -> Path:
        return FUNCTIONS_DIR / self.name / "handler.py"


@dataclass(frozen=True)
class Workflow:
    key: str
    asl_file: str  # under infra/workflows/
    # ${Name} placeholder in the ASL -> function name whose ARN replaces it
    functions: dict[str, str] = field(default_factory=dict)

    @property
    def local_name(self) -> str:
        return f"{PREFIX}-{self.key}"

    @property
    def asl_path(self) -> Path:
        return WORKFLOWS_DIR / self.asl_file


TABLES: tuple[Table, ...] = (
    # Procedure catalogue: every procedure in one partition (a few hundred items at most), one item each.
    Table(key="catalogue", env="CATALOGUE_TABLE"),
    # Human steps of workflows: one item per pending task; the task token never leaves this table.
    Table(
        key="tasks",
        env="TASKS_TABLE",
        indexes=(Index(name="by_department", pk="department", sk="created_at"),),
        ttl="expires_at",
    ),
)

BUCKETS: tuple[Bucket, ...] = (Bucket(key="attachments", env="ATTACHMENTS_BUCKET"),)

FUNCTIONS: tuple[Function, ...] = (
    Function(
        name="health",
        description="Liveness of the API",
        memory_mb=256,
        timeout_s=3,
        routes=(Route("GET", "/health", authenticated=False),),
    ),
    Function(
        name="procedures",
        description="Procedure catalogue for residents, kiosks and staff",
        # pydantic + Powertools validation cold-start noticeably faster with more CPU, which comes with memory
        memory_mb=512,
        routes=(
            Route("GET", "/procedures", authenticated=False),
            Route("GET", "/procedures/{procedureId}", authenticated=False),
            Route("GET", "/me", authenticated=True),
        ),
        tables=(("catalogue", "read"),),
    ),
    Function(
        name="staff_tasks",
        description="Department inbox of workflow steps waiting for staff",
        memory_mb=512,
        routes=(Route("GET", "/staff/tasks", authenticated=True),),
        tables=(("tasks", "read"),),
    ),
    Function(
        name="workflow_tasks",
        description="Registers a workflow's human step and keeps its task token server-side",
        memory_mb=256,
        tables=(("tasks", "write"),),
    ),
    Function(
        name="token_claims",
        description="Cognito pre-token-generation trigger: adds role, department and device_kind claims",
        memory_mb=128,
        timeout_s=5,
        cognito_trigger=True,
    ),
)

WORKFLOWS: tuple[Workflow, ...] = (
    Workflow(
        key="smoke",
        asl_file="smoke.asl.json",
        functions={"RegisterTaskFunctionArn": "workflow_tasks"},
    ),
)


def table(key: str) -> Table:
    return next(t for t in TABLES if t.key == key)


def bucket(key: str) -> Bucket:
    return next(b for b in BUCKETS if b.key == key)


def function(name: str) -> Function:
    return next(f for f in FUNCTIONS if f.name == name)


def routes() -> list[tuple[Route, Function]]:
    return [(r, f) for f in FUNCTIONS for r in f.routes]


def environment(fn: Function) -> dict[str, str]:
    """Environment variables a function needs besides resource names (same in the cloud and locally)."""
    return {
        "POWERTOOLS_SERVICE_NAME": fn.name,
        "POWERTOOLS_METRICS_NAMESPACE": "Madoguchi",
        "POWERTOOLS_LOG_LEVEL": "INFO",
    }
