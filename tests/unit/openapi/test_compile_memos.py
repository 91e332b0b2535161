"""What the compiler shares to go fast must not change what it produces."""

from __future__ import annotations

import gc

from domain.openapi.compiler import compile_spec

from .documents import ok, openapi


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
