"""ArgumentValidator: checks tool-call arguments against a tool's input schema."""

from __future__ import annotations

from typing import Any, Protocol

from domain.errors import FieldProblem

__all__ = ["ArgumentValidator"]


class ArgumentValidator(Protocol):
    """Validates arguments with JSON Schema 2020-12; compiled schemas may be cached per tool."""

    def validate(self, tool_key: str, schema: dict[str, Any], arguments: Any) -> list[FieldProblem]:
        """Every problem with `arguments` (empty when valid), each naming the argument at fault.

        `tool_key` names one version of one tool's schema (e.g. `f"{tool.id}:{updated_at}"`) so
        adapters can reuse compiled validators; a different schema under the same key is still
        detected, at the cost of a comparison. An unusable schema is reported as a problem at the
        root, so the call is refused rather than sent unchecked.
        """
        ...
