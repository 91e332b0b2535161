"""ArgumentValidator contract: jsonschema-rs with its cache on and off behaves the same."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.validation import JsonSchemaArgumentValidator
from application.ports.argument_validation import ArgumentValidator

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "integer", "minimum": 1},
        "tags": {"type": "array", "items": {"type": "string"}},
        "body": {"$ref": "#/$defs/Pet"},
    },
    "required": ["id"],
    "additionalProperties": False,
    "$defs": {
        "Pet": {
            "type": "object",
            "properties": {"name": {"type": "string", "maxLength": 5}},
            "required": ["name"],
        }
    },
}


@pytest.fixture(params=["cached", "uncached"])
def validator(request: pytest.FixtureRequest) -> ArgumentValidator:
    """The jsonschema-rs adapter with its LRU cache, then compiling on every call."""
    return JsonSchemaArgumentValidator(cache_size=10_000 if request.param == "cached" else 0)


def test_valid_arguments_have_no_problems(validator: ArgumentValidator) -> None:
    arguments = {"id": 3, "tags": ["a"], "body": {"name": "Rex"}}
    assert validator.validate("tool-1", SCHEMA, arguments) == []


def test_every_problem_is_reported_with_its_path(validator: ArgumentValidator) -> None:
    arguments = {"id": 0, "tags": ["a", 2], "body": {"name": "Fluffy"}, "extra": 1}
    problems = validator.validate("tool-1", SCHEMA, arguments)
    assert sorted(p.path for p in problems) == sorted([("id",), ("tags", 1), ("body", "name"), ()])


def test_messages_name_the_argument(validator: ArgumentValidator) -> None:
    problems = validator.validate("tool-1", SCHEMA, {"id": "x", "tags": ["a", 1]})
    messages = {p.path: p.message for p in problems}
    assert messages[("id",)].startswith("argument 'id':")
    assert messages[("tags", 1)].startswith("argument 'tags[1]':")


def test_a_missing_required_argument_is_named_at_the_root(validator: ArgumentValidator) -> None:
    problems = validator.validate("tool-1", SCHEMA, {})
    assert [(p.path, "id" in p.message) for p in problems] == [((), True)]


def test_arguments_that_are_not_an_object_are_a_problem(validator: ArgumentValidator) -> None:
    assert validator.validate("tool-1", SCHEMA, [1]) != []


def test_huge_values_do_not_flood_messages(validator: ArgumentValidator) -> None:
    problems = validator.validate("tool-1", SCHEMA, {"id": 1, "body": {"name": "x" * 100_000}})
    assert len(problems) == 1 and len(problems[0].message) < 500


def test_a_changed_schema_under_the_same_key_is_used(validator: ArgumentValidator) -> None:
    assert validator.validate("tool-2", {"type": "integer"}, 1) == []
    assert validator.validate("tool-2", {"type": "string"}, 1) != []


def test_an_unusable_schema_refuses_the_arguments(validator: ArgumentValidator) -> None:
    problems = validator.validate("tool-3", {"type": "nonsense"}, {})
    assert len(problems) == 1 and problems[0].path == ()


def test_remote_references_are_never_fetched(validator: ArgumentValidator) -> None:
    schema = {"$ref": "http://169.254.169.254/latest/meta-data"}
    assert len(validator.validate("tool-4", schema, {})) == 1


def test_formats_are_annotations_only(validator: ArgumentValidator) -> None:
    assert validator.validate("tool-5", {"type": "string", "format": "email"}, "nope") == []


def test_the_cache_is_bounded() -> None:
    validator = JsonSchemaArgumentValidator(cache_size=2)
    for key in ("a", "b", "c"):
        validator.validate(key, {"type": "integer"}, 1)
    assert len(validator._cache) == 2
