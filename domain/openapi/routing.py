"""inputSchema property names for parameters and body, and the routes back to the wire."""

from __future__ import annotations

from collections.abc import Sequence

from domain.openapi.operation_specs import BodySpec, ParameterSpec
from domain.openapi.tools import ArgumentLocation, ArgumentRoute

__all__ = ["BODY", "argument_routes"]

BODY = "body"
# When two parameters share a name, the earlier location keeps it (order-independent rule).
_PRIORITY = {"path": 0, "query": 1, "header": 2, "cookie": 3}


def _location(value: str) -> ArgumentLocation:
    if value == "path":
        return "path"
    if value == "query":
        return "query"
    if value == "header":
        return "header"
    return "cookie"


def argument_routes(
    parameters: Sequence[ParameterSpec], body: BodySpec | None
) -> list[ArgumentRoute]:
    """One route per parameter (same order) then the body; property names are unique.

    A parameter keeps its wire name unless another parameter of a higher-priority location
    (path, query, header, cookie) has it, or it is `body` while there is a request body: then
    it becomes `<location>_<name>`.
    """
    best: dict[str, int] = {}
    for spec in parameters:
        rank = _PRIORITY[spec.location]
        best[spec.name] = min(rank, best.get(spec.name, rank))
    keeps = [
        best[s.name] == _PRIORITY[s.location] and not (s.name == BODY and body is not None)
        for s in parameters
    ]
    used = {s.name for s, keep in zip(parameters, keeps, strict=True) if keep}
    if body is not None:
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
    routes = []
    for spec, name in zip(parameters, wanted, strict=True):
        routes.append(ArgumentRoute(
            name=name,
            location=_location(spec.location),
            wire_name=spec.name,
            style=spec.style,
            explode=spec.explode,
            allow_reserved=spec.allow_reserved,
            content_type=spec.content_type,
        ))
    if body is not None:
        routes.append(ArgumentRoute(
            name=BODY, location="body", wire_name=BODY, style="", explode=False,
            content_type=body.media_type,
        ))
    return routes
