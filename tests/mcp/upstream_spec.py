"""An OpenAPI document exercising every parameter place and body kind, for MCP tests."""

from __future__ import annotations

from typing import Any

__all__ = ["upstream_spec"]

_JSON_OK = {
    "200": {
        "description": "ok",
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}


def _body(media_type: str, properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    schema = {"type": "object", "properties": properties, "required": required}
    return {"required": True, "content": {media_type: {"schema": schema}}}


def upstream_spec(base_url: str = "https://api.example.com") -> dict[str, Any]:
    """The document; `base_url` becomes its server URL."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "Recorder", "version": "1.0.0"},
        "servers": [{"url": base_url}],
        "paths": {
            "/items/{itemId}": {
                "get": {
                    "operationId": "getItem",
                    "summary": "Read one item",
                    "parameters": [
                        {
                            "name": "itemId",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                        {
                            "name": "tags",
                            "in": "query",
                            "schema": {"type": "array", "items": {"type": "string"}},
                        },
                        {
                            "name": "filter",
                            "in": "query",
                            "style": "deepObject",
                            "explode": True,
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "color": {"type": "string"},
                                    "size": {"type": "string"},
                                },
                            },
                        },
                        {"name": "X-Trace", "in": "header", "schema": {"type": "string"}},
                        {"name": "session", "in": "cookie", "schema": {"type": "string"}},
                    ],
                    "responses": _JSON_OK,
                }
            },
            "/items": {
                "post": {
                    "operationId": "createItem",
                    "requestBody": _body(
                        "application/json",
                        {"name": {"type": "string"}, "count": {"type": "integer"}},
                        ["name"],
                    ),
                    "responses": _JSON_OK,
                }
            },
            "/forms": {
                "post": {
                    "operationId": "submitForm",
                    "requestBody": _body(
                        "application/x-www-form-urlencoded",
                        {"title": {"type": "string"}, "note": {"type": "string"}},
                        ["title"],
                    ),
                    "responses": _JSON_OK,
                }
            },
            "/uploads": {
                "post": {
                    "operationId": "uploadNote",
                    "requestBody": _body(
                        "multipart/form-data",
                        {"title": {"type": "string"}, "note": {"type": "string"}},
                        ["title"],
                    ),
                    "responses": _JSON_OK,
                }
            },
            "/broken": {
                "get": {"operationId": "getBroken", "responses": _JSON_OK},
            },
        },
    }
