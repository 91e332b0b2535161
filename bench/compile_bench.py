"""Compiler benchmark: decode floor, our compile (decode included), peak memory, FastMCP import.

Run: `uv run python bench/compile_bench.py [--reps N] [--fastmcp-cap SECONDS]`.
FastMCP runs in a child process per document (3 repetitions at most, a time cap each).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.documents.json_yaml_decoder import JsonYamlDocumentDecoder
from domain.openapi.compiler import compile_spec

CORPUS = Path(
    os.environ.get(
        "SPECMCP_CORPUS", Path(__file__).resolve().parents[2] / "shared" / "corpus" / "specs"
    )
)
DOCUMENTS = (
    "microsoft-graph__graph.json",
    "github__api.github.com.json",
    "aws-ec2__ec2.json",
    "kubernetes__swagger.json",
    "stripe__spec3.yaml",
)
DECODER = JsonYamlDocumentDecoder()


def _median(action: Callable[[], Any], reps: int) -> float:
    times = []
    for _ in range(reps):
        gc.collect()
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _peak_mib(raw: bytes) -> float:
    gc.collect()
    tracemalloc.start()
    compile_spec(DECODER.decode(raw))  # type: ignore[arg-type]
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def _fastmcp_child(path: str, reps: int, cap: float) -> None:
    import httpx
    from fastmcp import FastMCP

    document = DECODER.decode(Path(path).read_bytes())

    async def build() -> int:
        async with httpx.AsyncClient(base_url="https://example.invalid") as client:
            server = FastMCP.from_openapi(openapi_spec=document, client=client)
            return len(await server.list_tools())

    times, count, spent = [], 0, 0.0
    for _ in range(reps):
        start = time.perf_counter()
        count = asyncio.run(build())
        times.append(time.perf_counter() - start)
        spent += times[-1]
        if spent > cap / 2:
            break
    print(f"{statistics.median(times):.4f} {count} {len(times)}")


def _fastmcp(path: Path, reps: int, cap: float) -> tuple[str, str]:
    command = [
        sys.executable,
        __file__,
        "--fastmcp-child",
        str(path),
        "--reps",
        str(reps),
        "--fastmcp-cap",
        str(cap),
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=cap, check=False)
    except subprocess.TimeoutExpired:
        return "timeout", f"> {cap:.0f} s"
    if done.returncode != 0:
        return "error", done.stderr.strip().splitlines()[-1][:80] if done.stderr else "?"
    seconds, tools, runs = done.stdout.split()
    return f"{float(seconds):.3f}", f"{tools} tools, {runs} runs"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--fastmcp-reps", type=int, default=3)
    parser.add_argument("--fastmcp-cap", type=float, default=300.0)
    parser.add_argument("--fastmcp-child")
    parser.add_argument("--no-fastmcp", action="store_true")
    args = parser.parse_args()
    if args.fastmcp_child:
        _fastmcp_child(args.fastmcp_child, args.reps, args.fastmcp_cap)
        return
    print(
        f"{'document':32} {'MiB':>5} {'ops':>6} {'decode s':>9} {'compile s':>10} "
        f"{'x decode':>8} {'peak MiB':>9} {'fastmcp s':>10} {'fastmcp/ours':>12}  note"
    )
    for name in DOCUMENTS:
        path = CORPUS / name
        raw = path.read_bytes()
        decode = _median(lambda raw=raw: DECODER.decode(raw), args.reps)
        compiled = compile_spec(DECODER.decode(raw))  # type: ignore[arg-type]
        ours = _median(lambda raw=raw: compile_spec(DECODER.decode(raw)), args.reps)  # type: ignore[arg-type]
        peak = _peak_mib(raw)
        if args.no_fastmcp:
            other, note = "skipped", ""
        else:
            other, note = _fastmcp(path, args.fastmcp_reps, args.fastmcp_cap)
        ratio = f"{float(other) / ours:.0f}x" if other[0].isdigit() else other
        print(
            f"{name[:32]:32} {len(raw) / 2**20:5.1f} {compiled.operation_count:6} "
            f"{decode:9.3f} {ours:10.3f} {ours / decode:8.1f} {peak:9.0f} {other:>10} "
            f"{ratio:>12}  {note}",
            flush=True,
        )


if __name__ == "__main__":
    main()
