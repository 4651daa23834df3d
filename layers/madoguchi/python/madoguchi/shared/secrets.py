"""Third parties' credentials from Secrets Manager, cached per container (Powertools parameters)."""

from __future__ import annotations

from typing import Any, cast

from madoguchi.shared.settings import settings


def secret(key: str, *, fresh: bool = False) -> dict[str, str]:
    """The JSON object of catalogue secret `key`, e.g. secret("stripe")["api_key"]; `fresh` skips the cache (a
    credential that stopped working may have been rotated)."""
    from aws_lambda_powertools.utilities import parameters

    config = settings()
    value: Any = parameters.get_secret(
        config.secret_id(key), transform="json", max_age=config.secret_cache_seconds, force_fetch=fresh
    )
    if not isinstance(value, dict):
        raise RuntimeError(f"secret {key!r} is not a JSON object")
    return cast(dict[str, str], value)
