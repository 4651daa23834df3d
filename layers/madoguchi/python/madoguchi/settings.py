"""Environment, read when first needed (never at import time) so tests can set it first."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore")

    catalogue_table: str = ""
    tasks_table: str = ""
    attachments_bucket: str = ""
    task_ttl_days: int = 30


@lru_cache(maxsize=1)
def settings() -> Settings:
    return Settings()
