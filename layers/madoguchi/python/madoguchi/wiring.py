"""The adapters a function uses, built once per container on first use from the settings."""

from __future__ import annotations

from functools import lru_cache

from madoguchi.adapters.cache import CachedProcedureStore
from madoguchi.adapters.cases_dynamodb import DynamoCaseStore
from madoguchi.adapters.dynamodb import DynamoProcedureStore, DynamoTaskStore
from madoguchi.adapters.stepfunctions import StepFunctionsWorkflows
from madoguchi.settings import settings


@lru_cache(maxsize=1)
def procedure_store() -> CachedProcedureStore:
    config = settings()
    return CachedProcedureStore(DynamoProcedureStore(config.catalogue_table), ttl=config.catalogue_cache_seconds)


@lru_cache(maxsize=1)
def case_store() -> DynamoCaseStore:
    return DynamoCaseStore(settings().cases_table)


@lru_cache(maxsize=1)
def task_store() -> DynamoTaskStore:
    return DynamoTaskStore(settings().tasks_table)


@lru_cache(maxsize=1)
def workflows() -> StepFunctionsWorkflows:
    return StepFunctionsWorkflows(settings().state_machines())
