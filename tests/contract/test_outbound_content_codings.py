"""Compressed upstream answers: decoded as httpx would, and never inflated far past the cap.

The guard reads raw bytes and inflates them step by step (adapters/outbound/capped_body.py), so
a bomb costs the cap plus a chunk or two of memory, whatever it would inflate to.
"""

from __future__ import annotations

import gzip
import time
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from adapters.outbound import GuardedHttpClient, build_guarded_client
from adapters.outbound.capped_body import read_capped_body
from domain.errors import UpstreamUnavailable
from tests.support.compression_bombs import MIB, deflate_bomb, gzip_bomb
from tests.support.upstream_server import Reply, UpstreamServer

PAYLOAD = b'{"items": [' + b",".join(b'{"id": %d, "name": "item"}' % i for i in range(5000)) + b"]}"


def _zlib_deflate(data: bytes) -> bytes:
    return zlib.compress(data)


def _raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


# content-encoding, how the payload is encoded, what the guard must return
CODINGS: dict[str, tuple[str, Callable[[bytes], bytes], bytes]] = {
    "identity": ("identity", lambda data: data, PAYLOAD),
    "gzip": ("gzip", gzip.compress, PAYLOAD),
    "upper_case_gzip": ("GZIP", gzip.compress, PAYLOAD),
    "zlib_deflate": ("deflate", _zlib_deflate, PAYLOAD),
    "raw_deflate": ("deflate", _raw_deflate, PAYLOAD),
    "deflate_then_gzip": ("deflate, gzip", lambda data: gzip.compress(_raw_deflate(data)), PAYLOAD),
    # No decoder for br without optional packages, and none is asked for: kept as sent.
    "br_kept_as_sent": ("br", lambda data: b"\x8b\x02\x80brotli?", b"\x8b\x02\x80brotli?"),
    "unknown_coding_skipped": ("x-custom, gzip", gzip.compress, PAYLOAD),
}


@pytest.fixture
async def client() -> AsyncIterator[GuardedHttpClient]:
    guarded = build_guarded_client(("127.0.0.0/8",), total_timeout=5.0)
    yield guarded
    await guarded.aclose()


def _served(body: bytes, coding: str) -> UpstreamServer:
    return UpstreamServer(lambda request: Reply(200, {"content-encoding": coding}, body))


@pytest.mark.parametrize("case", sorted(CODINGS))
async def test_a_compressed_answer_is_decoded_as_httpx_would(
    client: GuardedHttpClient, case: str
) -> None:
    coding, encode, expected = CODINGS[case]
    async with _served(encode(PAYLOAD), coding) as server:
        answer = await client.request("GET", server.url + "/")
    assert (answer.content, answer.truncated) == (expected, False)
    assert ("content-encoding", coding) in answer.headers


@pytest.mark.parametrize("case", ["gzip", "zlib_deflate", "raw_deflate", "deflate_then_gzip"])
@pytest.mark.parametrize("chunk_size", [1, 7, 4096])
async def test_decoding_does_not_depend_on_how_the_bytes_arrive(case: str, chunk_size: int) -> None:
    coding, encode, expected = CODINGS[case]
    encoded = encode(PAYLOAD)
    chunks = [encoded[i : i + chunk_size] for i in range(0, len(encoded), chunk_size)]
    body, truncated = await read_capped_body(
        _response(coding, chunks), "example.test", 10 * MIB, "truncate"
    )
    assert (body, truncated) == (expected, False)


@pytest.mark.parametrize("limit", [1, 1000, len(PAYLOAD) - 1])
async def test_a_compressed_answer_over_the_cap_is_cut_at_the_cap(limit: int) -> None:
    response = _response("gzip", [gzip.compress(PAYLOAD)])
    body, truncated = await read_capped_body(response, "example.test", limit, "truncate")
    assert (body, truncated) == (PAYLOAD[:limit], True)


