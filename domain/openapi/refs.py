"""$ref resolution: local JSON pointers and relative multi-file references, memoised."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import unquote, urljoin

from domain.errors import DomainError
from domain.openapi.records import Resolved

__all__ = ["RefResolver", "Resolved", "decode_pointer"]

_MISSING: Final = object()
_UNSEEN: Final = object()


def decode_pointer(fragment: str) -> list[str]:
    """Split a URI fragment into raw JSON-pointer tokens (percent, then `~1` and `~0` decoded)."""
    text = unquote(fragment) if "%" in fragment else fragment
    if not text:
        return []
    tokens = text.lstrip("/").split("/")
    if "~" not in text:
        return tokens
    return [t.replace("~1", "/").replace("~0", "~") for t in tokens]


def _is_url(text: str) -> bool:
    return "://" in text


class RefResolver:
    """Resolves `$ref` strings against the root document and already-loaded other documents.

    `external` maps a document's resolved location to its decoded content: a path relative to
    the root document's folder (`shared/x.yaml`, `../common/Error.yaml`) or an absolute URL when
    the root was given a URL as `base_uri`. A lazy Mapping lets an adapter load files on demand
    while this code stays free of I/O.
    """

    def __init__(
        self, root: Any, base_uri: str = "", external: Mapping[str, Any] | None = None
    ) -> None:
        self._root = root
        self.base_uri = base_uri
        self._external = external
        self._documents: dict[str, Any] = {base_uri: root}
        self._targets: dict[str, Resolved | None] = {}
        self._followed: dict[tuple[str, str], tuple[Any, str, str | None]] = {}

    def key(self, ref: str, base: str) -> str:
        """The canonical `document#pointer` of `ref` written in document `base`."""
        if ref[:1] == "#":
            return base + ref  # a local ref, by far the most common
        location, _, fragment = ref.partition("#")
        if not location:
            document = base
        elif _is_url(location) or _is_url(base):
            document = urljoin(base, location)
        else:
            joined = posixpath.join(posixpath.dirname(base), unquote(location))
            document = posixpath.normpath(joined)
            if document == posixpath.normpath(self.base_uri or "."):
                document = self.base_uri
        return f"{document}#{fragment}"

    def resolve_key(self, key: str) -> Resolved | None:
        """The target of a canonical key, or None when it cannot be found."""
        found = self._targets.get(key, _MISSING)
        if found is not _MISSING:
            return found  # type: ignore[return-value]
        document, _, fragment = key.partition("#")
        node = self._documents.get(document, _UNSEEN)
        if node is _UNSEEN:
            node = self._document(document)
        if node is _MISSING:
            tokens: list[str] = []
        elif "%" in fragment or "~" in fragment:
            tokens = decode_pointer(fragment)
        else:
            tokens = fragment.lstrip("/").split("/") if fragment else []  # nothing to decode
        for token in tokens:
            node = node.get(token, _MISSING) if type(node) is dict else _step(node, token)
            if node is _MISSING:
                break
        found = None if node is _MISSING else Resolved(node, document, key)
        self._targets[key] = found
        return found

    def resolve(self, ref: str, base: str) -> Resolved | None:
        """The target of `ref` written in document `base`, or None when it cannot be found."""
        return self.resolve_key(self.key(ref, base))

    def follow(self, node: Any, base: str) -> tuple[Any, str, str | None]:
        """Follow a chain of `$ref` objects (non-schema objects: parameters, responses...).

        Returns the final node and its document, plus a problem text when the chain is broken
        or circular (the node is then None).
        """
        if type(node) is not dict:
            return self._follow(node, base)
        ref = node.get("$ref")
        if not isinstance(ref, str):
            return node, base, None  # the common case: not a reference
        # The outcome depends on the ref text and its document only; big documents refer to
        # the same shared parameters and responses from thousands of operations.
        found = self._followed.get((ref, base))
        if found is None:
            found = self._follow(node, base)
            self._followed[(ref, base)] = found
        return found

    def _follow(self, node: Any, base: str) -> tuple[Any, str, str | None]:
        seen: set[str] = set()
        while isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
            key = self.key(node["$ref"], base)
            if key in seen:
                return None, base, f"circular $ref {node['$ref']!r}"
            seen.add(key)
            found = self.resolve_key(key)
            if found is None:
                return None, base, f"unresolvable $ref {node['$ref']!r}"
            node, base = found.node, found.base
        return node, base, None

    def _document(self, location: str) -> Any:
        document = self._documents.get(location, _UNSEEN)
        if document is not _UNSEEN:
            return document  # _MISSING too: a document that failed is not asked for again
        document = _MISSING
        if self._external is not None:
            try:
                document = self._external[location]
            except (KeyError, DomainError):
                document = _MISSING
        self._documents[location] = document
        return document


def _step(node: Any, token: str) -> Any:
    if type(node) is dict or isinstance(node, Mapping):
        return node.get(token, _MISSING)
    if isinstance(node, list) and token.isdigit():
        index = int(token)
        return node[index] if index < len(node) else _MISSING
    return _MISSING
