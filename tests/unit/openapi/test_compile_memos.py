"""What the compiler shares to go fast must not change what it produces."""

from __future__ import annotations

import gc

from domain.openapi.compiler import compile_spec
from domain.openapi.content_keys import content_key

from .documents import ok, openapi, swagger


def test_the_collector_state_is_restored_after_compiling() -> None:
    doc = openapi({"/x": {"get": {"responses": ok()}}})
    assert gc.isenabled()
    compile_spec(doc)
    assert gc.isenabled()
    gc.disable()
    try:
        compile_spec(doc)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_referenced_schema_keeps_its_read_only_field_in_output_only() -> None:
    pet = {
        "type": "object",
        "properties": {"id": {"type": "string", "readOnly": True}, "name": {"type": "string"}},
    }
    plain = {"type": "object", "properties": {"name": {"type": "string"}}}
    ref = {"$ref": "#/components/schemas/Pet"}
    doc = openapi(
        {
            "/pets": {
                "post": {
                    "operationId": "make",
                    "requestBody": {
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "pet": ref,
                                        "tag": {"$ref": "#/components/schemas/Tag"},
                                    },
                                }
                            }
                        }
                    },
                    "responses": ok(
                        {
                            "type": "object",
                            "properties": {"pet": ref, "tag": {"$ref": "#/components/schemas/Tag"}},
                        }
                    ),
                }
            }
        },
        components={"schemas": {"Pet": pet, "Tag": plain}},
    )
    tool = compile_spec(doc).tools[0]
    assert tool.input_schema["$defs"]["Pet"]["properties"].keys() == {"name"}
    assert tool.output_schema is not None
    assert tool.output_schema["$defs"]["Pet"]["properties"].keys() == {"id", "name"}
    # Direction-neutral bodies are one object for both directions.
    assert tool.input_schema["$defs"]["Tag"] is tool.output_schema["$defs"]["Tag"]


def test_equal_inline_parameters_are_shared_but_warned_about_where_they_are() -> None:
    def parameter() -> dict[str, object]:
        return {"name": "q", "in": "query", "description": "query text"}

    doc = openapi(
        {
            "/a": {"get": {"operationId": "a", "parameters": [parameter()], "responses": ok()}},
            "/b": {"get": {"operationId": "b", "parameters": [parameter()], "responses": ok()}},
        }
    )
    compiled = compile_spec(doc)
    first, second = (t.input_schema["properties"]["q"] for t in compiled.tools)
    assert first == second == {"description": "query text"}
    assert [w.pointer for w in compiled.warnings if w.code == "parameter_schema_missing"] == [
        "/paths/~1a/get/parameters/0",
        "/paths/~1b/get/parameters/0",
    ]


def test_the_same_document_compiles_to_the_same_output_twice() -> None:
    shared = {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1}}
    doc = openapi(
        {
            "/a": {
                "get": {
                    "parameters": [shared, {"$ref": "#/components/parameters/P"}],
                    "responses": ok({"$ref": "#/components/schemas/S"}),
                }
            },
            "/b": {"put": {"parameters": [dict(shared)], "responses": ok()}},
        },
        components={
            "parameters": {"P": {"name": "p", "in": "header", "schema": {}}},
            "schemas": {
                "S": {"type": "object", "properties": {"s": {"$ref": "#/components/schemas/S"}}}
            },
        },
    )
    assert compile_spec(doc) == compile_spec(doc)


def _header(name: str) -> dict[str, object]:
    return {"name": name, "in": "header", "schema": {"type": "string"}}


def test_path_item_parameters_shared_by_many_operations_keep_their_place_and_overrides() -> None:
    # The same path-level list on every path item (like EC2's signing headers): its specs and
    # properties are shared, an operation's own parameters follow them, and an operation
    # that redefines one of them (same name and place) replaces it where it stands.
    shared = [_header("X-A"), _header("X-B")]
    paths: dict[str, object] = {
        f"/r{i}": {
            "parameters": [dict(p) for p in shared],
            "get": {
                "operationId": f"get{i}",
                "parameters": [
                    {"name": "Action", "in": "query", "schema": {"type": "string", "enum": [i]}}
                ],
                "responses": ok(),
            },
        }
        for i in range(80)
    }
    paths["/override"] = {
        "parameters": [dict(p) for p in shared],
        "get": {
            "operationId": "override",
            "parameters": [{"name": "X-A", "in": "header", "schema": {"type": "integer"}}],
            "responses": ok(),
        },
    }
    paths["/clash"] = {
        "parameters": [dict(p) for p in shared],
        "get": {
            "operationId": "clash",
            "parameters": [{"name": "X-B", "in": "query", "schema": {"type": "boolean"}}],
            "responses": ok(),
        },
    }
    tools = {t.name: t for t in compile_spec(openapi(paths)).tools}
    for i in (0, 1, 79):
        schema = tools[f"get{i}"].input_schema
        assert list(schema["properties"]) == ["X-A", "X-B", "Action"]
        assert schema["properties"]["Action"] == {"type": "string", "enum": [str(i)]}
        assert [a.wire_name for a in tools[f"get{i}"].routing.arguments] == ["X-A", "X-B", "Action"]
    override = tools["override"].input_schema["properties"]
    assert list(override) == ["X-A", "X-B"] and override["X-A"] == {"type": "integer"}
    clash = tools["clash"]  # same name, another place: query keeps the name (see routing)
    assert list(clash.input_schema["properties"]) == ["X-A", "header_X-B", "X-B"]
    assert [(a.name, a.location) for a in clash.routing.arguments] == [
        ("X-A", "header"),
        ("header_X-B", "header"),
        ("X-B", "query"),
    ]


