"""Domain errors. Services raise them; madoguchi.shared.api maps them to one HTTP error body."""

from __future__ import annotations

from typing import Any, TypeVar

T = TypeVar("T")


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, **params: Any) -> None:
        super().__init__(self.code)
        self.params = params  # values interpolated into the translated message


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Busy(DomainError):
    """The database throttled the request past the client's bounded retries: nothing was written, try again."""

    status = 503
    code = "service_busy"
    retry_after = 2  # seconds; throttling clears within a second or two as DynamoDB adapts


class InvalidInput(DomainError):
    """Input that passed the schema but breaks a rule; answered like a validation error, with field paths."""

    status = 422
    code = "validation_error"

    def __init__(self, fields: list[tuple[list[str | int], str]]) -> None:
        super().__init__()
        self.fields = fields  # (path, reason), e.g. (["body", "answers", "had_kokuho"], "wrong_type")


def present(value: T | None, **params: Any) -> T:
    """The value, or NotFound: for a record that must be there (just written, or named by an index), checked
    explicitly rather than by `assert`, which `python -O` removes."""
    if value is None:
        raise NotFound(**params)
    return value
