"""OpenAPI schemas become self-contained JSON Schema 2020-12, refs and recursion included."""

from __future__ import annotations

from typing import Any

import jsonschema_rs

from domain.openapi.compiler import compile_spec

from .documents import ok, openapi, swagger
from .schema_checks import SchemaAuditor


def _body_tool(schema: Any, version: str = "3.0.3", **extra: Any) -> dict[str, Any]:
    doc = openapi(
        {
            "/x": {
                "post": {
                    "operationId": "make",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": schema}},
                    },
                    "responses": ok(schema),
                }
            }
        },
        version,
        **extra,
    )
    tool = compile_spec(doc).tools[0]
    assert SchemaAuditor().problems(tool.input_schema) == []
    return tool.input_schema


def test_nullable_becomes_a_type_list() -> None:
    body = _body_tool({"type": "string", "nullable": True, "enum": ["a"]})["properties"]["body"]
    assert body["type"] == ["string", "null"] and body["enum"] == ["a", None]


def test_nullable_without_type_becomes_any_of_null() -> None:
    body = _body_tool({"allOf": [{"type": "object"}], "nullable": True})["properties"]["body"]
    assert {"type": "null"} in body["anyOf"]


def test_boolean_exclusive_bounds_become_numbers() -> None:
    body = _body_tool(
        {
            "type": "number",
            "minimum": 1,
            "exclusiveMinimum": True,
            "maximum": 9,
            "exclusiveMaximum": False,
        }
    )["properties"]["body"]
    assert body["exclusiveMinimum"] == 1 and "minimum" not in body
    assert body["maximum"] == 9 and "exclusiveMaximum" not in body


def test_example_becomes_examples_and_openapi_keywords_are_dropped() -> None:
    schema = {
        "type": "object",
        "example": {"a": 1},
        "discriminator": {"propertyName": "a"},
        "xml": {},
        "externalDocs": {},
        "x-internal": True,
    }
    body = _body_tool(schema)["properties"]["body"]
    assert body == {"type": "object", "examples": [{"a": 1}]}


def test_read_only_properties_are_not_inputs() -> None:
    body = _body_tool(
        {
            "type": "object",
            "required": ["id", "name"],
            "properties": {"id": {"type": "string", "readOnly": True}, "name": {"type": "string"}},
        }
    )
    assert body["properties"]["body"]["properties"].keys() == {"name"}
    assert body["properties"]["body"]["required"] == ["name"]


def test_write_only_properties_are_not_outputs() -> None:
    schema = {
        "type": "object",
        "properties": {"secret": {"type": "string", "writeOnly": True}, "id": {"type": "string"}},
    }
    doc = openapi({"/x": {"get": {"responses": ok(schema)}}})
    assert compile_spec(doc).tools[0].output_schema["properties"].keys() == {"id"}


def test_arrays_always_have_items() -> None:
    assert _body_tool({"type": "array"})["properties"]["body"]["items"] == {}


def test_recursive_schemas_are_kept_with_defs() -> None:
    node = {
        "type": "object",
        "properties": {
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}
        },
    }
    schema = _body_tool(
        {"$ref": "#/components/schemas/Node"}, components={"schemas": {"Node": node}}
    )
    assert schema["properties"]["body"] == {"$ref": "#/$defs/Node"}
    assert schema["$defs"]["Node"]["properties"]["children"]["items"] == {"$ref": "#/$defs/Node"}
    validator = jsonschema_rs.validator_for(schema)
    assert validator.is_valid({"body": {"children": [{"children": []}]}})
    assert not validator.is_valid({"body": {"children": [{"children": 3}]}})


def test_pointer_escapes_and_percent_encoding_are_decoded() -> None:
    schemas = {"a/b~c d": {"type": "integer"}}
    schema = _body_tool(
        {"$ref": "#/components/schemas/a~1b~0c%20d"}, components={"schemas": schemas}
    )
    (body,) = schema["$defs"].values()
    assert body == {"type": "integer"}


def test_unresolvable_refs_become_permissive_with_a_warning() -> None:
    doc = openapi(
        {
            "/x": {
                "get": {
                    "parameters": [
                        {
                            "name": "q",
                            "in": "query",
                            "schema": {"$ref": "#/components/schemas/Missing"},
                        }
                    ],
                    "responses": ok(),
                }
            }
        }
    )
    compiled = compile_spec(doc)
    schema = compiled.tools[0].input_schema
    assert schema["$defs"]["Missing"] == {}
    assert [w.code for w in compiled.warnings] == ["unresolved_ref"]
    assert compiled.warnings[0].pointer == "/paths/~1x/get/parameters/0/schema"


def test_a_ref_cycle_without_content_is_permissive_not_a_loop() -> None:
    compiled = compile_spec(
        openapi(
            {"/x": {"get": {"responses": ok({"$ref": "#/components/schemas/A"})}}},
            components={
                "schemas": {
                    "A": {"$ref": "#/components/schemas/B"},
                    "B": {"$ref": "#/components/schemas/A"},
                }
            },
        )
    )
    assert "circular_ref" in {w.code for w in compiled.warnings}


def test_external_documents_are_resolved_relative_to_the_referring_file() -> None:
    root = openapi({"/x": {"$ref": "paths/x.yaml"}})
    external = {
        "paths/x.yaml": {
            "get": {
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {"schema": {"$ref": "../models/pet.yaml#/Pet"}}
                        },
                    }
                }
            }
        },
        "models/pet.yaml": {"Pet": {"type": "object", "properties": {"tag": {"$ref": "tag.yaml"}}}},
        "models/tag.yaml": {"type": "string"},
    }
    tool = compile_spec(root, external=external, base_uri="openapi.yaml").tools[0]
    assert tool.output_schema["$defs"]["tag"] == {"type": "string"}
    assert SchemaAuditor().problems(tool.output_schema) == []


def test_swagger_file_type_and_x_nullable_are_converted() -> None:
    doc = swagger(
        {
            "/up": {
                "post": {
                    "consumes": ["multipart/form-data"],
                    "parameters": [
                        {"name": "file", "in": "formData", "type": "file", "required": True},
                        {"name": "note", "in": "formData", "type": "string", "x-nullable": True},
                    ],
                    "responses": {"200": {"description": "ok"}},
                }
            }
        }
    )
    body = compile_spec(doc).tools[0].input_schema["properties"]["body"]
    assert body["properties"]["file"] == {"type": "string", "format": "binary"}
    assert body["properties"]["note"]["type"] == ["string", "null"]
    assert body["required"] == ["file"]