def test_equal_parameter_lists_with_a_warning_warn_at_each_operation() -> None:
    # A list that gives a warning is never taken from the memo: each use warns where it is.
    bare = {"name": "q", "in": "query"}  # no schema: parameter_schema_missing
    paths = {
        f"/p{i}": {"parameters": [dict(bare)], "get": {"operationId": f"p{i}", "responses": ok()}}
        for i in range(3)
    }
    compiled = compile_spec(openapi(paths))
    assert [w.pointer for w in compiled.warnings if w.code == "parameter_schema_missing"] == [
        "/paths/~1p0/parameters/0",
        "/paths/~1p1/parameters/0",
        "/paths/~1p2/parameters/0",
    ]


def test_a_shared_swagger_body_follows_each_operations_consumes() -> None:
    body = {"$ref": "#/parameters/Body"}
    doc = swagger(
        {
            "/a": {"post": {"operationId": "a", "parameters": [body], "responses": {}}},
            "/b": {
                "post": {
                    "operationId": "b",
                    "consumes": ["application/merge-patch+json"],
                    "parameters": [dict(body)],
                    "responses": {},
                }
            },
            "/c": {"post": {"operationId": "c", "parameters": [dict(body)], "responses": {}}},
        },
        parameters={"Body": {"name": "body", "in": "body", "schema": {"type": "object"}}},
    )
    a, b, c = compile_spec(doc).tools
    assert a.routing.body_media_type == c.routing.body_media_type == "application/json"
    assert b.routing.body_media_type == "application/merge-patch+json"
    assert a.input_schema == c.input_schema and a.input_schema is not c.input_schema


def test_responses_that_are_the_same_ref_share_the_defs_not_the_schema() -> None:
    ref = {"$ref": "#/definitions/Pet"}
    doc = swagger(
        {
            f"/p{i}": {"get": {"operationId": f"p{i}", "responses": {"200": {"schema": dict(ref)}}}}
            for i in range(3)
        },
        definitions={"Pet": {"type": "object", "properties": {"n": {"type": "string"}}}},
    )
    first, second, _ = compile_spec(doc).tools
    assert first.output_schema == second.output_schema
    assert first.output_schema is not second.output_schema
    assert first.output_schema is not None and second.output_schema is not None
    assert first.output_schema["$defs"] is second.output_schema["$defs"]


def test_response_codes_that_are_not_text_are_read_as_their_text() -> None:
    doc = swagger(
        {"/p": {"get": {"operationId": "p", "responses": {201: {"schema": {"type": "object"}}}}}}
    )
    tool = compile_spec(doc).tools[0]
    assert tool.output_schema == {"type": "object"}


def test_parameters_that_cannot_be_keyed_by_content_are_compiled_by_identity() -> None:
    # MessagePack has no integer beyond 64 bits: such parameters are memoised by identity.
    def huge() -> dict[str, object]:
        return {"name": "n", "in": "query", "schema": {"type": "integer", "maximum": 10**30}}

    paths = {
        f"/p{i}": {"get": {"operationId": f"p{i}", "parameters": [huge()], "responses": ok()}}
        for i in range(3)
    }
    tools = compile_spec(openapi(paths)).tools
    assert [t.input_schema["properties"]["n"]["maximum"] for t in tools] == [10**30] * 3


def test_content_keys_keep_types_apart() -> None:
    assert content_key({"1": 1}) != content_key({1: 1})
    assert content_key({"a": float("nan")}) != content_key({"a": None})
    assert content_key({"a": 10**30}) is None
    assert content_key({"a": [1, "x"]}) == content_key({"a": [1, "x"]})


def test_the_json_response_listed_first_is_chosen_whatever_its_parameters() -> None:
    charset = {"schema": {"type": "object", "properties": {"a": {"type": "string"}}}}
    plain = {"schema": {"type": "object", "properties": {"b": {"type": "string"}}}}
    doc = openapi(
        {
            "/x": {
                "get": {
                    "operationId": "x",
                    "responses": {
                        201: {"content": {"application/json; charset=utf-8": charset}},
                        "200": {"content": {"application/json": plain, "text/plain": {}}},
                    },
                }
            },
            "/y": {
                "get": {
                    "operationId": "y",
                    "responses": {
                        "200": {
                            "content": {
                                "application/json; charset=utf-8": charset,
                                "application/json": plain,
                            }
                        }
                    },
                }
            },
        }
    )
    x, y = compile_spec(doc).tools
    assert x.output_schema is not None and list(x.output_schema["properties"]) == ["b"]
    assert y.output_schema is not None and list(y.output_schema["properties"]) == ["a"]
