"""Generated documents, garbage included, compile or raise InvalidSpecDocument: nothing else."""

from __future__ import annotations

from typing import Any

import msgspec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.errors import InvalidSpecDocument
from domain.openapi.compiler import compile_spec

from .schema_checks import SchemaAuditor

_garbage = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
_refs = st.sampled_from(
    [
        "#/components/schemas/A",
        "#/components/schemas/B",
        "#/definitions/A",
        "#/nowhere",
        "#/components/schemas/A/properties/next",
        "other.yaml#/X",
        "#",
        "",
    ]
)


def _schemas() -> st.SearchStrategy[Any]:
    leaf = st.one_of(
        st.fixed_dictionaries(
            {
                "type": st.sampled_from(
                    ["string", "integer", "number", "boolean", "file", "bogus", "array", "object"]
                )
            },
            optional={
                "nullable": st.booleans(),
                "format": st.text(max_size=4),
                "enum": st.lists(_garbage, max_size=3),
                "example": _garbage,
                "minimum": st.integers(),
                "exclusiveMinimum": st.booleans(),
                "readOnly": st.booleans(),
                "required": _garbage,
            },
        ),
        st.builds(lambda r: {"$ref": r}, _refs),
        _garbage,
    )
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.fixed_dictionaries(
                {
                    "type": st.just("object"),
                    "properties": st.dictionaries(st.text(max_size=5), inner, max_size=3),
                },
                optional={
                    "required": st.lists(st.text(max_size=5), max_size=2),
                    "additionalProperties": inner,
                },
            ),
            st.fixed_dictionaries({"type": st.just("array"), "items": inner}),
            st.builds(
                lambda k, v: {k: v},
                st.sampled_from(["allOf", "anyOf", "oneOf"]),
                st.lists(inner, max_size=3),
            ),
        ),
        max_leaves=10,
    )


_parameter = st.one_of(
    st.fixed_dictionaries(
        {
            "name": st.one_of(st.text(max_size=6), st.sampled_from(["body", "id", "x"])),
            "in": st.sampled_from(["path", "query", "header", "cookie", "body", "formData", "x"]),
        },
        optional={
            "schema": _schemas(),
            "type": st.sampled_from(["string", "array", "file"]),
            "required": _garbage,
            "style": _garbage,
            "explode": _garbage,
            "collectionFormat": st.sampled_from(["csv", "tsv", "multi", "x"]),
        },
    ),
    st.builds(lambda r: {"$ref": r}, _refs),
    _garbage,
)
_operation = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={
            "operationId": st.one_of(st.text(max_size=70), _garbage),
            "summary": _garbage,
            "parameters": st.one_of(st.lists(_parameter, max_size=4), _garbage),
            "requestBody": st.one_of(
                st.fixed_dictionaries(
                    {
                        "content": st.dictionaries(
                            st.sampled_from(
                                ["application/json", "text/plain", "multipart/form-data", "*/*"]
                            ),
                            st.fixed_dictionaries({}, optional={"schema": _schemas()}),
                            max_size=2,
                        )
                    }
                ),
                _garbage,
            ),
            "responses": st.one_of(
                st.dictionaries(
                    st.sampled_from(["200", "201", "default", "2XX"]),
                    st.fixed_dictionaries(
                        {
                            "content": st.fixed_dictionaries(
                                {"application/json": st.fixed_dictionaries({"schema": _schemas()})}
                            )
                        }
                    ),
                    max_size=2,
                ),
                _garbage,
            ),
        },
    ),
    _garbage,
)
_paths = st.dictionaries(
    st.one_of(st.text(alphabet="/{}ab", max_size=8).map(lambda p: "/" + p), st.text(max_size=4)),
    st.one_of(
        st.dictionaries(
            st.sampled_from(["get", "post", "delete", "parameters", "x-y"]), _operation, max_size=3
        ),
        _garbage,
    ),
    max_size=4,
)
_documents = st.one_of(
    st.fixed_dictionaries(
        {
            "openapi": st.sampled_from(["3.0.3", "3.1.0", "2.9", 3.0]),
            "info": _garbage,
            "paths": st.one_of(_paths, _garbage),
            "components": st.fixed_dictionaries(
                {"schemas": st.dictionaries(st.sampled_from(["A", "B"]), _schemas(), max_size=2)}
            ),
        }
    ),
    st.fixed_dictionaries(
        {
            "swagger": st.sampled_from(["2.0", "1.2"]),
            "paths": _paths,
            "definitions": st.dictionaries(st.just("A"), _schemas()),
        }
    ),
    _garbage,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_documents)
def test_any_document_compiles_or_is_refused_as_invalid(document: Any) -> None:
    try:
        compiled = compile_spec(document)
    except InvalidSpecDocument:
        return
    auditor = SchemaAuditor()
    for tool in compiled.tools:
        assert auditor.problems(tool.input_schema) == []
        if tool.output_schema is not None:
            assert auditor.problems(tool.output_schema) == []
    skipped = sum(w.code == "operation_skipped" for w in compiled.warnings)
    assert len(compiled.tools) + skipped == compiled.operation_count
    assert msgspec.json.encode(compile_spec(document)) == msgspec.json.encode(compiled)
