"""DocumentDecoder and DocumentFetcher: bytes in, a JSON-like document out."""

from __future__ import annotations

from typing import Protocol

import msgspec

__all__ = ["DocumentDecoder", "DocumentFetcher", "FetchedDocument"]


class DocumentDecoder(Protocol):
    """Decodes JSON or YAML 1.2 text into plain dicts, lists, strings, numbers, bools, None.

    Raises:
        InvalidSpecDocument: when the text is neither, naming the line and column when known.
    """

    def decode(self, data: str | bytes) -> object: ...


class FetchedDocument(msgspec.Struct, frozen=True):
    """A document fetched from a URL."""

    content: bytes
    content_type: str | None
    url: str


class DocumentFetcher(Protocol):
    """Fetches a document from a user-supplied URL through the outbound guard.

    Raises:
        UpstreamUnavailable: unreachable, refused address, too large, bad answer.
    """

    async def fetch(self, url: str) -> FetchedDocument: ...
