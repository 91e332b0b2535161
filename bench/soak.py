"""Soak run: one `specmcp serve` process under mixed API and MCP traffic for a long while.

Run: `just soak` or `uv run python bench/soak.py [--duration 600] [--clients 4] [--postgres]`.
Not a test and not run in CI: it takes minutes (600 s by default).

What it does, all on 127.0.0.1: starts the tiny upstream of the call-path benchmark and one
`specmcp serve` (SQLite in a temporary directory, or a throwaway PostgreSQL database with
`--postgres`), creates a pro-plan user with one MCP server per client, then runs `--clients`
client processes until `--duration` has passed. Each client mixes:

- MCP: `tools/call` (about 9 in 10) and `tools/list` over long-lived official SDK clients, both
  protocol eras;
- API: list specs, a logs page (and the next one), usage, a tool call through the test route,
  and creating then deleting a server.

Every 5 s the server's RSS (anonymous and file-backed), threads and database/WAL file sizes are
sampled from /proc. The server runs as `soak.py serve`: `specmcp serve` plus a sampler thread
that records, every 5 s, SQLite's heap and page cache, malloc's memory in use, free and arenas,
and pymalloc's arenas, so growth can be attributed. At the end the server gets SIGTERM (its exit
time is measured) and the request log rows in the database are counted: one row for every
metered call that was answered (MCP `tools/call` and test-route calls). The report (stdout, and
JSON with `--json FILE`, every sample included) gives RSS and its breakdown at start, after
warm-up, middle and end, the RSS slope after warm-up, per-kind counts, errors and p50/p99
latency. Anything but a 2xx answer or a designed 429 is an error, and so is a client process
that fails.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from sqlalchemy import text
from sqlalchemy.engine import make_url

from adapters.identity.dev_identity_verifier import mint_dev_token
from adapters.persistence.sql import create_sql_engine, migrate
from adapters.vault.keyring_config import generate_key_entry
from tests.support.documents import petstore

ROOT = Path(__file__).resolve().parents[1]
SECRET = "dev-secret-for-the-soak-run-0123456789abcdef"
USER = "soaker"
ADMIN_URL = os.environ.get(
    "SPECMCP_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
SAMPLE_SECONDS = 5.0
WIDGET = {
    "/widget": {
        "get": {
            "operationId": "getWidget",
            "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer"}}],
            "responses": {
                "200": {
                    "description": "the upstream's one answer",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                }
            },
        }
    }
}
WARM_UP_SECONDS = 60.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_dev_token(USER, SECRET, timedelta(hours=3))}"}


def _proc_status(pid: int) -> dict[str, int]:
    """VmRSS, RssAnon, RssFile, RssShmem (KiB) and Threads from /proc, empty once it is gone."""
    wanted = ("VmRSS", "RssAnon", "RssFile", "RssShmem", "Threads")
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return {}
    fields = (line.split(":", 1) for line in lines)
    return {name: int(value.split()[0]) for name, value in fields if name in wanted}


def _file_kib(path: Path) -> int:
    try:
        return path.stat().st_size // 1024
    except OSError:
        return 0


# ---------------------------------------------------------------- the served process, probed


def _native_sampler(out: Path) -> None:
    """Every SAMPLE_SECONDS, append SQLite's and glibc malloc's own figures to `out` (JSON lines).

    sqlite3_memory_used is all of SQLite's heap in this process (page caches, schemas,
    statements); mallinfo2 and malloc_info tell memory in use, memory free but kept by the
    allocator (fragmentation), and the number of arenas (one per thread, up to 8 per core).
    """
    import _sqlite3
    import ctypes
    import re
    import threading

    sqlite = ctypes.CDLL(_sqlite3.__file__)  # the symbols of the libsqlite3 it links
    sqlite.sqlite3_memory_used.restype = ctypes.c_int64
    int64_p = ctypes.POINTER(ctypes.c_int64)
    sqlite.sqlite3_status64.argtypes = (ctypes.c_int, int64_p, int64_p, ctypes.c_int)
    current, highest = ctypes.c_int64(), ctypes.c_int64()

    def page_cache_bytes() -> int:
        # SQLITE_STATUS_PAGECACHE_OVERFLOW: with no SQLITE_CONFIG_PAGECACHE buffer (the default),
        # all page cache memory; the rest of SQLite's heap is mostly prepared statements.
        sqlite.sqlite3_status64(2, ctypes.byref(current), ctypes.byref(highest), 0)
        return current.value

    libc = ctypes.CDLL("libc.so.6")

    class Mallinfo2(ctypes.Structure):
        _fields_ = [
            (name, ctypes.c_size_t)
            for name in (
                *("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks"),
                *("uordblks", "fordblks", "keepcost"),
            )
        ]

    libc.mallinfo2.restype = Mallinfo2
    libc.fopen.restype = ctypes.c_void_p
    libc.fopen.argtypes = (ctypes.c_char_p, ctypes.c_char_p)
    libc.fclose.argtypes = (ctypes.c_void_p,)
    libc.malloc_info.argtypes = (ctypes.c_int, ctypes.c_void_p)
    scratch = out.with_suffix(".malloc.xml")
    pystats = out.with_suffix(".pymalloc.txt")

    def pymalloc() -> dict[str, int]:
        # Python's own allocator maps 1 MiB arenas itself: malloc's figures miss them.
        # _debugmallocstats writes to C stderr, so fd 2 points at a file for that moment (a log
        # line written in that millisecond lands there too: acceptable for a benchmark).
        saved = os.dup(2)
        try:
            with pystats.open("w") as file:
                os.dup2(file.fileno(), 2)
                sys._debugmallocstats()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        text = pystats.read_text()
        arenas = re.search(r"# arenas allocated current\s*=\s*([\d,]+)", text)
        used = re.search(r"# bytes in allocated blocks\s*=\s*([\d,]+)", text)
        figures = {"pymalloc_arenas_kib": (arenas, 1024), "pymalloc_used_kib": (used, 1 / 1024)}
        return {
            name: int(int(found.group(1).replace(",", "")) * scale)
            for name, (found, scale) in figures.items()
            if found
        }

    def sample() -> dict[str, float]:
        info = libc.mallinfo2()
        handle = libc.fopen(str(scratch).encode(), b"w")
        libc.malloc_info(0, handle)
        libc.fclose(handle)
        arenas = len(re.findall(r"<heap nr=", scratch.read_text()))
        return {
            "wall": round(time.time(), 1),
            "sqlite_kib": sqlite.sqlite3_memory_used() // 1024,
            "sqlite_page_cache_kib": page_cache_bytes() // 1024,
            "malloc_in_use_kib": (info.uordblks + info.hblkhd) // 1024,
            "malloc_free_kib": info.fordblks // 1024,
            "malloc_arenas": arenas,
            **pymalloc(),
        }

    def loop() -> None:
        with out.open("a") as file:
            while True:
                file.write(json.dumps(sample()) + "\n")
                file.flush()
                time.sleep(SAMPLE_SECONDS)

    threading.Thread(target=loop, name="soak-probe", daemon=True).start()


def _serve(args: argparse.Namespace) -> int:
    from entrypoints.cli.main import main as specmcp

    _native_sampler(Path(args.out))
    return specmcp(["serve", "--port", str(args.port)])


def _slope_per_minute(samples: list[tuple[float, int]]) -> float:
    """Least-squares slope of RSS (KiB) over time, in KiB per minute."""
    if len(samples) < 3:
        return 0.0
    xs = [t for t, _ in samples]
    ys = [float(v) for _, v in samples]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    var = sum((x - mx) ** 2 for x in xs)
    return (
        0.0
        if var == 0
        else sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var * 60
    )


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# ---------------------------------------------------------------- client process


class _Stats:
    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.when: dict[str, list[float]] = defaultdict(list)
        self._zero = time.perf_counter()
        self.outcomes: dict[str, Counter[str]] = defaultdict(Counter)

    def add(self, kind: str, started: float, outcome: str) -> None:
        now = time.perf_counter()
        self.latency[kind].append((now - started) * 1000)
        self.when[kind].append(round(now - self._zero, 3))
        self.outcomes[kind][outcome] += 1


def _mcp_outcome(error: BaseException) -> str:
    while isinstance(error, BaseExceptionGroup) and error.exceptions:
        error = error.exceptions[0]
    status = getattr(getattr(error, "response", None), "status_code", None)
    if status == 429:
        return "429"
    code = getattr(getattr(error, "error", None), "code", None)
    return f"error:{type(error).__name__}:{status or code or ''}"


async def _mcp_task(args: argparse.Namespace, mode: str, stats: _Stats, until: float) -> None:
    from tests.mcp.clients import mcp_client

    url = f"{args.base}/mcp/{args.endpoint}"
    while time.monotonic() < until:
        try:
            async with mcp_client(url, args.token, mode=mode) as client:
                while time.monotonic() < until:
                    started = time.perf_counter()
                    if random.random() < 0.1:
                        listed = await client.list_tools()
                        stats.add("mcp_list", started, "ok" if listed.tools else "error:empty")
                    else:
                        result = await client.call_tool("getWidget", {"limit": 1})
                        stats.add("mcp_call", started, "error:isError" if result.is_error else "ok")
                    await asyncio.sleep(args.think)
        except Exception as error:  # one failed request ends the client; count it, reconnect
            stats.add("mcp_call", time.perf_counter(), _mcp_outcome(error))
            await asyncio.sleep(0.5)


async def _api_one(client: httpx.AsyncClient, args: argparse.Namespace, stats: _Stats) -> None:
    pick = random.random()
    started = time.perf_counter()
    if pick < 0.2:
        kind, answer = "api_list_specs", await client.get("/api/specs", params={"limit": 20})
    elif pick < 0.4:
        kind = "api_logs_page"
        path = f"/api/servers/{args.server}/logs"
        answer = await client.get(path, params={"limit": 50})
        cursor = answer.json()["meta"]["cursor"] if answer.status_code == 200 else None
        if cursor:
            answer = await client.get(path, params={"limit": 50, "cursor": cursor})
    elif pick < 0.55:
        kind, answer = "api_usage", await client.get("/api/usage")
    elif pick < 0.8:
        kind = "api_test_call"
        answer = await client.post(
            f"/api/servers/{args.server}/test",
            json={"toolName": "getWidget", "arguments": {"limit": 1}},
        )
    else:
        kind = "api_create_delete_server"
        created = await client.post(
            f"/api/specs/{args.spec}/servers",
            json={
                "name": "Soak temp",
                "slug": f"tmp-{secrets.token_hex(6)}",
                "authMode": "none",
                "baseUrl": args.upstream,
            },
        )
        answer = created
        if created.status_code == 201:
            answer = await client.delete(f"/api/servers/{created.json()['data']['id']}")
    ok = 200 <= answer.status_code < 300 or answer.status_code == 429
    outcome = ("ok" if answer.status_code < 300 else "429") if ok else f"http:{answer.status_code}"
    stats.add(kind, started, outcome)


async def _api_task(args: argparse.Namespace, stats: _Stats, until: float) -> None:
    async with httpx.AsyncClient(base_url=args.base, headers=_headers(), timeout=60) as client:
        while time.monotonic() < until:
            try:
                await _api_one(client, args, stats)
            except Exception as error:
                stats.add("api_transport", time.perf_counter(), f"error:{type(error).__name__}")
                await asyncio.sleep(0.5)
            await asyncio.sleep(args.think)


async def _client(args: argparse.Namespace) -> None:
    stats = _Stats()
    until = time.monotonic() + args.duration
    tasks = [_mcp_task(args, ("legacy", "2026-07-28")[i % 2], stats, until) for i in range(4)]
    tasks += [_api_task(args, stats, until) for _ in range(2)]
    await asyncio.gather(*tasks)
    report = json.dumps(
        {"latency": stats.latency, "when": stats.when, "outcomes": stats.outcomes}, default=dict
    )
    await asyncio.to_thread(Path(args.out).write_text, report)


# ---------------------------------------------------------------- orchestrator


async def _set_plan(url: str) -> None:
    engine = create_sql_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text(f"UPDATE users SET plan = 'pro' WHERE id = '{USER}'"))
    finally:
        await engine.dispose()


async def _count_rows(url: str) -> dict[str, int]:
    engine = create_sql_engine(url)
    try:
        async with engine.connect() as connection:
            rows = (
                await connection.execute(
                    text("SELECT source, count(*) FROM request_logs GROUP BY source")
                )
            ).all()
        return {str(source): int(n) for source, n in rows}
    finally:
        await engine.dispose()


async def _admin(statement: str) -> None:
    import asyncpg

    dsn = make_url(ADMIN_URL).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn, timeout=5)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def _start_serve(url: str, workdir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SPECMCP_", "CLERK_", "DATABASE_URL", "STRIPE_"))
    }
    env |= {
        "DATABASE_URL": url,
        "SPECMCP_VAULT_KEYS": generate_key_entry("k1"),
        "SPECMCP_OUTBOUND_ALLOW_CIDRS": "127.0.0.0/8",
        "SPECMCP_IDENTITY": "dev",
        "SPECMCP_DEV_TOKEN_SECRET": SECRET,
        "SPECMCP_API_RATE_LIMIT": "1000000",
        "SPECMCP_AUTO_MIGRATE": "false",
    }
    log = (workdir / "serve.log").open("wb")
    probe = workdir / "native.jsonl"
    return subprocess.Popen(
        [sys.executable, __file__, "serve", "--port", str(port), "--out", str(probe)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def _wait_ready(base: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"{base} did not start")


def _setup(base: str, upstream: str, url: str, clients: int) -> tuple[str, list[dict[str, Any]]]:
    headers = _headers()
    spec = httpx.post(
        f"{base}/api/specs",
        json={"name": "Pets", "rawSpec": petstore(WIDGET)},
        headers=headers,
        timeout=30,
    )
    spec.raise_for_status()
    spec_id = spec.json()["data"]["id"]
    asyncio.run(_set_plan(url))
    servers = []
    for i in range(clients):
        created = httpx.post(
            f"{base}/api/specs/{spec_id}/servers",
            json={
                "name": f"Soak {i}",
                "slug": f"soak-{i}",
                "authMode": "none",
                "baseUrl": upstream,
                "rateLimitPerMinute": 10000,
            },
            headers=headers,
            timeout=30,
        )
        created.raise_for_status()
        servers.append(created.json()["data"])
    return spec_id, servers


def _merge(
    files: list[Path],
) -> tuple[dict[str, list[float]], dict[str, list[float]], dict[str, Counter[str]]]:
    latency: dict[str, list[float]] = defaultdict(list)
    when: dict[str, list[float]] = defaultdict(list)
    outcomes: dict[str, Counter[str]] = defaultdict(Counter)
    for file in files:
        data = json.loads(file.read_text())
        for kind, values in data["latency"].items():
            latency[kind] += values
            when[kind] += data["when"][kind]
        for kind, counts in data["outcomes"].items():
            outcomes[kind].update(counts)
    return latency, when, outcomes


def _run(args: argparse.Namespace, workdir: Path, url: str) -> dict[str, Any]:
    asyncio.run(migrate(url))
    up_port, port = _free_port(), _free_port()
    upstream = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "bench" / "call_path_servers.py"),
            "upstream",
            "--port",
            f"{up_port}",
        ]
    )
    serve = _start_serve(url, workdir, port)
    clients: list[subprocess.Popen[bytes]] = []
    base, upstream_url = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{up_port}"
    try:
        _wait_ready(base)
        spec_id, servers = _setup(base, upstream_url, url, args.clients)
        outs = [workdir / f"client-{i}.json" for i in range(args.clients)]
        for i, server in enumerate(servers):
            clients.append(
                subprocess.Popen(
                    [
                        *(sys.executable, __file__, "client", "--base", base),
                        # `--name=value`: an endpoint id or token may start with "-".
                        f"--server={server['id']}",
                        f"--endpoint={server['endpointId']}",
                        *(f"--token={server['token']}", f"--spec={spec_id}"),
                        *("--upstream", upstream_url, "--out", str(outs[i])),
                        *("--duration", str(args.duration), "--think", str(args.think)),
                    ],
                    cwd=ROOT,
                )
            )
        started = time.monotonic()
        samples: list[tuple[float, int]] = []
        timeline: list[dict[str, float]] = []
        deadline = started + args.duration + 120
        while any(c.poll() is None for c in clients) and time.monotonic() < deadline:
            status = _proc_status(serve.pid)
            if "VmRSS" in status:
                at = round(time.monotonic() - started, 1)
                samples.append((at, status["VmRSS"]))
                timeline.append(
                    {"t": at, "wall": round(time.time(), 1), **status}
                    | {"db_kib": _file_kib(workdir / "soak.db")}
                    | {"wal_kib": _file_kib(workdir / "soak.db-wal")}
                )
                if args.verbose:
                    print(f"t={at:6.0f}s {_line(timeline[-1], _native(workdir))}", flush=True)
            time.sleep(SAMPLE_SECONDS)
        for c in clients:
            if c.poll() is None:
                c.kill()
        codes = [c.wait() for c in clients]
        time.sleep(1)  # the sink writes every 0.2 s; SIGTERM flushes the rest anyway
        sigterm_at = time.monotonic()
        serve.send_signal(signal.SIGTERM)
        try:
            exit_code: int | None = serve.wait(timeout=30)
        except subprocess.TimeoutExpired:
            serve.kill()
            exit_code = None
        exit_seconds = time.monotonic() - sigterm_at
        rows = asyncio.run(_count_rows(url))
        native = _native(workdir)
        latency, when, outcomes = _merge([o for o in outs if o.exists()])
    finally:
        for proc in (*clients, serve, upstream):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
    warm_up = min(WARM_UP_SECONDS, args.duration / 4)
    moments = {"start": 0.0, "after_warm_up": warm_up, "middle": args.duration / 2}
    moments["end"] = args.duration
    breakdown = {name: _with_native(_at(timeline, at), native) for name, at in moments.items()}
    warm = [s for s in samples if s[0] >= warm_up]
    second_half = [s for s in samples if s[0] >= args.duration / 2]
    window = min(60.0, args.duration / 4)

    def p99_between(kind: str, start: float, end: float) -> float:
        picked = [ms for ms, t in zip(latency[kind], when[kind], strict=True) if start <= t < end]
        return round(_percentile(picked, 0.99), 2)

    kinds: dict[str, dict[str, Any]] = {
        kind: {
            "count": len(values),
            "ok": outcomes[kind]["ok"],
            "designed_429": outcomes[kind]["429"],
            "errors": {k: v for k, v in outcomes[kind].items() if k not in ("ok", "429")},
            "p50_ms": round(_percentile(values, 0.50), 2),
            "p99_ms": round(_percentile(values, 0.99), 2),
            "max_ms": round(max(values, default=0.0), 2),
            "p99_first_window_ms": p99_between(kind, warm_up, warm_up + window),
            "p99_last_window_ms": p99_between(kind, args.duration - window, args.duration + 1),
        }
        for kind, values in sorted(latency.items())
    }
    metered_ok = sum(outcomes[k]["ok"] for k in ("mcp_call", "api_test_call"))
    metered_refused = sum(outcomes[k]["429"] for k in ("mcp_call", "api_test_call"))
    return {
        "database": make_url(url).get_backend_name(),
        "duration_s": args.duration,
        "clients": args.clients,
        "client_exit_codes": codes,
        "rss_mib": {
            "start": round(samples[0][1] / 1024, 1) if samples else None,
            "after_warm_up": round(warm[0][1] / 1024, 1) if warm else None,
            "middle": round(breakdown["middle"].get("VmRSS", 0) / 1024, 1),
            "end": round(samples[-1][1] / 1024, 1) if samples else None,
            "max": round(max(v for _, v in samples) / 1024, 1) if samples else None,
            "slope_kib_per_min_after_warm_up": round(_slope_per_minute(warm), 1),
            "slope_kib_per_min_second_half": round(_slope_per_minute(second_half), 1),
            "samples": len(samples),
        },
        # KiB at each moment: RSS split by kind (/proc), threads, database and WAL file size,
        # and from inside the process SQLite's heap and malloc's in-use, free and arenas.
        "breakdown_kib": breakdown,
        "timeline": [_with_native(sample, native) for sample in timeline],
        "kinds": kinds,
        "total_requests": sum(len(v) for v in latency.values()),
        "errors": sum(sum(k["errors"].values()) for k in kinds.values()),
        "metered_calls_answered": metered_ok,
        "metered_calls_refused_429": metered_refused,
        "log_rows": rows,
        # Per-minute 429s are refused before the gate (no row); nothing here hits the quota.
        "log_rows_match": sum(rows.values()) == metered_ok + metered_refused,
        "sigterm_exit_code": exit_code,
        "sigterm_exit_seconds": round(exit_seconds, 2),
    }


def _native(workdir: Path) -> list[dict[str, float]]:
    try:
        lines = (workdir / "native.jsonl").read_text().splitlines()
    except OSError:
        return []
    return [json.loads(line) for line in lines if line.endswith("}")]


def _at(samples: list[dict[str, float]], at: float, key: str = "t") -> dict[str, float]:
    """The sample nearest to `at` (empty when there are none)."""
    return min(samples, key=lambda sample: abs(sample[key] - at), default={})


def _with_native(sample: dict[str, float], native: list[dict[str, float]]) -> dict[str, float]:
    """`sample` and the in-process figures taken nearest to it."""
    nearest = _at(native, sample.get("wall", 0.0), key="wall")
    return {k: v for k, v in nearest.items() if k != "wall"} | sample


def _line(sample: dict[str, float], native: list[dict[str, float]]) -> str:
    both = _with_native(sample, native)
    names = {"VmRSS": "rss", "RssAnon": "anon", "RssFile": "file", "Threads": "threads"}
    names |= {"db_kib": "db", "wal_kib": "wal", "sqlite_kib": "sqlite"}
    names |= {"sqlite_page_cache_kib": "sqlite page cache"}
    names |= {"pymalloc_arenas_kib": "pymalloc", "pymalloc_used_kib": "pymalloc used"}
    names |= {"malloc_in_use_kib": "malloc used", "malloc_free_kib": "malloc free"}
    names |= {"malloc_arenas": "arenas"}
    return ", ".join(
        f"{label} {both[key]}"
        if key in ("Threads", "malloc_arenas")
        else f"{label} {both[key] / 1024:.1f}"
        for key, label in names.items()
        if key in both
    )


def _print(report: dict[str, Any]) -> None:
    rss = report["rss_mib"]
    print(f"\nsoak: {report['duration_s']} s, {report['clients']} clients, {report['database']}")
    print(
        f"RSS MiB: start {rss['start']}, after warm-up {rss['after_warm_up']}, end {rss['end']}, "
        f"max {rss['max']}; slope {rss['slope_kib_per_min_after_warm_up']} KiB/min after "
        f"warm-up, {rss['slope_kib_per_min_second_half']} KiB/min over the second half"
    )
    for moment, sample in report["breakdown_kib"].items():
        print(f"  {moment:14} {_line(sample, [])} (MiB)")
    print(
        f"{'kind':26} {'count':>8} {'ok':>8} {'429':>6} {'errors':>7} {'p50':>8} {'p99':>8}"
        f" {'p99 early':>10} {'p99 late':>9}"
    )
    for kind, k in report["kinds"].items():
        print(
            f"{kind:26} {k['count']:8} {k['ok']:8} {k['designed_429']:6} "
            f"{sum(k['errors'].values()):7} {k['p50_ms']:8.1f} {k['p99_ms']:8.1f}"
            f" {k['p99_first_window_ms']:10.1f} {k['p99_last_window_ms']:9.1f}"
        )
        for name, n in k["errors"].items():
            print(f"    {name}: {n}")
    print(
        f"requests {report['total_requests']}, errors {report['errors']}; metered calls "
        f"answered {report['metered_calls_answered']}, log rows {report['log_rows']}; "
        f"SIGTERM: exit {report['sigterm_exit_code']} in {report['sigterm_exit_seconds']} s"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("role", nargs="?", default="run", choices=("run", "client", "serve"))
    parser.add_argument("--duration", type=float, default=600.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--think", type=float, default=0.05, help="seconds between requests")
    parser.add_argument("--postgres", action="store_true", help="a throwaway PostgreSQL db")
    parser.add_argument("--json", type=Path, help="also write the report here")
    parser.add_argument("--verbose", action="store_true", help="print each RSS sample")
    for name in ("base", "server", "endpoint", "token", "spec", "upstream", "out", "port"):
        parser.add_argument(f"--{name}", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.role == "serve":
        return _serve(args)
    if args.role == "client":
        asyncio.run(_client(args))
        return 0
    with tempfile.TemporaryDirectory(prefix="specmcp-soak-") as tmp:
        workdir = Path(tmp)
        if args.postgres:
            name = f"specmcp_soak_{secrets.token_hex(6)}"
            asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
            url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
        else:
            url = f"sqlite+aiosqlite:///{workdir / 'soak.db'}"
        try:
            report = _run(args, workdir, url)
        finally:
            if args.postgres:
                asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            log_tail = (workdir / "serve.log").read_text(errors="replace")[-3000:]
    _print(report)
    if report["errors"] or not report["log_rows_match"]:
        print("\nserver log tail:\n" + log_tail)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    # uvicorn re-raises the SIGTERM it handled once shut down: -15 is a clean exit here.
    clean = report["sigterm_exit_code"] in (0, -signal.SIGTERM)
    if any(report["client_exit_codes"]):
        print(f"client exit codes: {report['client_exit_codes']}")
    ok = report["errors"] == 0 and report["log_rows_match"] and not any(report["client_exit_codes"])
    return 0 if ok and clean else 1


if __name__ == "__main__":
    raise SystemExit(main())
