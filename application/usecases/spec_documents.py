"""Turning what the caller sent (an object, JSON or YAML text, or a URL) into a document."""

from __future__ import annotations

from typing import Any

from application.ports.documents import DocumentDecoder, DocumentFetcher
from domain.errors import FieldProblem, InvalidSpecDocument
from domain.openapi.document import DocumentSummary, inspect_document

__all__ = ["MAX_DOCUMENT_BYTES", "SpecDocumentLoader"]

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


class SpecDocumentLoader:
    """Loads and recognises a document given inline or by URL."""

    def __init__(self, decoder: DocumentDecoder, fetcher: DocumentFetcher) -> None:
        self._decoder = decoder
        self._fetcher = fetcher

    async def load(
        self, raw_spec: Any, source_url: str | None
    ) -> tuple[dict[str, Any], DocumentSummary]:
        """The document as a JSON object, and what it is.

        Raises:
            InvalidSpecDocument: the document is unusable (problems name the place).
            UpstreamUnavailable: the URL could not be fetched.
        """
        if raw_spec is not None:
            where: tuple[str | int, ...] = ("rawSpec",)
            document = self._decode_inline(raw_spec, where)
        elif source_url is not None:
            where = ("sourceUrl",)
            fetched = await self._fetcher.fetch(source_url)
            document = self._decode_text(fetched.content, where)
        else:
            raise InvalidSpecDocument(
                "Give the document in rawSpec or a sourceUrl to fetch it from.",
                [FieldProblem(("rawSpec",), "one of rawSpec and sourceUrl is required")],
            )
        summary = inspect_document(document, where)
        assert isinstance(document, dict)
        return document, summary

    def _decode_inline(self, raw_spec: Any, where: tuple[str | int, ...]) -> object:
        if isinstance(raw_spec, str):
            return self._decode_text(raw_spec, where)
        if isinstance(raw_spec, dict):
            return raw_spec
        raise InvalidSpecDocument(
            "rawSpec must be a JSON object or a string of JSON or YAML.",
            [FieldProblem(where, "expected an object or a string")],
        )

    def _decode_text(self, text: str | bytes, where: tuple[str | int, ...]) -> object:
        size = len(text.encode() if isinstance(text, str) else text)
        if size > MAX_DOCUMENT_BYTES:
            raise InvalidSpecDocument(
                "The document is too large.",
                [FieldProblem(where, f"{size} bytes; the limit is {MAX_DOCUMENT_BYTES}")],
            )
        if not text.strip():
            raise InvalidSpecDocument(
                "The document is empty.", [FieldProblem(where, "the document is empty")]
            )
        try:
            return self._decoder.decode(text)
        except InvalidSpecDocument as exc:
            problems = [FieldProblem((*where, *p.path), p.message) for p in exc.problems]
            raise InvalidSpecDocument(exc.message, problems) from None
