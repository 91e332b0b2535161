"""Tool names: valid, unique, deterministic and independent of the document's order."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from typing import Final

from domain.openapi.records import NameRequest

__all__ = ["MAX_NAME_LENGTH", "NameRequest", "assign_names", "is_valid_name"]

MAX_NAME_LENGTH: Final = 64
# A search for one bad character scans in C: fewer instructions than a set test per character
# (a pattern ending in `+` is much slower to fail, hence two patterns).
_INVALID_CHARACTER: Final = re.compile(r"[^A-Za-z0-9_-]")
_INVALID_RUN: Final = re.compile(r"[^A-Za-z0-9_-]+")
_CAMEL_BREAK: Final = re.compile(r"_+")


def is_valid_name(name: str) -> bool:
    """True when `name` is 1..64 characters of `[A-Za-z0-9_-]`."""
    if not 0 < len(name) <= MAX_NAME_LENGTH:
        return False
    # Letters and digits only (most operationIds): str's own test, cheaper than the regex.
    return (name.isascii() and name.isalnum()) or _INVALID_CHARACTER.search(name) is None


def _digest(text: str, size: int) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()[:size]


def _sanitise(text: str) -> str:
    cleaned = _INVALID_RUN.sub("_", text)
    if "__" in cleaned:
        cleaned = _CAMEL_BREAK.sub("_", cleaned)
    return cleaned.strip("_-")


def _fit(name: str, room: int) -> str:
    # Cut readably: keep the start, add a stable hash of the full name so cuts stay distinct.
    if len(name) <= room:
        return name
    head = name[: room - 9].rstrip("_-")
    return f"{head}_{_digest(name, 8)}"


def _candidate(request: NameRequest) -> tuple[str, bool]:
    """The wanted name, and whether it is the operationId verbatim."""
    op_id = request.operation_id
    if isinstance(op_id, str):
        if is_valid_name(op_id):
            return op_id, True
        cleaned = _sanitise(op_id)
        if cleaned:
            return _fit(cleaned, MAX_NAME_LENGTH), False
    derived = _sanitise(f"{request.method.lower()}_{request.path}") or request.method.lower()
    return _fit(derived, MAX_NAME_LENGTH), False


def _suffixed(name: str, request: NameRequest, size: int) -> str:
    suffix = _digest(f"{request.method.upper()} {request.path}", size)
    return f"{_fit(name, MAX_NAME_LENGTH - size - 1)}_{suffix}"


def assign_names(requests: Iterable[NameRequest]) -> list[str]:
    """Name every operation, in the order given.

    A name depends only on the operation itself and on the operations that want the same name
    (compared case-insensitively): within such a group, a verbatim valid operationId keeps its
    name when it is the only one; every other member gets a suffix hashed from its method and
    path. Adding an operation elsewhere never renames an existing tool.
    """
    items = list(requests)
    candidates = [_candidate(r) for r in items]
    names = [name for name, _ in candidates]
    if len({name.lower() for name in names}) == len(names):
        return names  # no two operations want the same name (the common case)
    groups: dict[str, list[int]] = {}
    for index, (name, _) in enumerate(candidates):
        groups.setdefault(name.lower(), []).append(index)
    for members in groups.values():
        if len(members) < 2:
            continue
        verbatim = [i for i in members if candidates[i][1]]
        keeper = verbatim[0] if len(verbatim) == 1 else None
        for i in members:
            if i != keeper:
                names[i] = _suffixed(candidates[i][0], items[i], 6)
    return _settle(names, items)


def _settle(names: list[str], items: list[NameRequest]) -> list[str]:
    # A suffixed name may still meet another name (astronomically rare): lengthen the hash,
    # then fall back to a counter in (method, path) order, which is order-independent too.
    taken: dict[str, list[int]] = {}
    for index, name in enumerate(names):
        taken.setdefault(name.lower(), []).append(index)
    clashes = [m for m in taken.values() if len(m) > 1]
    if not clashes:
        return names
    used = {n.lower() for n in names}
    for members in clashes:
        ordered = sorted(members, key=lambda i: (items[i].path, items[i].method.upper()))
        for rank, i in enumerate(ordered[1:], start=1):
            fresh = _suffixed(names[i], items[i], 12)
            while fresh.lower() in used:
                fresh = _fit(f"{names[i]}_{rank}", MAX_NAME_LENGTH)
                rank += 1
            used.add(fresh.lower())
            names[i] = fresh
    return names
