"""Reading a response body up to a cap: cut and marked, or refused.

The body is read raw and its content codings are undone here, not by httpx. httpx inflates a
whole network chunk in one step, so 64 KiB of gzip could become 64 MiB before the cap was
checked. Here each step inflates at most what the cap still allows (zlib's `max_length`), so
memory stays at the cap plus a chunk or two, whatever the compression ratio.

The codings undone are those httpx undoes without optional packages: gzip and deflate (raw or
zlib-wrapped), stacked in the order the header lists them. Other codings (br, zstd, ...) are
skipped, as httpx skips codings it has no decoder for. The client only asks for gzip and deflate
(`accept-encoding` in guarded_client.py), so keep that header in step with this module.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Protocol

import httpx

from domain.errors import UpstreamUnavailable

__all__ = ["RawAnswer", "read_capped_body"]

# The most one inflation step of a coding with another coding inside it produces.
_STEP = 64 * 1024
# Each coding holds a zlib window (32 KiB) and state: a header listing thousands would be a bomb.
_MAX_CODINGS = 3


class RawAnswer(Protocol):
    """What is read of an answer: an `httpx.Response` or the guarded transport's own."""

    @property
    def headers(self) -> httpx.Headers: ...

    def aiter_raw(self) -> AsyncIterator[bytes]: ...

    async def aclose(self) -> None: ...


async def read_capped_body(
    response: RawAnswer, host: str, body_limit: int, over_limit: str
) -> tuple[bytes, bool]:
    """Read at most `body_limit` decoded bytes, stopping (and dropping the connection) past it.

    The cap counts decoded bytes; a compressed body is never inflated more than a byte past it.

    Returns:
        The body and whether it was cut.

    Raises:
        UpstreamUnavailable: reason `too_large` past the cap when `over_limit` is "refuse";
            `bad_response` when the content-encoding cannot be decoded.
    """
    body = bytearray()

    def room() -> int:
        return body_limit - len(body) + 1

    try:
        codings = _codings(response, host)
        async for raw in response.aiter_raw():
            for chunk in _undo(codings, raw, room):
                body += chunk
                if len(body) > body_limit:
                    if over_limit == "refuse":
                        raise UpstreamUnavailable(
                            f"The answer of {host} is larger than {body_limit} bytes.",
                            reason="too_large",
                        )
                    del body[body_limit:]
                    return bytes(body), True
    except zlib.error as error:
        raise UpstreamUnavailable(
            f"{host} sent a body that could not be decoded.", reason="bad_response"
        ) from error
    finally:
        await response.aclose()
    return bytes(body), False


class _Inflater:
    """One gzip or deflate coding, inflated in bounded steps (as httpx would decode it)."""

    def __init__(self, coding: str) -> None:
        self._zlib = zlib.decompressobj(zlib.MAX_WBITS | 16 if coding == "gzip" else zlib.MAX_WBITS)
        # "deflate" means zlib-wrapped, but some servers send it raw, and httpx accepts both:
        # the input is kept until zlib has checked its 2-byte header, to start over raw.
        self._unchecked: bytes | None = b"" if coding == "deflate" else None

    def inflate(self, data: bytes, max_length: int) -> tuple[bytes, bytes]:
        """Return at most `max_length` (> 0) bytes of output and the input not yet used."""
        if self._zlib.eof:
            # Bytes after the end of the stream are ignored, as httpx does, but not kept.
            return b"", b""
        try:
            out = self._zlib.decompress(data, max_length)
        except zlib.error:
            if self._unchecked is None:
                raise
            data, self._unchecked = self._unchecked + data, None
            self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
            out = self._zlib.decompress(data, max_length)
        if self._unchecked is not None:
            self._unchecked += data
            if len(self._unchecked) >= 2:
                self._unchecked = None
        return out, self._zlib.unconsumed_tail


def _codings(response: RawAnswer, host: str) -> list[_Inflater]:
    """The codings to undo, in the order they are undone (the header's last one first)."""
    raw: list[tuple[bytes, bytes]] | None = getattr(response, "raw_headers", None)
    if raw is None:
        listed = response.headers.get_list("content-encoding", split_commas=True)
    else:  # the guarded transport's answer: no httpx.Headers built just for this
        listed = [
            part
            for name, value in raw
            if name.lower() == b"content-encoding"
            for part in value.decode("latin-1").split(",")
        ]
    known = [value.strip().lower() for value in listed]
    known = [coding for coding in known if coding in ("gzip", "deflate")]
    if len(known) > _MAX_CODINGS:
        raise UpstreamUnavailable(
            f"{host} sent a body with too many content codings.", reason="bad_response"
        )
    return [_Inflater(coding) for coding in reversed(known)]


def _undo(codings: list[_Inflater], data: bytes, room: Callable[[], int]) -> Iterator[bytes]:
    """Yield `data` with `codings` undone, never inflating more than one step at a time.

    The innermost coding inflates at most `room()` bytes per step, the others at most `_STEP`;
    the caller stops iterating once the cap is passed, so nothing more is inflated.
    """
    if not codings:
        if data:
            yield data
        return
    outer, inner = codings[0], codings[1:]
    while True:
        limit = min(_STEP, room()) if not inner else _STEP
        out, data = outer.inflate(data, limit)
        yield from _undo(inner, out, room)
        if len(out) < limit:
            # zlib stopped short of the limit: this input is used up (or the stream ended).
            return
