"""Strict request bodies: every offending field is named, not just the first (API.md §1)."""

from __future__ import annotations

import re
import typing
from typing import Any, TypeVar

import msgspec

from domain.errors import FieldProblem, InvalidRequest

__all__ = ["decode_strict", "problems_for"]

S = TypeVar("S", bound=msgspec.Struct)

_AT = re.compile(r" - at `\$(.*)`$")
_SEGMENT = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\[\"(.*?)\"\]|\['(.*?)'\]")


def _trim(value: Any) -> Any:
    # Strings are trimmed before length checks (API.md §1), at every depth.
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list):
        return [_trim(v) for v in value]
    return value


def _path_of(message: str) -> tuple[tuple[str | int, ...], str]:
    match = _AT.search(message)
    if not match:
        return (), message
    path: list[str | int] = []
    for seg in _SEGMENT.finditer(match.group(1)):
        name, index, quoted, single = seg.groups()
        if index is not None:
            path.append(int(index))
        else:
            path.append(name or quoted or single or "")
    return tuple(path), message[: match.start()]


class _Checker(msgspec.Struct, frozen=True):
    fields: dict[str, tuple[bool, type]]


_CHECKERS: dict[type, _Checker] = {}


def _checker(model: type[msgspec.Struct]) -> _Checker:
    # One single-field Struct per field, built once per model, so each field is checked alone
    # and every problem is reported.
    cached = _CHECKERS.get(model)
    if cached is None:
        info = msgspec.inspect.type_info(model)
        assert isinstance(info, msgspec.inspect.StructType)
        hints = typing.get_type_hints(model, include_extras=True)
        fields = {
            f.encode_name: (f.required, msgspec.defstruct("_One", [(f.encode_name, hints[f.name])]))
            for f in info.fields
        }
        cached = _CHECKERS[model] = _Checker(fields)
    return cached


def problems_for(
    model: type[msgspec.Struct], body: Any
) -> tuple[dict[str, Any], list[FieldProblem]]:
    """Check `body` field by field against `model`; returns the cleaned fields and problems."""
    if not isinstance(body, dict):
        return {}, [FieldProblem((), "the body must be a JSON object")]
    known = _checker(model).fields
    problems = [FieldProblem((k,), "unknown field") for k in body if k not in known]
    cleaned: dict[str, Any] = {}
    for wire, (required, single) in known.items():
        if wire not in body:
            if required:
                problems.append(FieldProblem((wire,), "required field is missing"))
            continue
        value = _trim(body[wire])
        try:
            msgspec.convert({wire: value}, single)
        except msgspec.ValidationError as exc:
            sub, text = _path_of(str(exc))
            problems.append(FieldProblem(sub or (wire,), text))
            continue
        cleaned[wire] = value
    return cleaned, problems


def decode_strict(model: type[S], raw: bytes) -> S:
    """Decode a JSON body into `model`, naming every problem.

    Raises:
        InvalidRequest: the body is not JSON, not an object, has unknown or missing fields, or
            fields of the wrong type or out of range; `problems` lists each one.
    """
    try:
        body = msgspec.json.decode(raw) if raw.strip() else None
    except msgspec.DecodeError as exc:
        raise InvalidRequest("The body is not valid JSON.", [FieldProblem((), str(exc))]) from None
    except RecursionError:
        problem = FieldProblem((), "nested too deeply")
        raise InvalidRequest("The body is not valid JSON.", [problem]) from None
    except UnicodeDecodeError as exc:
        # msgspec reports invalid UTF-8 inside a string this way, not as a DecodeError.
        problem = FieldProblem((), f"invalid UTF-8 byte at offset {exc.start}")
        raise InvalidRequest("The body is not valid UTF-8 JSON.", [problem]) from None
    cleaned, problems = problems_for(model, body)
    check = getattr(model, "check_fields", None)
    if check is not None and isinstance(body, dict):
        # Cross-field rules run on the fields that passed alone; a field already reported
        # is not reported twice.
        reported = {p.path[:1] for p in problems}
        problems.extend(p for p in check(cleaned) if p.path[:1] not in reported)
    if problems:
        raise InvalidRequest("The request body is invalid.", problems)
    return msgspec.convert(cleaned, model)
