"""Routing, output schemas, annotations and descriptions of compiled tools."""

from __future__ import annotations

from domain.openapi.compiler import compile_spec
from domain.openapi.servers import default_base_url, security_defaults

from .documents import ok, openapi, swagger

ALL_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def test_one_tool_per_operation_of_all_eight_methods() -> None:
    doc = openapi({"/x": {m: {"responses": ok()} for m in ALL_METHODS}})
    compiled = compile_spec(doc)
    assert [t.routing.method for t in compiled.tools] == [m.upper() for m in ALL_METHODS]
    assert compiled.operation_count == 8


def test_path_level_parameters_merge_and_operation_ones_override() -> None:
    doc = openapi(
        {
            "/users/{id}": {
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},
                    {"name": "v", "in": "query", "schema": {"type": "string"}},
                ],
                "get": {
                    "parameters": [
                        {
                            "name": "v",
                            "in": "query",
                            "required": True,
                            "schema": {"type": "integer"},
                        }
                    ],
                    "responses": ok(),
                },
            }
        }
    )
    tool = compile_spec(doc).tools[0]
    assert tool.input_schema["properties"]["v"]["type"] == "integer"
    assert tool.input_schema["required"] == ["id", "v"]


def test_routes_record_styles_and_wire_names_and_disambiguate_collisions() -> None:
    doc = openapi(
        {
            "/items/{id}": {
                "post": {
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                        {"name": "id", "in": "query", "schema": {"type": "string"}},
                        {"name": "body", "in": "header", "schema": {"type": "string"}},
                        {
                            "name": "filter",
                            "in": "query",
                            "style": "deepObject",
                            "explode": True,
                            "schema": {"type": "object"},
                        },
                        {
                            "name": "tags",
                            "in": "query",
                            "explode": False,
                            "schema": {"type": "array"},
                        },
                        {"name": "sid", "in": "cookie", "schema": {"type": "string"}},
                    ],
                    "requestBody": {
                        "content": {
                            "application/x-www-form-urlencoded": {"schema": {"type": "object"}}
                        }
                    },
                    "responses": ok(),
                }
            }
        }
    )
    tool = compile_spec(doc).tools[0]
    routes = {r.name: r for r in tool.routing.arguments}
    assert list(routes) == ["id", "query_id", "header_body", "filter", "tags", "sid", "body"]
    assert routes["query_id"].wire_name == "id" and routes["query_id"].location == "query"
    assert routes["header_body"].wire_name == "body"
    assert (routes["filter"].style, routes["filter"].explode) == ("deepObject", True)
    assert (routes["tags"].style, routes["tags"].explode) == ("form", False)
    assert routes["id"].style == "simple" and routes["sid"].location == "cookie"
    assert tool.routing.body_media_type == "application/x-www-form-urlencoded"
    assert not tool.routing.body_required and "body" not in tool.input_schema["required"]


def test_other_body_media_types_are_sent_as_text_with_a_warning() -> None:
    doc = openapi(
        {
            "/x": {
                "put": {
                    "requestBody": {
                        "required": True,
                        "content": {"application/xml": {"schema": {"type": "object"}}},
                    },
                    "responses": ok(),
                }
            }
        }
    )
    compiled = compile_spec(doc)
    assert compiled.tools[0].input_schema["properties"]["body"]["type"] == "string"
    assert compiled.tools[0].routing.body_required
    assert [w.code for w in compiled.warnings] == ["body_as_text"]


def test_output_schema_from_the_first_json_2xx_response() -> None:
    doc = openapi(
        {
            "/x": {
                "get": {
                    "responses": {
                        "204": {"description": "none"},
                        "201": {
                            "description": "c",
                            "content": {
                                "application/vnd.api+json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {"a": {"type": "string"}},
                                    }
                                }
                            },
                        },
                        "400": {
                            "description": "e",
                            "content": {"application/json": {"schema": {}}},
                        },
                    }
                }
            }
        }
    )
    tool = compile_spec(doc).tools[0]
    assert tool.output_schema == {"type": "object", "properties": {"a": {"type": "string"}}}
    assert not tool.routing.output_wrapped


def test_non_object_outputs_are_wrapped_and_no_json_means_none() -> None:
    doc = openapi(
        {
            "/x": {
                "get": {"responses": ok({"type": "array", "items": {}})},
                "put": {
                    "responses": {
                        "200": {
                            "description": "x",
                            "content": {"text/plain": {"schema": {"type": "string"}}},
                        }
                    }
                },
            }
        }
    )
    get, put = compile_spec(doc).tools
    assert get.output_schema == {
        "type": "object",
        "properties": {"result": {"type": "array", "items": {}}},
    }
    assert get.routing.output_wrapped
    assert put.output_schema is None


