"""A load of tool calls against served processes, with every outcome and its timing recorded.

HTTP calls go through the test route (`POST /api/servers/{id}/test`), MCP calls are raw
JSON-RPC `tools/call` POSTs to the stateless Streamable HTTP endpoint, exactly what any client
puts on the wire. Each call has a hard time limit; the load stops when `stop` is set, or at
`max_seconds` whatever happens (bounded loops).
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx

from tests.faults.served import api_headers

__all__ = ["CALL_TIME_LIMIT", "Outcome", "run_load"]

CALL_TIME_LIMIT = 30.0
"""No call may take longer (the longest time limit on the call path: pool checkout, upstream)."""

MCP_HEADERS = {
    "Accept": "application/json, text/event-stream",
    "Content-Type": "application/json",
    "MCP-Protocol-Version": "2025-06-18",
}


@dataclass(frozen=True)
class Outcome:
    """One call: `result` is "ok" or a short description of the failure the client saw."""

    kind: str  # "http" or "mcp"
    result: str
    started: float  # time.monotonic()
    ended: float
    status: int | None = None
    body: Any = None

    @property
    def ok(self) -> bool:
        return self.result == "ok"

    @property
    def seconds(self) -> float:
        return self.ended - self.started


def _http_result(answer: httpx.Response) -> tuple[str, Any]:
    body = answer.json()
    if answer.status_code == 200 and body.get("success") and not body["data"]["isError"]:
        return "ok", None
    error = body.get("error") or {}
    return f"http {answer.status_code} {error.get('code')}", body


def _mcp_result(answer: httpx.Response) -> tuple[str, Any]:
    try:
        body = answer.json()
    except ValueError:
        return f"mcp-http {answer.status_code} not-json", answer.text[:500]
    if not isinstance(body, dict) or body.get("jsonrpc") != "2.0":
        return f"mcp-http {answer.status_code} not-jsonrpc", body
    if "error" in body:
        return f"mcp-http {answer.status_code} jsonrpc {body['error'].get('code')}", body
    if answer.status_code == 200 and body["result"].get("isError") is False:
        return "ok", None
    return f"mcp-http {answer.status_code} tool-error", body


async def _calls(
    kind: str,
    client: httpx.AsyncClient,
    bases: list[str],
    server: dict[str, Any],
    stop: threading.Event,
    deadline: float,
    out: list[Outcome],
    index: int,
) -> None:
    rpc_ids = itertools.count(1)
    for n in itertools.count():
        if stop.is_set() or time.monotonic() > deadline:
            return
        base = bases[(index + n) % len(bases)]
        started = time.monotonic()
        status = None
        try:
            async with asyncio.timeout(CALL_TIME_LIMIT):
                if kind == "http":
                    answer = await client.post(
                        f"{base}/api/servers/{server['id']}/test",
                        json={"toolName": "listPets", "arguments": {"limit": 1}},
                        headers=api_headers(),
                    )
                    status = answer.status_code
                    result, body = _http_result(answer)
                else:
                    answer = await client.post(
                        f"{base}/mcp/{server['endpointId']}",
                        json={
                            "jsonrpc": "2.0",
                            "id": next(rpc_ids),
                            "method": "tools/call",
                            "params": {"name": "listPets", "arguments": {"limit": 1}},
                        },
                        headers=MCP_HEADERS | {"Authorization": f"Bearer {server['token']}"},
                    )
                    status = answer.status_code
                    result, body = _mcp_result(answer)
        except TimeoutError:
            result, body = "hung past the time limit", None
        except httpx.HTTPError as error:
            result, body = f"transport {type(error).__name__}", str(error)
        out.append(Outcome(kind, result, started, time.monotonic(), status, body))
        if result != "ok":
            await asyncio.sleep(0.05)  # failing fast must not turn into a busy loop


def run_load(
    bases: list[str],
    server: dict[str, Any],
    stop: threading.Event,
    *,
    http_tasks: int = 4,
    mcp_tasks: int = 4,
    max_seconds: float = 120.0,
) -> list[Outcome]:
    """Run the load until `stop` is set (call it in a thread); every outcome in start order."""

    async def main() -> list[Outcome]:
        out: list[Outcome] = []
        deadline = time.monotonic() + max_seconds
        limits = httpx.Limits(max_connections=http_tasks + mcp_tasks)
        async with httpx.AsyncClient(timeout=CALL_TIME_LIMIT + 5, limits=limits) as client:
            await asyncio.gather(
                *(
                    _calls(kind, client, bases, server, stop, deadline, out, i)
                    for kind, count in (("http", http_tasks), ("mcp", mcp_tasks))
                    for i in range(count)
                )
            )
        return sorted(out, key=lambda o: o.started)

    return asyncio.run(main())
