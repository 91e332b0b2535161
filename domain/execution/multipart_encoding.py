"""multipart/form-data bodies (RFC 7578) with OpenAPI's default encoding of each property."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from typing import Any

from domain.execution.value_text import json_text, scalar_text

__all__ = ["encode_multipart"]

_BOUNDARY = re.compile(r"[0-9A-Za-z'()+_,\-./:=?]{1,70}")
_Part = tuple[str, tuple[str, ...], bytes]


def _quoted(name: str) -> str:
    # The HTML form rules: quotes and line breaks in a field name are percent-encoded.
    return name.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


def _part(name: str, item: Any, binary: bool) -> _Part:
    disposition = f'form-data; name="{_quoted(name)}"'
    if binary and isinstance(item, str):
        # A `format: binary` string is the file's content; the field name stands for a filename.
        headers = (f'{disposition}; filename="{_quoted(name)}"', "application/octet-stream")
        return name, headers, item.encode("utf-8")
    if isinstance(item, Mapping | list):
        return name, (disposition, "application/json"), json_text(item).encode("utf-8")
    return name, (disposition,), scalar_text(item).encode("utf-8")


def _parts(value: Mapping[Any, Any], binary_fields: frozenset[str]) -> list[_Part]:
    parts: list[_Part] = []
    for key, item in value.items():
        name = str(key)
        binary = name in binary_fields
        if isinstance(item, list):
            parts.extend(_part(name, element, binary) for element in item if element is not None)
        elif item is not None:
            parts.append(_part(name, item, binary))
    return parts


def _derived_boundary(parts: Iterable[_Part]) -> str:
    # A digest of the content cannot practically occur inside that content, and keeps the
    # output a pure function of the input.
    digest = hashlib.sha256()
    for _name, headers, content in parts:
        digest.update("\n".join(headers).encode("utf-8"))
        digest.update(content)
    return f"specmcp-{digest.hexdigest()[:40]}"


def encode_multipart(
    value: Mapping[Any, Any], binary_fields: frozenset[str], boundary: str | None
) -> tuple[bytes, str]:
    """The body and its Content-Type; arrays become repeated parts, objects JSON parts.

    `boundary` should come from a random token of the caller; without one it is derived from
    the content.
    """
    parts = _parts(value, binary_fields)
    chosen = boundary if boundary is not None else _derived_boundary(parts)
    if not _BOUNDARY.fullmatch(chosen):
        raise ValueError("a multipart boundary has 1 to 70 characters of RFC 2046 bchars")
    chunks: list[bytes] = []
    for _name, headers, content in parts:
        lines = [f"--{chosen}", f"Content-Disposition: {headers[0]}"]
        if len(headers) > 1:
            lines.append(f"Content-Type: {headers[1]}")
        chunks.append(("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + content + b"\r\n")
    chunks.append(f"--{chosen}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={chosen}"
