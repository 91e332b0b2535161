"""OpenAPI 3 request bodies and responses in the compiler's terms."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from domain.openapi.media_types import FORM, MULTIPART, choose_media_type, is_json_like
from domain.openapi.operation_specs import BodySpec, ResponseSpec
from domain.openapi.pointers import Where
from domain.openapi.success_responses import success_responses

__all__ = ["body_from_v3", "response_from_v3"]


def body_from_v3(node: Mapping[str, Any], base: str, pointer: Where) -> BodySpec | None:
    """The chosen representation of a (resolved) Request Body Object."""
    content = node.get("content")
    if not isinstance(content, Mapping) or not content:
        return None
    media = choose_media_type(content)
    if media is None:
        return None
    entry = content[media]
    schema = entry.get("schema", {}) if isinstance(entry, Mapping) else {}
    as_text = not (is_json_like(media) or media.split(";")[0].strip().lower() in (FORM, MULTIPART))
    description = node.get("description")
    return BodySpec(
        media_type=media,
        schema=schema,
        base=base,
        required=node.get("required") is True,
        description=description if isinstance(description, str) else None,
        pointer=((pointer, "content"), media),
        as_text=as_text,
    )


def response_from_v3(
    responses: Mapping[str, Any], follow: Any, base: str, pointer: Where
) -> ResponseSpec | None:
    """The schema of the first 2xx response that has a JSON-like representation."""
    for code, node, node_base in success_responses(responses, follow, base):
        content = node.get("content")
        if not isinstance(content, Mapping):
            continue
        if next(iter(content), None) == "application/json":
            media: str | None = "application/json"  # listed first: the first choice
        else:
            media = choose_media_type(
                [m for m in content if isinstance(m, str) and is_json_like(m)]
            )
        if media is None:
            continue
        entry = content[media]
        if isinstance(entry, Mapping) and "schema" in entry:
            # A lazy pointer: spelled out only if the schema gets a warning.
            where = ((((pointer, code), "content"), media), "schema")
            return ResponseSpec(entry["schema"], node_base, where)
    return None
