"""Unknown query parameters on /api routes are a 400, like unknown body fields (API.md §1).

A misspelt filter (`?statuscode=500`) would otherwise be ignored silently and return rows the
caller did not ask for.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from litestar import Request
from litestar.params import ParameterKwarg

from domain.errors import FieldProblem, InvalidRequest

__all__ = ["reject_unknown_query_parameters"]


@cache
def _query_names(handler: Any) -> frozenset[str]:
    names = set()
    for name, field in handler.parsed_fn_signature.parameters.items():
        kwarg = field.kwarg_definition
        if not isinstance(kwarg, ParameterKwarg) or kwarg.header or kwarg.cookie:
            continue
        names.add(kwarg.query or getattr(kwarg, "name", None) or name)
    return frozenset(names)


async def reject_unknown_query_parameters(request: Request[Any, Any, Any]) -> None:
    """A `before_request` hook: names every query parameter the route does not take."""
    if not request.url.path.startswith("/api/") or not request.query_params:
        return
    known = _query_names(request.route_handler) - set(request.path_params)
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        raise InvalidRequest(
            "Unknown query parameters.",
            [FieldProblem((name,), "unknown field") for name in unknown],
        )
