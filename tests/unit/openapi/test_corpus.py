"""Every real document of the corpus compiles into valid, unique, self-contained tools."""

from __future__ import annotations

import hashlib
import re

import msgspec
import pytest

from .corpus_documents import compile_entry, corpus_entries
from .schema_checks import SchemaAuditor

NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
ENTRIES = corpus_entries()

pytestmark = pytest.mark.skipif(not ENTRIES, reason="the shared corpus is not present")


def _digest(value: object) -> str:
    return hashlib.blake2b(msgspec.json.encode(value)).hexdigest()


@pytest.mark.parametrize("entry", ENTRIES)
def test_compiles_every_operation_into_a_valid_tool(entry: str) -> None:
    compiled = compile_entry(entry)

    names = [tool.name for tool in compiled.tools]
    assert all(NAME.fullmatch(n) for n in names)
    assert len({n.lower() for n in names}) == len(names)
    skipped = [w for w in compiled.warnings if w.code == "operation_skipped"]
    assert len(compiled.tools) + len(skipped) == compiled.operation_count

    auditor = SchemaAuditor()
    for tool in compiled.tools:
        assert tool.input_schema["type"] == "object"
        assert auditor.problems(tool.input_schema) == [], tool.name
        if tool.output_schema is not None:
            assert tool.output_schema["type"] == "object"
            assert auditor.problems(tool.output_schema) == [], tool.name
        properties = tool.input_schema["properties"]
        assert [a.name for a in tool.routing.arguments] == list(properties)
        assert set(tool.input_schema.get("required", ())) <= set(properties)

    assert _digest(compile_entry(entry)) == _digest(compiled)
