"""Processes the call-path benchmark starts: the tiny upstream and FastMCP's OpenAPI server.

Run by `bench/call_path_bench.py`, each in its own process:

    python bench/call_path_servers.py upstream --port P
    python bench/call_path_servers.py fastmcp --port P --spec FILE --upstream URL

Both bind 127.0.0.1 only and run until terminated.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
from pathlib import Path

UPSTREAM_BODY = json.dumps(
    {"id": 42, "name": "widget", "price": 9.5, "tags": ["a", "b"], "inStock": True},
    separators=(",", ":"),
).encode()
_RESPONSE = (
    b"HTTP/1.1 200 OK\r\n"
    b"content-type: application/json\r\n"
    b"content-length: " + str(len(UPSTREAM_BODY)).encode() + b"\r\n"
    b"\r\n" + UPSTREAM_BODY
)


class _Upstream(asyncio.Protocol):
    """HTTP/1.1 keep-alive: every request (bodies skipped by Content-Length) gets UPSTREAM_BODY."""

    def __init__(self) -> None:
        self._buffer = b""
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        while True:
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self._buffer[:end].lower()
            length = 0
            marker = head.find(b"content-length:")
            if marker >= 0:
                line_end = head.find(b"\r\n", marker)
                length = int(head[marker + 15 : line_end if line_end >= 0 else None])
            total = end + 4 + length
            if len(self._buffer) < total:
                return
            self._buffer = self._buffer[total:]
            assert self._transport is not None
            self._transport.write(_RESPONSE)


async def _serve_upstream(port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(_Upstream, "127.0.0.1", port, backlog=512)
    async with server:
        await server.serve_forever()


def _serve_fastmcp(port: int, spec_file: Path, upstream: str) -> None:
    import httpx2
    import uvicorn
    from fastmcp import FastMCP

    spec = json.loads(spec_file.read_text())
    client = httpx2.AsyncClient(base_url=upstream, timeout=30)
    server = FastMCP.from_openapi(spec, client=client, name="bench")
    # FastMCP's fastest Streamable HTTP setting, the same framing ours uses: stateless, JSON.
    app = server.http_app(path="/mcp", stateless_http=True, json_response=True)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("role", choices=("upstream", "fastmcp"))
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--spec", type=Path)
    parser.add_argument("--upstream")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if args.role == "upstream":
        asyncio.run(_serve_upstream(args.port))
    else:
        _serve_fastmcp(args.port, args.spec, args.upstream)


if __name__ == "__main__":
    main()
