"""Small OpenAPI documents built in tests."""

from __future__ import annotations

from typing import Any


def openapi(paths: dict[str, Any], version: str = "3.0.3", **extra: Any) -> dict[str, Any]:
    """An OpenAPI 3 document with the given paths (and components, servers... as `extra`)."""
    return {"openapi": version, "info": {"title": "T", "version": "1"}, "paths": paths, **extra}


def swagger(paths: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A Swagger 2.0 document with the given paths."""
    return {"swagger": "2.0", "info": {"title": "T", "version": "1"}, "paths": paths, **extra}


def ok(schema: Any = None) -> dict[str, Any]:
    """A responses object whose 200 answers JSON with `schema` (or has no content)."""
    if schema is None:
        return {"200": {"description": "ok"}}
    return {"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}}