def test_an_object_ref_output_stays_an_object() -> None:
    doc = openapi(
        {"/x": {"get": {"responses": ok({"$ref": "#/components/schemas/P"})}}},
        components={"schemas": {"P": {"type": "object"}}},
    )
    tool = compile_spec(doc).tools[0]
    assert tool.output_schema["type"] == "object"
    assert tool.output_schema["$ref"] == "#/$defs/P"


def test_annotations_follow_the_method() -> None:
    doc = openapi({"/x": {m: {"summary": f"S {m}", "responses": ok()} for m in ALL_METHODS}})
    hints = {t.routing.method: t.annotations for t in compile_spec(doc).tools}
    assert hints["GET"].read_only_hint and hints["HEAD"].read_only_hint
    assert not hints["POST"].read_only_hint and not hints["POST"].idempotent_hint
    assert hints["DELETE"].destructive_hint and hints["DELETE"].idempotent_hint
    assert hints["PUT"].idempotent_hint and not hints["PUT"].destructive_hint
    assert all(a.open_world_hint for a in hints.values())
    assert hints["GET"].title == "S get"


def test_descriptions_join_summary_and_description_within_the_limit() -> None:
    doc = openapi(
        {
            "/x": {
                "get": {"summary": "Short", "description": "Long " * 100, "responses": ok()},
                "put": {"responses": ok()},
            }
        }
    )
    get, put = compile_spec(doc, description_limit=50).tools
    assert get.description.startswith("Short\n\nLong") and len(get.description) == 50
    assert put.description == "PUT /x"


def test_swagger_body_and_collection_formats() -> None:
    doc = swagger(
        {
            "/p/{ids}": {
                "post": {
                    "consumes": ["application/json"],
                    "parameters": [
                        {
                            "name": "ids",
                            "in": "path",
                            "required": True,
                            "type": "array",
                            "items": {"type": "integer"},
                            "collectionFormat": "csv",
                        },
                        {
                            "name": "tag",
                            "in": "query",
                            "type": "array",
                            "items": {"type": "string"},
                            "collectionFormat": "multi",
                        },
                        {
                            "name": "pet",
                            "in": "body",
                            "required": True,
                            "schema": {"$ref": "#/definitions/Pet"},
                        },
                    ],
                    "responses": {
                        "200": {"description": "ok", "schema": {"$ref": "#/definitions/Pet"}}
                    },
                }
            }
        },
        definitions={"Pet": {"type": "object", "properties": {"id": {"type": "integer"}}}},
    )
    tool = compile_spec(doc).tools[0]
    routes = {r.name: r for r in tool.routing.arguments}
    assert (routes["ids"].style, routes["ids"].explode) == ("simple", False)
    assert (routes["tag"].style, routes["tag"].explode) == ("form", True)
    assert tool.input_schema["required"] == ["ids", "body"]
    assert tool.input_schema["properties"]["body"] == {"$ref": "#/$defs/Pet"}
    assert tool.output_schema["type"] == "object"
    assert tool.routing.body_media_type == "application/json"


def test_unusable_operations_are_warnings() -> None:
    compiled = compile_spec(
        openapi({"/x": {"get": "nope", "put": {"$ref": "#/nowhere"}, "post": {"responses": ok()}}})
    )
    assert len(compiled.tools) == 1 and compiled.operation_count == 3
    assert [w.code for w in compiled.warnings] == ["operation_skipped"] * 2


def test_default_base_url_and_api_key_defaults() -> None:
    doc = openapi(
        {},
        servers=[
            {"url": "/relative"},
            {"url": "https://{region}.api.test/v1/", "variables": {"region": {"default": "eu"}}},
        ],
        components={
            "securitySchemes": {
                "b": {"type": "http", "scheme": "bearer"},
                "k": {"type": "apiKey", "in": "query", "name": "api_key"},
            }
        },
    )
    assert default_base_url(doc) == "https://eu.api.test/v1"
    assert default_base_url(doc | {"servers": [{"url": "/v3"}]}, "https://x.test/spec.json") == (
        "https://x.test/v3"
    )
    assert security_defaults(doc) == {"in": "query", "name": "api_key"}
    old = swagger(
        {},
        host="api.test",
        basePath="/v2",
        schemes=["http", "https"],
        securityDefinitions={"k": {"type": "apiKey", "in": "header", "name": "X-Key"}},
    )
    assert default_base_url(old) == "https://api.test/v2"
    assert security_defaults(old) == {"in": "header", "name": "X-Key"}
    assert default_base_url(openapi({})) is None and security_defaults(openapi({})) is None
