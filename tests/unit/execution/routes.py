"""Routing records for the execution tests, and the style table's three values."""

from __future__ import annotations

from typing import Any

from domain.execution import UpstreamRequest, build_request
from domain.openapi.tools import ArgumentLocation, ArgumentRoute, Routing

__all__ = ["ARRAY", "BASE", "OBJECT", "STRING", "build_one", "route"]

BASE = "https://api.example.test"
STRING = "blue"
ARRAY = ["blue", "black", "brown"]
OBJECT = {"R": 100, "G": 200, "B": 150}


def route(
    location: ArgumentLocation,
    style: str,
    explode: bool,
    *,
    name: str = "color",
    wire_name: str | None = None,
    allow_reserved: bool = False,
    content_type: str | None = None,
) -> ArgumentRoute:
    """One argument route with the given serialisation."""
    return ArgumentRoute(
        name=name,
        location=location,
        wire_name=wire_name or name,
        style=style,
        explode=explode,
        allow_reserved=allow_reserved,
        content_type=content_type,
    )


def build_one(argument: ArgumentRoute, value: Any, path: str = "/items") -> UpstreamRequest:
    """The request for a GET with a single argument."""
    routing = Routing(method="get", path=path, arguments=(argument,))
    return build_request(routing, {argument.name: value}, BASE)