async def test_a_compressed_answer_exactly_at_the_cap_is_whole() -> None:
    response = _response("gzip", [gzip.compress(PAYLOAD)])
    body, truncated = await read_capped_body(response, "example.test", len(PAYLOAD), "truncate")
    assert (body, truncated) == (PAYLOAD, False)


async def test_a_compressed_spec_over_the_cap_is_refused_as_too_large() -> None:
    response = _response("gzip", [gzip_bomb(64)])
    with pytest.raises(UpstreamUnavailable) as caught:
        await read_capped_body(response, "example.test", MIB, "refuse")
    assert caught.value.reason == "too_large"


async def test_bytes_after_the_end_of_a_gzip_stream_are_ignored() -> None:
    chunks = [gzip.compress(PAYLOAD), *[b"trailing garbage" * 4096] * 64]
    body, truncated = await read_capped_body(
        _response("gzip", chunks), "example.test", 10 * MIB, "truncate"
    )
    assert (body, truncated) == (PAYLOAD, False)


def _with_a_wrong_checksum(data: bytes) -> bytes:
    return data[:-8] + bytes(byte ^ 0xFF for byte in data[-8:-4]) + data[-4:]


@pytest.mark.parametrize(
    ("coding", "body"),
    [
        ("gzip", b"not gzip at all"),
        ("deflate", b"\xff" * 64),
        ("gzip", _with_a_wrong_checksum(gzip.compress(PAYLOAD))),
    ],
    ids=["not_gzip", "not_deflate", "gzip_with_a_wrong_checksum"],
)
async def test_an_undecodable_body_is_a_bad_response(coding: str, body: bytes) -> None:
    with pytest.raises(UpstreamUnavailable) as caught:
        await read_capped_body(_response(coding, [body]), "example.test", MIB, "truncate")
    assert caught.value.reason == "bad_response"


async def test_a_header_stacking_many_codings_is_a_bad_response() -> None:
    response = _response(", ".join(["gzip"] * 1000), [b"\x1f\x8b"])
    with pytest.raises(UpstreamUnavailable) as caught:
        await read_capped_body(response, "example.test", MIB, "truncate")
    assert caught.value.reason == "bad_response"


BOMBS: dict[str, tuple[str, Callable[[], bytes]]] = {
    "gzip_1_gib": ("gzip", lambda: gzip_bomb(1024)),
    "raw_deflate_1_gib": ("deflate", lambda: deflate_bomb(1024)),
    # 1 GiB inside 1 MiB of gzip inside 3 KiB of gzip: httpx inflated the inner MiB at once.
    "gzip_in_gzip_1_gib": ("gzip, gzip", lambda: gzip.compress(gzip_bomb(1024), 9)),
}
BODY_LIMIT = MIB
# The kept body (the cap), plus network chunks, zlib windows and the test server's copy of what
# it sends: 2.4 MiB measured. Reading through httpx's decoder peaked at 141 MiB for the first two
# bombs and inflated the whole GiB at once for the third.
PEAK_BOUND = BODY_LIMIT + 2 * MIB


@pytest.mark.parametrize("case", sorted(BOMBS))
async def test_a_compression_bomb_costs_the_cap_plus_a_little_memory_and_is_cut(
    client: GuardedHttpClient, case: str
) -> None:
    coding, build = BOMBS[case]
    bomb = build()
    async with _served(bomb, coding) as server:
        await client.request("GET", server.url + "/", body_limit=16)  # connect outside the count
        tracemalloc.start()
        started = time.perf_counter()
        try:
            answer = await client.request("GET", server.url + "/", body_limit=BODY_LIMIT)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        seconds = time.perf_counter() - started
    assert (answer.content, answer.truncated) == (bytes(BODY_LIMIT), True)
    assert peak < PEAK_BOUND, f"{case}: peak {peak / MIB:.1f} MiB for {len(bomb)} bytes sent"
    assert seconds < 5.0


def _response(coding: str, chunks: list[bytes]) -> httpx.Response:
    async def stream() -> AsyncIterator[bytes]:
        for chunk in chunks:
            yield chunk

    return httpx.Response(200, headers={"content-encoding": coding}, content=stream())
