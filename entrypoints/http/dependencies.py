"""Plain `provide_*` functions: handlers get use cases and the caller from the app's state.

(dependency-injector's @inject wiring does not work with Litestar handlers.)
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request
from litestar.di import Provide

from domain.errors import FieldProblem, InvalidRequest
from domain.pagination import PageRequest
from domain.users import User

__all__ = ["USER_KEY", "current_user", "page_request", "parse_id", "use_case"]

USER_KEY = "specmcp.user"


def use_case(name: str) -> Provide:
    """A dependency that builds the container's provider `name` for this request."""

    def provide(request: Request[Any, Any, Any]) -> Any:
        return getattr(request.app.state.container, name)()

    return Provide(provide, sync_to_thread=False)


def current_user(request: Request[Any, Any, Any]) -> User:
    """The authenticated caller, set by the API gate middleware."""
    user = request.scope.get("state", {}).get(USER_KEY)
    assert isinstance(user, User), "the API gate must run before /api handlers"
    return user


def parse_id(value: str, name: str) -> str:
    """A path id must be a UUID (API.md §1): 400 otherwise. Returns the canonical form."""
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise InvalidRequest(
            f"{name} must be a UUID.", [FieldProblem((name,), "must be a UUID")]
        ) from None


def page_request(page: int, limit: int) -> PageRequest:
    """A page request, with the range checks reported as a validation error."""
    problems = []
    if page < 1:
        problems.append(FieldProblem(("page",), "must be at least 1"))
    if not 1 <= limit <= 100:
        problems.append(FieldProblem(("limit",), "must be between 1 and 100"))
    if problems:
        raise InvalidRequest("Invalid paging parameters.", problems)
    return PageRequest(page=page, limit=limit)
