"""Small msgspec Structs of the compiler's logic modules, kept in a module of their own.

The logic modules may be compiled with mypyc (see setup.py); a class defined in a compiled module
gets its `__annotations__` rebuilt by mypyc (some types erased, a builtin such as `object` not
found), which msgspec reads. Every Struct of `domain.openapi` is therefore defined in a module
that stays interpreted: this one, `operation_specs`, `tools`, `warnings` and `document`.
"""

from __future__ import annotations

from typing import Any

import msgspec

__all__ = ["NameRequest", "Resolved"]


class Resolved(msgspec.Struct, frozen=True):
    """A reference's target, the document it lives in (for its own relative refs) and its key."""

    node: Any
    base: str
    key: str


class NameRequest(msgspec.Struct, frozen=True):
    """One operation asking for a name: its identity (method, path) and its operationId.

    A Struct: one per operation, built in C (a NamedTuple's constructor is Python code).
    """

    method: str
    path: str
    operation_id: object
