"""JsonYamlDocumentDecoder: JSON through msgspec, YAML 1.2 through yaml-rs."""

from __future__ import annotations

import re
from typing import Any

import msgspec
import yaml_rs

from domain.errors import FieldProblem, InvalidSpecDocument

__all__ = ["JsonYamlDocumentDecoder"]

# Billion-laughs guard: a real spec replays far fewer alias events than this.
_ALIAS_LIMITS = yaml_rs.AliasLimits(max_total_replayed_events=2_000_000, max_replay_stack_depth=64)
_LINE_COLUMN = re.compile(r"line (\d+),? column (\d+)")
# Where OpenAPI wants the text of a number written plainly (`version: 1.10`).
_TEXT_KEYS = ("openapi", "swagger", "version")


class JsonYamlDocumentDecoder:
    """Decodes JSON (fast path) or YAML 1.2 text into plain JSON-like values.

    YAML mapping keys that are not strings (`200:`, `true:`) come back as their text, and
    `openapi`, `swagger` and `info.version` written as plain numbers keep their exact text.
    """

    def decode(self, data: str | bytes) -> object:
        """Decode one document.

        Raises:
            InvalidSpecDocument: not UTF-8, not JSON nor YAML, or too many alias expansions.
        """
        text = _as_text(data)
        stripped = text.lstrip()
        if not stripped:
            raise InvalidSpecDocument("The document is empty.", [FieldProblem((), "empty")])
        if stripped[0] in "{[":
            try:
                return msgspec.json.decode(text)
            except msgspec.DecodeError:
                pass  # YAML flow style also starts with `{`; let the YAML parser judge.
            except RecursionError:
                raise InvalidSpecDocument(
                    "The document is nested too deeply.", [FieldProblem((), "nested too deeply")]
                ) from None
        return _decode_yaml(text)


def _as_text(data: str | bytes) -> str:
    if isinstance(data, str):
        return data
    try:
        return bytes(data).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidSpecDocument(
            "The document is not UTF-8 text.",
            [FieldProblem((), f"invalid UTF-8 byte at offset {exc.start}")],
        ) from None


def _decode_yaml(text: str) -> object:
    try:
        loaded = yaml_rs.loads(
            text,
            parse_datetime=False,
            alias_limits=_ALIAS_LIMITS,
            duplicate_key_policy=yaml_rs.DuplicateKeyPolicy.LastWins,
        )
    except (yaml_rs.YAMLDecodeError, ValueError, RecursionError) as exc:
        raise InvalidSpecDocument(
            "The document is neither valid JSON nor valid YAML.", [_problem(str(exc))]
        ) from None
    document = _string_keys(loaded)
    if isinstance(document, dict):
        _restore_number_text(document, text)
    return document


def _problem(message: str) -> FieldProblem:
    first_line = message.strip().splitlines()[0] if message.strip() else "unreadable"
    found = _LINE_COLUMN.search(message)
    detail = message.strip().splitlines()[-1] if "\n" in message else first_line
    if found:
        return FieldProblem((), f"line {found[1]}, column {found[2]}: {detail}")
    return FieldProblem((), first_line)


def _key_text(key: Any) -> str:
    if isinstance(key, str):
        return key
    if key is None:
        return "null"
    if isinstance(key, bool):
        return "true" if key else "false"
    return str(key)


def _string_keys(value: Any) -> Any:
    # YAML allows any scalar as a key (`200:` is an int); JSON-like documents need text.
    if isinstance(value, dict):
        if all(type(k) is str for k in value):
            for k, v in value.items():
                if isinstance(v, dict | list):
                    value[k] = _string_keys(v)
            return value
        return {_key_text(k): _string_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, dict | list):
                value[i] = _string_keys(item)
    return value


def _restore_number_text(document: dict[str, Any], text: str) -> None:
    # YAML 1.2 reads `version: 1.10` as the float 1.1; OpenAPI means the text "1.10".
    targets: list[tuple[dict[str, Any], str]] = [(document, "openapi"), (document, "swagger")]
    info = document.get("info")
    if isinstance(info, dict):
        targets.append((info, "version"))
    for holder, key in targets:
        value = holder.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            holder[key] = _written_text(text, key, value) or str(value)


def _written_text(text: str, key: str, value: float) -> str | None:
    pattern = re.compile(rf"(?m)^[ \t]*{key}[ \t]*:[ \t]*([-+0-9._eE]+)[ \t]*(?:#.*)?$")
    for found in pattern.finditer(text):
        try:
            if float(found[1].replace("_", "")) == value:
                return found[1]
        except ValueError:
            continue
    return None
