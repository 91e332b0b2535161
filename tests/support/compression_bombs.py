"""Valid gzip and deflate streams of zeros that inflate a thousandfold, built without inflating.

Deflating 1 GiB takes seconds; instead one MiB of zeros is deflated and ended with a full
flush, which leaves the compressor byte-aligned with an empty history, so every later MiB
deflates to the very same bytes and the stream is that block repeated.
"""

from __future__ import annotations

import functools
import struct
import zlib

__all__ = ["MIB", "deflate_bomb", "gzip_bomb"]

MIB = 1024 * 1024


def gzip_bomb(mebibytes: int) -> bytes:
    """A gzip member (CRC and length correct) inflating to `mebibytes` MiB of zeros."""
    header, block, final = _blocks(zlib.MAX_WBITS | 16)
    crc = _zeros_crc32(mebibytes)
    return header + block * mebibytes + final + struct.pack("<II", crc, mebibytes * MIB % 2**32)


def deflate_bomb(mebibytes: int) -> bytes:
    """A raw deflate stream (as some servers send "deflate") of `mebibytes` MiB of zeros."""
    _, block, final = _blocks(-zlib.MAX_WBITS)
    return block * mebibytes + final


@functools.cache
def _blocks(wbits: int) -> tuple[bytes, bytes, bytes]:
    compressor = zlib.compressobj(9, zlib.DEFLATED, wbits)
    zeros = bytes(MIB)
    first = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    assert first.endswith(block)
    final = compressor.flush()  # the empty last block, then (gzip) the trailer, cut off below
    return first[: len(first) - len(block)], block, final[:2]


@functools.cache
def _zeros_crc32(mebibytes: int) -> int:
    zeros = bytes(MIB)
    crc = 0
    for _ in range(mebibytes):
        crc = zlib.crc32(zeros, crc)
    return crc
