"""Outbound client benchmark: our guarded client against plain httpx on the same local upstream.

Run: `uv run python bench/outbound_bench.py [--calls 3000] [--rounds 3]`.

The upstream is call_path_servers.py's (raw asyncio HTTP/1.1, keep-alive, a 76-byte JSON
answer) in its own process. In this process, on uvloop as `specmcp serve` runs: the guarded
client (`build_guarded_client`, the one every tool call goes through: address checks, capped
body, redirects, its own HTTP/1.1 pool) and, as the reference, `httpx.AsyncClient` with its
default pool (httpcore on anyio, h11), which the guarded client was built on until it was
measured to cost about half of the server's CPU per call. Figures: CPU time of this process per
request (`time.process_time`) and wall time per request, sequential and with 20 concurrent
callers sharing the calls; medians over the rounds, the clients alternating.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import uvloop

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.outbound import build_guarded_client

SERVERS = Path(__file__).resolve().parent / "call_path_servers.py"
Get = Callable[[], Awaitable[None]]


async def _measure(get: Get, calls: int, callers: int) -> tuple[float, float]:
    """(CPU ms, wall ms) per request with `callers` concurrent callers."""

    async def worker(count: int) -> None:
        for _ in range(count):
            await get()

    cpu = time.process_time()
    wall = time.perf_counter()
    await asyncio.gather(*(worker(calls // callers) for _ in range(callers)))
    done = calls // callers * callers
    return (
        (time.process_time() - cpu) * 1000 / done,
        (time.perf_counter() - wall) * 1000 / done,
    )


async def _run(url: str, calls: int, rounds: int) -> dict[str, list[tuple[float, float]]]:
    guarded = build_guarded_client(("127.0.0.0/8",))
    plain = httpx.AsyncClient(timeout=30)

    async def ours() -> None:
        answer = await guarded.request("GET", url)
        assert answer.status == 200 and answer.content

    async def reference() -> None:
        answer = await plain.get(url)
        assert answer.status_code == 200 and answer.content

    figures: dict[str, list[tuple[float, float]]] = {}
    try:
        for get in (ours, reference):
            for _ in range(200):
                await get()
        for _ in range(rounds):
            for label, get in (("guarded client", ours), ("httpx.AsyncClient", reference)):
                for callers in (1, 20):
                    figures.setdefault(f"{label}|{callers}", []).append(
                        await _measure(get, calls, callers)
                    )
    finally:
        await guarded.aclose()
        await plain.aclose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--port", type=int, default=18791)
    args = parser.parse_args()
    upstream = subprocess.Popen(
        [sys.executable, str(SERVERS), "upstream", "--port", str(args.port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{args.port}/items/42?verbose=true"
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(url, timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        figures = uvloop.run(_run(url, args.calls, args.rounds))
    finally:
        upstream.terminate()
        upstream.wait(10)
    print(f"Medians of {args.rounds} rounds, {args.calls} GETs each (keep-alive, 76-byte answer).")
    print()
    print("| client | callers | CPU ms/request | wall ms/request |")
    print("|---|---:|---:|---:|")
    for key, values in figures.items():
        label, callers = key.split("|")
        cpu = statistics.median(v[0] for v in values)
        wall = statistics.median(v[1] for v in values)
        print(f"| {label} | {callers} | {cpu:.3f} | {wall:.3f} |")
    print()
    for callers in ("1", "20"):
        ours = statistics.median(v[0] for v in figures[f"guarded client|{callers}"])
        theirs = statistics.median(v[0] for v in figures[f"httpx.AsyncClient|{callers}"])
        print(f"CPU per request, httpx / guarded, {callers} caller(s): {theirs / ours:.2f}x")


if __name__ == "__main__":
    main()
