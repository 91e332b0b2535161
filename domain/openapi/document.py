"""Recognise an OpenAPI document and check its basic structure, without compiling it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from domain.errors import FieldProblem, InvalidSpecDocument

__all__ = [
    "HTTP_METHODS",
    "MAX_OPERATIONS",
    "DocumentSummary",
    "detect_version",
    "inspect_document",
]

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
MAX_OPERATIONS = 10_000


class DocumentSummary(msgspec.Struct, frozen=True):
    """What an import records about a document before compiling it."""

    openapi_version: str
    title: str
    version: str
    operation_count: int


def _text(value: Any) -> str | None:
    # YAML turns `version: 1.0` into a number; OpenAPI means the text.
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return str(value)
    return None


def _detect_version(doc: Mapping[str, Any], where: tuple[str | int, ...]) -> str:
    if "openapi" in doc:
        raw = _text(doc["openapi"])
        if raw is not None and (raw.startswith("3.0") or raw.startswith("3.1")):
            return raw
        raise InvalidSpecDocument(
            "Unsupported OpenAPI version.",
            [FieldProblem((*where, "openapi"), "expected 3.0.x or 3.1.x")],
        )
    if "swagger" in doc:
        if _text(doc["swagger"]) == "2.0":
            return "2.0"
        raise InvalidSpecDocument(
            "Unsupported Swagger version.",
            [FieldProblem((*where, "swagger"), 'expected "2.0"')],
        )
    raise InvalidSpecDocument(
        "Not an OpenAPI document.",
        [FieldProblem(where, 'needs an "openapi" (3.0, 3.1) or "swagger" (2.0) field')],
    )


def detect_version(doc: Mapping[str, Any], where: tuple[str | int, ...] = ()) -> str:
    """The document's OpenAPI version text ("2.0", "3.0.x", "3.1.x").

    Raises:
        InvalidSpecDocument: not an OpenAPI document, or an unsupported version.
    """
    return _detect_version(doc, where)


def inspect_document(doc: object, where: tuple[str | int, ...] = ()) -> DocumentSummary:
    """Recognise OpenAPI 3.0, 3.1 or Swagger 2.0 and count its operations.

    Raises:
        InvalidSpecDocument: naming every structural problem found, with its path
            (prefixed by `where`, the document's place in the request).
    """
    if not isinstance(doc, Mapping):
        raise InvalidSpecDocument(
            "The document must be a JSON or YAML object.",
            [FieldProblem(where, "expected an object at the top level")],
        )
    version = _detect_version(doc, where)
    problems: list[FieldProblem] = []

    info = doc.get("info")
    title = version_text = ""
    if not isinstance(info, Mapping):
        problems.append(FieldProblem((*where, "info"), "required object is missing"))
    else:
        title = _text(info.get("title")) or ""
        version_text = _text(info.get("version")) or ""
        if not title.strip():
            problems.append(FieldProblem((*where, "info", "title"), "required string is missing"))
        if not version_text.strip():
            problems.append(FieldProblem((*where, "info", "version"), "required string is missing"))

    operations = 0
    paths = doc.get("paths")
    if paths is None:
        # 3.1 allows a document of webhooks or components only; 2.0 and 3.0 need paths.
        if not version.startswith("3.1"):
            problems.append(FieldProblem((*where, "paths"), "required object is missing"))
    elif not isinstance(paths, Mapping):
        problems.append(FieldProblem((*where, "paths"), "expected an object"))
    else:
        for path, item in paths.items():
            at = (*where, "paths", str(path))
            if not isinstance(path, str) or not path.startswith("/"):
                if not (isinstance(path, str) and path.startswith("x-")):
                    problems.append(FieldProblem(at, 'a path must start with "/"'))
                continue
            if not isinstance(item, Mapping):
                problems.append(FieldProblem(at, "a path item must be an object"))
                continue
            for method in HTTP_METHODS:
                if method not in item:
                    continue
                if not isinstance(item[method], Mapping):
                    problems.append(FieldProblem((*at, method), "an operation must be an object"))
                    continue
                operations += 1

    if problems:
        raise InvalidSpecDocument("The document is not a usable OpenAPI description.", problems)
    if operations > MAX_OPERATIONS:
        raise InvalidSpecDocument(
            "The document has too many operations.",
            [
                FieldProblem(
                    (*where, "paths"), f"{operations} operations; the limit is {MAX_OPERATIONS}"
                )
            ],
        )
    return DocumentSummary(
        openapi_version=version,
        title=title.strip(),
        version=version_text.strip(),
        operation_count=operations,
    )
