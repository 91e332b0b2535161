"""inputSchema property names for parameters and body, and the routes back to the wire."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from domain.openapi.operation_specs import BodySpec, ParameterSpec
from domain.openapi.tools import ArgumentLocation, ArgumentRoute

__all__ = ["BODY", "argument_routes", "body_route", "parameter_route", "property_names"]

BODY: Final = "body"
# When two parameters share a name, the earlier location keeps it (order-independent rule).
_PRIORITY: Final = {"path": 0, "query": 1, "header": 2, "cookie": 3}


_LOCATIONS: Final[dict[str, ArgumentLocation]] = {
    "path": "path",
    "query": "query",
    "header": "header",
    "cookie": "cookie",
}


def property_names(parameters: Sequence[ParameterSpec], with_body: bool) -> list[str] | None:
    """The inputSchema property name of each parameter (same order), or None when every
    parameter keeps its wire name (most operations: distinct names, none is `body`).

    A parameter keeps its wire name unless another parameter of a higher-priority location
    (path, query, header, cookie) has it, or it is `body` while there is a request body: then
    it becomes `<location>_<name>`.
    """
    wanted = {s.name for s in parameters}
    if len(wanted) == len(parameters) and not (with_body and BODY in wanted):
        return None
    return _renamed(parameters, with_body)


def parameter_route(spec: ParameterSpec, name: str) -> ArgumentRoute:
    """The route of a parameter given the inputSchema property `name`."""
    return ArgumentRoute(
        name,
        _LOCATIONS.get(spec.location, "cookie"),
        spec.name,
        spec.style,
        spec.explode,
        spec.allow_reserved,
        spec.content_type,
    )


def body_route(body: BodySpec) -> ArgumentRoute:
    """The route of the request body (always the last argument)."""
    return ArgumentRoute(
        name=BODY,
        location="body",
        wire_name=BODY,
        style="",
        explode=False,
        content_type=body.media_type,
    )


def argument_routes(
    parameters: Sequence[ParameterSpec], body: BodySpec | None
) -> list[ArgumentRoute]:
    """One route per parameter (same order) then the body; property names are unique
    (see `property_names`)."""
    names = property_names(parameters, body is not None)
    wanted = [s.name for s in parameters] if names is None else names
    routes = [parameter_route(spec, name) for spec, name in zip(parameters, wanted, strict=True)]
    if body is not None:
        routes.append(body_route(body))
    return routes


def _renamed(parameters: Sequence[ParameterSpec], with_body: bool) -> list[str]:
    best: dict[str, int] = {}
    for spec in parameters:
        rank = _PRIORITY[spec.location]
        best[spec.name] = min(rank, best.get(spec.name, rank))
    keeps = [
        best[s.name] == _PRIORITY[s.location] and not (s.name == BODY and with_body)
        for s in parameters
    ]
    used = {s.name for s, keep in zip(parameters, keeps, strict=True) if keep}
    if with_body:
        used.add(BODY)
    wanted = []
    for spec, keep in zip(parameters, keeps, strict=True):
        name = spec.name
        if not keep:
            name = f"{spec.location}_{name}"
            while name in used:
                name = f"{spec.location}_{name}"
            used.add(name)
        wanted.append(name)
    return wanted
