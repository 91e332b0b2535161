"""Compiler benchmark: decode floor, our compile (decode included), peak memory, FastMCP import.

Run: `uv run python bench/compile_bench.py [--reps N] [--fastmcp-cap SECONDS] [--no-fastmcp]`.

Times are CPU time (`time.process_time`), so that other work on the machine matters less.
Each document is measured in a fresh child process (what an earlier, bigger document left
in the heap does not slow the next one down): decode alone and decode + compile (as the
import use case compiles: `compile_spec` with its default settings) alternate, `--reps`
times each; both include freeing what they made (the decoded document, the tools), and
nothing else is alive meanwhile. The minimum is the figure, the median is shown beside it.
FastMCP runs in another child process per document (3 repetitions at most, a time cap
each), also timed in CPU time.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
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


def _cpu_times(raw: bytes, reps: int) -> tuple[list[float], list[float]]:
    """CPU seconds of decode alone and of decode + compile, alternated `reps` times."""
    decode: list[float] = []
    compiled: list[float] = []
    for _ in range(reps):
        gc.collect()
        start = time.process_time()
        DECODER.decode(raw)
        decode.append(time.process_time() - start)
        gc.collect()
        start = time.process_time()
        compile_spec(DECODER.decode(raw))  # type: ignore[arg-type]
        compiled.append(time.process_time() - start)
    return decode, compiled


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

    times, count, started = [], 0, time.perf_counter()
    for _ in range(reps):
        start = time.process_time()
        count = asyncio.run(build())
        times.append(time.process_time() - start)
        if time.perf_counter() - started > cap / 2:
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


def _ours_child(path: str, reps: int) -> None:
    raw = Path(path).read_bytes()
    # Only the count is kept: live tool objects would slow the timed decodes down (the
    # cyclic GC, on during decoding, would walk them), which would flatter the ratio.
    operations = compile_spec(DECODER.decode(raw)).operation_count  # type: ignore[arg-type]
    decodes, compiles = _cpu_times(raw, reps)
    figures = {"operations": operations, "decodes": decodes, "compiles": compiles}
    figures["peak"] = _peak_mib(raw)
    print(json.dumps(figures))


def _ours(path: Path, reps: int) -> dict[str, Any]:
    command = [sys.executable, __file__, "--ours-child", str(path), "--reps", str(reps)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--reps", type=int, default=7, help="decode and compile repetitions")
    parser.add_argument("--fastmcp-reps", type=int, default=3, help="FastMCP repetitions (max)")
    parser.add_argument(
        "--fastmcp-cap", type=float, default=300.0, help="seconds FastMCP gets per document"
    )
    parser.add_argument("--no-fastmcp", action="store_true", help="skip the FastMCP comparison")
    parser.add_argument("--only", help="only the documents whose name contains this text")
    parser.add_argument("--fastmcp-child", help=argparse.SUPPRESS)
    parser.add_argument("--ours-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fastmcp_child:
        _fastmcp_child(args.fastmcp_child, args.reps, args.fastmcp_cap)
        return
    if args.ours_child:
        _ours_child(args.ours_child, args.reps)
        return
    print(
        f"CPU seconds, minimum of {args.reps} (median in brackets); compile includes decode\n"
        f"{'document':32} {'MiB':>5} {'ops':>6} {'decode s':>16} {'compile s':>16} "
        f"{'x decode':>11} {'peak MiB':>9} {'fastmcp s':>10} {'fastmcp/ours':>12}  note"
    )
    for name in DOCUMENTS:
        if args.only and args.only not in name:
            continue
        path = CORPUS / name
        figures = _ours(path, args.reps)
        decodes, compiles = figures["decodes"], figures["compiles"]
        decode, ours = min(decodes), min(compiles)
        decode_median, ours_median = statistics.median(decodes), statistics.median(compiles)
        if args.no_fastmcp:
            other, note = "skipped", ""
        else:
            other, note = _fastmcp(path, args.fastmcp_reps, args.fastmcp_cap)
        ratio = f"{float(other) / ours:.0f}x" if other[0].isdigit() else other
        print(
            f"{name[:32]:32} {path.stat().st_size / 2**20:5.1f} {figures['operations']:6} "
            f"{decode:7.3f} ({decode_median:6.3f}) {ours:7.3f} ({ours_median:6.3f}) "
            f"{ours / decode:4.1f} ({ours_median / decode_median:4.1f}) {figures['peak']:9.0f} "
            f"{other:>10} {ratio:>12}  {note}",
            flush=True,
        )


if __name__ == "__main__":
    main()
