"""A lean MCP load generator: one fixed `tools/call` POST over N kept-alive connections.

Run by call_path_bench.py in its own process, pinned to its own CPU, so that the server under
test, pinned to the other, is what limits the rate: the official `mcp` client spends 1.2-1.7 ms
of CPU per call, as much as the servers measured, so with it on a 2-core box the client and the
servers share the machine and the rate says as much about the client as about the server. This
one sends the bytes the official client sends for a call (captured from it: same headers, same
JSON-RPC body; in the 2026-07-28 revision with its `_meta`, in the handshake revision the
`tools/call` POSTs a stateless server answers after the client's `initialize`, which servers in
stateless mode do not need) and reads the answers with a few bytes.find calls, about 0.05 ms
of CPU per call.

Prints one JSON line: calls, seconds, calls_per_s, median_ms, p99_ms, errors, checked.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time

_META = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientInfo": {"name": "mcp", "version": "0.1.0"},
    "io.modelcontextprotocol/clientCapabilities": {},
}


def build_request(
    host: str, port: int, path: str, token: str | None, tool: str, args: str, revision: str
) -> bytes:
    """The exact request the official client (mcp 2.3) sends for one call in `revision`."""
    params: dict[str, object] = {"name": tool, "arguments": json.loads(args)}
    if revision == "2026-07-28":
        params["_meta"] = _META
        routing = [
            "mcp-protocol-version: 2026-07-28",
            "mcp-method: tools/call",
            f"mcp-name: {tool}",
        ]
    else:
        routing = [f"mcp-protocol-version: {revision}"]
    body = json.dumps(
        {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": params},
        separators=(",", ":"),
    ).encode()
    headers = [
        f"POST {path} HTTP/1.1",
        f"Host: {host}:{port}",
        "Accept-Encoding: gzip, deflate",
        "Connection: keep-alive",
        "User-Agent: specmcp-bench-load",
        *([f"Authorization: Bearer {token}"] if token else []),
        "accept: application/json, text/event-stream",
        "content-type: application/json",
        *routing,
        f"Content-Length: {len(body)}",
    ]
    return ("\r\n".join(headers) + "\r\n\r\n").encode() + body


class Caller(asyncio.Protocol):
    """One connection sending the request again as soon as the answer is in."""

    def __init__(self, run: Run, request: bytes) -> None:
        self.run = run
        self.request = request
        self.buffer = bytearray()
        self.sent = 0.0
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.send()

    def send(self) -> None:
        if self.run.stopping:
            assert self.transport is not None
            self.transport.close()
            return
        self.sent = time.perf_counter()
        assert self.transport is not None
        self.transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(self.buffer[:end]).lower()
        start = head.find(b"content-length:")
        if start < 0:
            raise RuntimeError("the load generator reads content-length framed answers only")
        line_end = head.find(b"\r\n", start)
        length = int(head[start + 15 : line_end if line_end >= 0 else len(head)])
        if len(self.buffer) < end + 4 + length:
            return
        body = bytes(self.buffer[end + 4 : end + 4 + length])
        del self.buffer[: end + 4 + length]
        self.run.record(head, body, time.perf_counter() - self.sent)
        self.send()

    def connection_lost(self, exc: Exception | None) -> None:
        self.run.closed += 1
        if self.run.closed == self.run.connections:
            self.run.finished.set()


class Run:
    """Counts answers inside the measured window; checks every 50th answer in full."""

    def __init__(self, connections: int) -> None:
        self.connections = connections
        self.measuring = False
        self.stopping = False
        self.calls = 0
        self.errors = 0
        self.checked = 0
        self.latencies: list[float] = []
        self.closed = 0
        self.finished = asyncio.Event()

    def record(self, head: bytes, body: bytes, seconds: float) -> None:
        if not head.startswith(b"http/1.1 200"):
            self.errors += 1
            return
        if not self.measuring:
            return
        self.calls += 1
        self.latencies.append(seconds * 1000)
        if self.calls % 50 == 1:
            result = json.loads(body).get("result") or {}
            if result.get("isError") is not False or not result.get("structuredContent"):
                self.errors += 1
            self.checked += 1


async def main(args: argparse.Namespace) -> None:
    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})
    tokens = args.token or [None] * len(args.path)
    if len(tokens) != len(args.path):
        raise SystemExit("give one --token per --path, or none")
    requests = [
        build_request(args.host, args.port, path, token, args.tool, args.arguments, args.revision)
        for path, token in zip(args.path, tokens, strict=True)
    ]
    run = Run(args.connections)
    loop = asyncio.get_running_loop()
    for index in range(args.connections):
        # Connections take the endpoints in turn (a server allows 10,000 calls a minute).
        request = requests[index % len(requests)]
        await loop.create_connection(lambda r=request: Caller(run, r), args.host, args.port)
    await asyncio.sleep(args.warmup)
    run.measuring = True
    began = time.perf_counter()
    await asyncio.sleep(args.duration)
    run.measuring = False
    seconds = time.perf_counter() - began
    run.stopping = True
    await asyncio.wait_for(run.finished.wait(), 30)
    latencies = sorted(run.latencies) or [0.0]
    print(
        json.dumps(
            {
                "calls": run.calls,
                "seconds": seconds,
                "calls_per_s": run.calls / seconds,
                "median_ms": statistics.median(latencies),
                "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
                "errors": run.errors,
                "checked": run.checked,
            }
        )
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", action="append", required=True, help="repeatable")
    parser.add_argument("--token", action="append", help="one per --path")
    parser.add_argument("--tool", required=True)
    parser.add_argument("--arguments", default="{}")
    parser.add_argument(
        "--revision", default="2026-07-28", help="2026-07-28, or a handshake one (2025-11-25)"
    )
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--cpu", type=int, help="pin this process to one CPU")
    asyncio.run(main(parser.parse_args()))
