"""inputSchema property names for parameters and body, and the routes back to the wire."""

from __future__ import annotations

from collections.abc import Sequence

from domain.openapi.operation_specs import BodySpec, ParameterSpec
from domain.openapi.tools import ArgumentLocation, ArgumentRoute

__all__ = ["BODY", "argument_routes"]

BODY = "body"
# When two parameters share a name, the earlier location keeps it (order-independent rule).
_PRIORITY = {"path": 0, "query": 1, "header": 2, "cookie": 3}


_LOCATIONS: dict[str, ArgumentLocation] = {
    "path": "path",
    "query": "query",
    "header": "header",
    "cookie": "cookie",
}


def argument_routes(
    parameters: Sequence[ParameterSpec], body: BodySpec | None
) -> list[ArgumentRoute]:
    """One route per parameter (same order) then the body; property names are unique.

    A parameter keeps its wire name unless another parameter of a higher-priority location
    (path, query, header, cookie) has it, or it is `body` while there is a request body: then
    it becomes `<location>_<name>`.
    """
    wanted = [s.name for s in parameters]
    if len(set(wanted)) != len(wanted) or (body is not None and BODY in wanted):
        wanted = _renamed(parameters, body)  # rare: most operations have distinct names
    routes = [
        ArgumentRoute(
            name,
            _LOCATIONS.get(spec.location, "cookie"),
            spec.name,
            spec.style,
            spec.explode,
            spec.allow_reserved,
            spec.content_type,
        )
        for spec, name in zip(parameters, wanted, strict=True)
    ]
    if body is not None:
        routes.append(
            ArgumentRoute(
                name=BODY,
                location="body",
                wire_name=BODY,
                style="",
                explode=False,
                content_type=body.media_type,
            )
        )
    return routes


def _renamed(parameters: Sequence[ParameterSpec], body: BodySpec | None) -> list[str]:
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
    return wanted
