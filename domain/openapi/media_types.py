"""Media types: which request or response representation the compiler picks, and how it is sent."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

__all__ = ["FORM", "MULTIPART", "choose_media_type", "is_json_like"]

FORM: Final = "application/x-www-form-urlencoded"
MULTIPART: Final = "multipart/form-data"


def _essence(media_type: str) -> str:
    if media_type == "application/json":
        return media_type  # by far the most common: skip the parsing
    return media_type.split(";", 1)[0].strip().lower()


def is_json_like(media_type: str) -> bool:
    """application/json, any `+json` type, or a wildcard (the executor then sends JSON)."""
    essence = _essence(media_type)
    return essence in ("application/json", "*/*", "application/*", "text/json") or essence.endswith(
        "+json"
    )


def _rank(media_type: str) -> int:
    essence = _essence(media_type)
    if essence == "application/json":
        return 0
    if essence.endswith("+json") or essence == "text/json":
        return 1
    if essence == FORM:
        return 2
    if essence == MULTIPART:
        return 3
    if is_json_like(essence):
        return 4
    return 5


def choose_media_type(media_types: Iterable[object]) -> str | None:
    """The representation to use: JSON first, then forms, then the first other one."""
    best: tuple[int, int, str] | None = None
    for index, media_type in enumerate(media_types):
        if not isinstance(media_type, str):
            continue
        candidate = (_rank(media_type), index, media_type)
        if best is None or candidate < best:
            best = candidate
    return None if best is None else best[2]
