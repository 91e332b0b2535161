"""ArgumentValidator on jsonschema-rs (Draft 2020-12), compiled validators kept in an LRU cache."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

import jsonschema_rs

from domain.errors import FieldProblem

__all__ = ["JsonSchemaArgumentValidator"]

DEFAULT_CACHE_SIZE = 10_000
# Messages quote the offending value; a huge value must not flood the model's context.
MESSAGE_LIMIT = 300


def _where(path: list[str | int]) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text


def _message(path: list[str | int], message: str) -> str:
    if len(message) > MESSAGE_LIMIT:
        message = message[:MESSAGE_LIMIT] + "..."
    return f"argument '{_where(path)}': {message}" if path else f"arguments: {message}"


def _compile(schema: dict[str, Any]) -> jsonschema_rs.Validator:
    # offline: a `$ref` to a remote URL must never make the server fetch it (SSRF); formats
    # stay annotations, as Draft 2020-12 says, so the upstream API decides what it accepts.
    return jsonschema_rs.Draft202012Validator(schema, offline=True)


class JsonSchemaArgumentValidator:
    """Validates tool arguments; `cache_size=0` compiles the schema on every call."""

    def __init__(self, cache_size: int = DEFAULT_CACHE_SIZE) -> None:
        self._cache_size = cache_size
        self._cache: OrderedDict[str, tuple[dict[str, Any], jsonschema_rs.Validator]] = (
            OrderedDict()
        )
        self._lock = threading.Lock()

    def _validator(self, tool_key: str, schema: dict[str, Any]) -> jsonschema_rs.Validator:
        with self._lock:
            entry = self._cache.get(tool_key)
            # Same key, other schema (a caller that reuses keys): compile again.
            if entry is not None and (entry[0] is schema or entry[0] == schema):
                self._cache.move_to_end(tool_key)
                return entry[1]
        validator = _compile(schema)
        if self._cache_size > 0:
            with self._lock:
                self._cache[tool_key] = (schema, validator)
                self._cache.move_to_end(tool_key)
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return validator

    def validate(self, tool_key: str, schema: dict[str, Any], arguments: Any) -> list[FieldProblem]:
        """Every problem with `arguments`, in the order jsonschema-rs reports them."""
        try:
            validator = self._validator(tool_key, schema)
        except (jsonschema_rs.ValidationError, jsonschema_rs.ReferencingError, ValueError):
            return [
                FieldProblem(
                    path=(),
                    message="this tool's input schema is unusable, so "
                    "its arguments cannot be checked",
                )
            ]
        try:
            errors = list(validator.iter_errors(arguments))
        except ValueError as error:  # a value JSON cannot hold (jsonschema-rs refuses it)
            return [FieldProblem(path=(), message=f"arguments: {error}")]
        return [
            FieldProblem(path=tuple(e.instance_path), message=_message(e.instance_path, e.message))
            for e in errors
        ]
