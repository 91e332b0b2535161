"""The 2xx responses of an operation, in code order, each followed through its `$ref`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

__all__ = ["success_responses"]


def success_responses(
    responses: Mapping[Any, Any], follow: Any, base: str
) -> Iterator[tuple[str, Mapping[str, Any], str]]:
    """(code as text, resolved Response Object, its base) for each 2xx response, lowest code
    first; a response that cannot be followed or is not an object is left out."""
    twos: list[str] = []
    codes: dict[str, Any] | None = None
    try:
        for key in responses:
            if key[:1] == "2":
                twos.append(key)
    except TypeError:  # a code that is not text (YAML `200:` is text after decoding)
        codes = {str(k): k for k in responses}
        twos = [code for code in codes if code.startswith("2")]
    if len(twos) > 1:
        twos.sort()
    for code in twos:
        node = responses[codes[code] if codes is not None else code]
        if type(node) is dict and "$ref" not in node:
            yield code, node, base  # not a reference: the common case
        else:
            node, node_base, problem = follow(node, base)
            if problem is None and isinstance(node, Mapping):
                yield code, node, node_base
