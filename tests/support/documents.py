"""Small OpenAPI documents for tests, and the shared corpus."""

from __future__ import annotations

from typing import Any

__all__ = ["petstore", "swagger_petstore_yaml"]


def petstore(extra_paths: dict[str, Any] | None = None) -> dict[str, Any]:
    """A small OpenAPI 3.0 document with three operations."""
    paths: dict[str, Any] = {
        "/pets": {
            "get": {
                "operationId": "listPets",
                "summary": "List pets",
                "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer"}}],
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/Pet"},
                                }
                            }
                        },
                    }
                },
            },
            "post": {
                "operationId": "createPet",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}
                    },
                },
                "responses": {"201": {"description": "created"}},
            },
        },
        "/pets/{petId}": {
            "get": {
                "operationId": "showPetById",
                "parameters": [
                    {"name": "petId", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {"200": {"description": "ok"}},
            }
        },
    }
    paths.update(extra_paths or {})
    return {
        "openapi": "3.0.3",
        "info": {"title": "Petstore", "version": "1.0.0"},
        "servers": [{"url": "https://petstore.example.com/v1"}],
        "paths": paths,
        "components": {
            "schemas": {
                "Pet": {
                    "type": "object",
                    "required": ["id", "name"],
                    "properties": {
                        "id": {"type": "integer"},
                        "name": {"type": "string"},
                        "tag": {"type": "string", "nullable": True},
                    },
                }
            }
        },
    }


def swagger_petstore_yaml() -> str:
    """A Swagger 2.0 document as YAML text, with YAML 1.1 traps (`on`, a 1.10 version)."""
    return """\
swagger: "2.0"
info:
  title: Swagger Petstore
  version: 1.10
host: petstore.example.com
basePath: /v1
schemes: [https]
paths:
  /pets:
    get:
      operationId: listPets
      parameters:
        - name: on
          in: query
          type: boolean
      responses:
        200:
          description: ok
"""
