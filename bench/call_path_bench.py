"""Call-path benchmark: the upstream called directly vs. through our MCP endpoint vs. FastMCP.

Run: `uv run --group bench python bench/call_path_bench.py [--rounds 3] [--json FILE]`.

One run starts, each in its own process and on 127.0.0.1 only:
  - a tiny upstream (raw asyncio HTTP/1.1, keep-alive, a 76-byte JSON answer);
  - `specmcp serve` on a temporary SQLite database, with a spec whose server URL is the upstream
    and a server (authMode none, rateLimitPerMinute 10000) created through the API;
  - FastMCP's OpenAPI server (`FastMCP.from_openapi`, an httpx2 client on the same upstream),
    stateless with JSON replies, served by uvicorn.
From this process, with the official `mcp` client (httpx2 underneath) and the same load:
  (a) a plain GET to the upstream with httpx2, (b) `tools/call` on our endpoint, (c) `tools/call`
  on FastMCP; (b) and (c) in the stateless 2026-07-28 revision and in the handshake revision.
Each target: sequential latency (median, p99) after a warm-up, then throughput with N callers
(each its own client and connection) over a fixed number of calls, with the CPU time each
process spent per call. The whole comparison is repeated `--rounds` times (the target order
rotates each round); the report gives, per figure, the median over the rounds.

Profiling: `uv run --group bench --with py-spy python bench/call_path_bench.py --py-spy DIR`
records each server process with py-spy during every concurrent phase (collapsed stacks in DIR).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

ROOT = Path(__file__).resolve().parents[1]
SERVERS = Path(__file__).resolve().parent / "call_path_servers.py"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
ARGUMENTS = {"itemId": 42, "verbose": True}
PHASE_LIMIT_S = 120.0
"""No measured phase runs longer than this; a run that hits it is reported as cut short."""

Call = Callable[[], Awaitable[None]]


def _spec(upstream: str) -> dict[str, Any]:
    item = {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "price": {"type": "number"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "inStock": {"type": "boolean"},
        },
        "required": ["id", "name"],
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": "Bench upstream", "version": "1.0.0"},
        "servers": [{"url": upstream}],
        "paths": {
            "/items/{itemId}": {
                "get": {
                    "operationId": "getItem",
                    "summary": "Get one item",
                    "parameters": [
                        {
                            "name": "itemId",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer"},
                        },
                        {"name": "verbose", "in": "query", "schema": {"type": "boolean"}},
                    ],
                    "responses": {
                        "200": {
                            "description": "The item",
                            "content": {"application/json": {"schema": item}},
                        },
                    },
                }
            }
        },
    }


# --------------------------------------------------------------------------- processes


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime


class Processes:
    """Child processes of this run; each ended by its own pid, in reverse start order."""

    def __init__(self) -> None:
        self._children: list[subprocess.Popen[bytes]] = []

    def start(self, argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
        with log.open("wb") as out:
            child = subprocess.Popen(
                argv,
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        self._children.append(child)
        return child

    def pids(self) -> list[int]:
        """The children still running."""
        return [child.pid for child in self._children if child.poll() is None]

    def stop_all(self) -> None:
        for child in reversed(self._children):
            if child.poll() is None:
                child.send_signal(signal.SIGINT)  # uvicorn shuts down cleanly (profile dump)
        for child in reversed(self._children):
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait(timeout=5)


async def _wait_http(url: str, child: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    async with httpx2.AsyncClient(timeout=2) as http:
        while time.monotonic() < deadline:
            if child.poll() is not None:
                tail = (await asyncio.to_thread(log.read_text))[-3000:]
                raise RuntimeError(f"{url}: process exited; see {log}:\n{tail}")
            try:
                await http.get(url)
                return
            except httpx2.TransportError:
                await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within 60 s; see {log}")


@dataclass
class Ours:
    base: str
    mcp_url: str
    token: str
    pid: int
    plan_note: str
    api_token: str
    spec_id: str
    tenants: list[tuple[str, str]] = field(default_factory=list)
    """(API token, spec id) of each user whose servers share the server-bound phase."""


def _server_body(slug: str) -> dict[str, Any]:
    return {"name": slug, "slug": slug, "authMode": "none", "rateLimitPerMinute": 10000}


FRESH_SERVERS = 4
"""Servers per server-bound phase of ours: at 1,700 calls/s one phase (6 s) would use a single
server's 10,000 calls per minute (API.md's ceiling for `rateLimitPerMinute`)."""


@contextlib.asynccontextmanager
async def _fresh_endpoints(
    ours: Ours, tenants: list[tuple[str, str]] | None = None
) -> AsyncIterator[list[tuple[str, str]]]:
    """Servers of their own for one phase ((MCP URL, token) each), deleted after: one per
    tenant given, else FRESH_SERVERS of the bench user, or one per user with `--users`."""
    if tenants is None:
        tenants = ours.tenants or [(ours.api_token, ours.spec_id)] * FRESH_SERVERS
    made: list[tuple[httpx2.AsyncClient, dict[str, Any]]] = []
    async with contextlib.AsyncExitStack() as stack:
        clients = {
            token: await stack.enter_async_context(
                httpx2.AsyncClient(
                    base_url=ours.base, headers={"Authorization": f"Bearer {token}"}, timeout=60
                )
            )
            for token, _spec in tenants
        }
        try:
            for token, spec_id in tenants:
                body = _server_body(f"load-{os.urandom(4).hex()}")
                answer = await clients[token].post(f"/api/specs/{spec_id}/servers", json=body)
                answer.raise_for_status()
                made.append((clients[token], answer.json()["data"]))
            yield [(f"{ours.base}/mcp/{d['endpointId']}", d["token"]) for _c, d in made]
        finally:
            for api, data in made:
                (await api.delete(f"/api/servers/{data['id']}")).raise_for_status()


def _env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HTTP_PROXY", "HTTPS_PROXY"))}
    env.update(
        {
            "DATABASE_URL": database_url,
            "SPECMCP_OUTBOUND_ALLOW_CIDRS": "127.0.0.0/8",
            "SPECMCP_DEV_TOKEN_SECRET": "bench-dev-token-secret-0123456789abcdef",
            "SPECMCP_IDENTITY": "dev",
            # A fixed throwaway key (PostgreSQL needs one; SQLite would make a local keyring).
            "SPECMCP_VAULT_KEYS": "bench:" + "A" * 43 + "=",
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


async def _raise_plan(database_url: str, user: str) -> str:
    """Metering quotas: put the bench user on the plan with the largest quota, with no cap."""
    from sqlalchemy import text

    from adapters.persistence.sql import create_sql_engine

    engine = create_sql_engine(database_url)
    try:
        async with engine.begin() as connection:
            changed = (
                await connection.execute(
                    text("UPDATE users SET plan = 'pro' WHERE id = :u"), {"u": user}
                )
            ).rowcount
            await connection.execute(
                text("DELETE FROM budget_caps WHERE user_id = :u"), {"u": user}
            )
    finally:
        await engine.dispose()
    return f"users.plan='pro' ({changed} row), no budget cap"


async def _mint_token(env: dict[str, str], user: str) -> str:
    minted = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "entrypoints.cli.main", "dev-token", "--user", user],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return minted.stdout.strip()


async def _add_spec(base: str, token: str, spec: dict[str, Any]) -> str:
    """Import the spec as the token's user (its first request makes the user); the spec's id."""
    async with httpx2.AsyncClient(
        base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60
    ) as api:
        created = await api.post("/api/specs", json={"name": "bench", "rawSpec": spec})
        created.raise_for_status()
        return str(created.json()["data"]["id"])


async def _start_ours(
    procs: Processes,
    work: Path,
    spec: dict[str, Any],
    metering: bool,
    database_url: str | None,
    users: int = 1,
) -> Ours:
    """`specmcp serve` on `database_url` (None: a SQLite file in `work`), spec and server made."""
    await asyncio.to_thread(work.mkdir, parents=True, exist_ok=True)
    database_url = database_url or f"sqlite+aiosqlite:///{work / 'bench.db'}"
    env = _env(database_url)
    env["SPECMCP_METERING"] = "on" if metering else "off"
    port = _free_port()
    log = work / "specmcp.log"
    argv = [sys.executable, "-m", "entrypoints.cli.main", "serve", "--port", str(port)]
    child = procs.start(argv, env, log)
    base = f"http://127.0.0.1:{port}"
    await _wait_http(f"{base}/health", child, log)
    token = await _mint_token(env, "bench")
    spec_id = await _add_spec(base, token, spec)
    plan_note = await _raise_plan(database_url, "bench")
    async with httpx2.AsyncClient(
        base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60
    ) as api:
        made = await api.post(f"/api/specs/{spec_id}/servers", json=_server_body("bench"))
        made.raise_for_status()
        data = made.json()["data"]
    mcp_url = f"{base}/mcp/{data['endpointId']}"
    ours = Ours(base, mcp_url, data["token"], child.pid, plan_note, token, spec_id)
    if users > 1:
        # The server-bound phase spreads its connections over one server of each user.
        ours.tenants.append((token, spec_id))
        for number in range(1, users):
            user = f"bench-{number}"
            other = await _mint_token(env, user)
            ours.tenants.append((other, await _add_spec(base, other, spec)))
            await _raise_plan(database_url, user)
        ours.plan_note += f"; {users} users in the server-bound phase, the same plan"
    return ours


# --------------------------------------------------------------------------- callers


@dataclass
class Target:
    key: str
    label: str
    open_caller: Callable[[], contextlib.AbstractAsyncContextManager[Call]]
    server_pid: int | None
    load: LoadTarget | None = None
    reopen: (
        Callable[[str, str], Callable[[], contextlib.AbstractAsyncContextManager[Call]]] | None
    ) = None
    """Ours: the same callers on another server of ours (MCP URL, token)."""


@dataclass
class LoadTarget:
    """Where the load generator sends its calls, in which protocol revision."""

    url: str
    token: str | None
    tool: str
    revision: str
    ours: Ours | None = None  # ours: each phase on a fresh server (see `_fresh_endpoint`)


def _direct(url: str) -> Callable[[], contextlib.AbstractAsyncContextManager[Call]]:
    @contextlib.asynccontextmanager
    async def open_caller() -> AsyncIterator[Call]:
        async with httpx2.AsyncClient(timeout=30) as http:

            async def call() -> None:
                response = await http.get(url)
                if response.status_code != 200 or not response.json()["id"]:
                    raise RuntimeError(f"upstream answered {response.status_code}")

            yield call

    return open_caller


def _mcp(
    url: str, token: str | None, mode: str, tool: str
) -> Callable[[], contextlib.AbstractAsyncContextManager[Call]]:
    @contextlib.asynccontextmanager
    async def open_caller() -> AsyncIterator[Call]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with httpx2.AsyncClient(headers=headers, timeout=30) as http:
            transport = streamable_http_client(url, http_client=http, terminate_on_close=False)
            async with Client(transport, mode=mode) as client:

                async def call() -> None:
                    result = await client.call_tool(tool, ARGUMENTS)
                    if result.is_error or not result.structured_content:
                        raise RuntimeError(f"tool call failed: {result.content!r}")

                yield call

    return open_caller


async def _tool_name(url: str, token: str | None) -> str:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx2.AsyncClient(headers=headers, timeout=30) as http:
        transport = streamable_http_client(url, http_client=http, terminate_on_close=False)
        async with Client(transport, mode="2026-07-28") as client:
            tools = (await client.list_tools()).tools
    if len(tools) != 1:
        raise RuntimeError(f"{url}: expected one tool, got {[t.name for t in tools]}")
    return tools[0].name


# --------------------------------------------------------------------------- measurement


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@dataclass
class Figures:
    seq_median_ms: float
    seq_p99_ms: float
    conc_calls_per_s: float
    conc_median_ms: float
    conc_p99_ms: float
    server_cpu_ms_per_call: float | None
    upstream_cpu_ms_per_call: float
    client_cpu_ms_per_call: float
    seq_server_cpu_ms_per_call: float | None
    others_cores: float
    cut_short: bool = False
    capacity_calls_per_s: float | None = None
    capacity_server_cpu_ms_per_call: float | None = None
    capacity_median_ms: float | None = None


async def _sequential(caller: Call, warmup: int, count: int) -> tuple[list[float], bool]:
    for _ in range(warmup):
        await caller()
    times: list[float] = []
    deadline = time.monotonic() + PHASE_LIMIT_S
    for _ in range(count):
        started = time.perf_counter()
        await caller()
        times.append((time.perf_counter() - started) * 1000)
        if time.monotonic() > deadline:
            return times, True
    return times, False


@contextlib.contextmanager
def _py_spy(target: Target, out_dir: Path | None, tag: str) -> Any:
    """py-spy recording of the target's server process while the block runs (if asked)."""
    if out_dir is None or target.server_pid is None:
        yield
        return
    out_dir.mkdir(parents=True, exist_ok=True)
    recorder = subprocess.Popen(
        [
            shutil.which("py-spy") or "py-spy",
            "record",
            "--pid",
            str(target.server_pid),
            "--format",
            "raw",
            "--rate",
            "500",
            "--nonblocking",
            "--duration",
            str(int(PHASE_LIMIT_S) + 10),
            "-o",
            str(out_dir / f"{target.key}-{tag}.txt"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1.0)  # py-spy attaches
    try:
        yield
    finally:
        recorder.send_signal(signal.SIGINT)
        recorder.wait(timeout=30)


async def _concurrent(
    target: Target, callers: int, total: int, upstream_pid: int
) -> tuple[float, list[float], dict[str, float], bool]:
    remaining = total
    latencies: list[float] = []
    ready = asyncio.Event()
    started_callers = 0
    all_ready = asyncio.Event()
    deadline = 0.0
    cut = False

    async def worker() -> None:
        nonlocal remaining, started_callers, cut
        async with target.open_caller() as call:
            await call()  # connection, handshake and client-side tool listing happen here
            started_callers += 1
            if started_callers == callers:
                all_ready.set()
            await ready.wait()
            while remaining > 0:
                if time.monotonic() > deadline:
                    cut = True
                    return
                remaining -= 1
                began = time.perf_counter()
                await call()
                latencies.append((time.perf_counter() - began) * 1000)

    tasks = [asyncio.create_task(worker()) for _ in range(callers)]
    await asyncio.wait_for(all_ready.wait(), 60)
    cpu0 = _cpu_snapshot(target.server_pid, upstream_pid)
    began = time.perf_counter()
    deadline = time.monotonic() + PHASE_LIMIT_S
    ready.set()
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - began
    cpu1 = _cpu_snapshot(target.server_pid, upstream_pid)
    done = len(latencies)
    cpu = {k: (cpu1[k] - cpu0[k]) * 1000 / done for k in cpu0}
    ours = sum(v for k, v in cpu.items() if k != "machine")
    # CPU spent by processes outside this benchmark, in cores (other jobs on the machine).
    cpu["others_cores"] = max(0.0, (cpu["machine"] - ours) * done / 1000 / elapsed)
    return done / elapsed, latencies, cpu, cut


# What the official client speaks in each mode (the handshake one as it negotiates it).
REVISIONS = {"2026": "2026-07-28", "hs": "2025-11-25"}
LOAD_GENERATOR = Path(__file__).resolve().parent / "load_generator.py"


async def _capacity(target: Target, args: argparse.Namespace) -> dict[str, float]:
    """Server-bound rate: the server alone on CPU 0; the lean load generator, the upstream and
    every other process of the run on CPU 1 (see load_generator.py for why the official client
    cannot measure this on 2 cores)."""
    assert target.load is not None and target.server_pid is not None
    if target.load.ours is None:
        return await _capacity_on(target, args, [(target.load.url, target.load.token)])
    async with _fresh_endpoints(target.load.ours) as endpoints:
        return await _capacity_on(target, args, list(endpoints))


async def _capacity_on(
    target: Target, args: argparse.Namespace, endpoints: list[tuple[str, str | None]]
) -> dict[str, float]:
    assert target.load is not None and target.server_pid is not None
    everything = os.sched_getaffinity(0)
    argv = [
        sys.executable,
        str(LOAD_GENERATOR),
        "--port",
        str(httpx2.URL(endpoints[0][0]).port),
        "--tool",
        target.load.tool,
        "--arguments",
        json.dumps(ARGUMENTS),
        "--revision",
        target.load.revision,
        "--connections",
        str(args.callers),
        "--duration",
        str(args.capacity_seconds),
        "--cpu",
        "1",
    ]
    for mcp_url, token in endpoints:
        argv += ["--path", httpx2.URL(mcp_url).path]
        if token:
            argv += ["--token", token]
    # Everything else of this run (the upstream, the other servers with their background
    # jobs, this process) goes to CPU 1, so CPU 0 runs the measured server alone. So does the
    # PostgreSQL server when our servers use it (its postmaster and every backend): a
    # database is another machine in any deployment, and on this box its backends would
    # otherwise take turns on CPU 0 with the server they answer.
    others = [pid for pid in (*args.child_pids(), os.getpid()) if pid != target.server_pid]
    if args.database == "postgres":
        others += _postgres_pids()
    os.sched_setaffinity(target.server_pid, {0})
    for pid in others:
        os.sched_setaffinity(pid, {1})
    try:
        before = _cpu_seconds(target.server_pid)
        child = await asyncio.create_subprocess_exec(
            *argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT
        )
        out, err = await child.communicate()
        spent = _cpu_seconds(target.server_pid) - before
    finally:
        for pid in (target.server_pid, *others):
            with contextlib.suppress(ProcessLookupError):
                os.sched_setaffinity(pid, everything)
    if child.returncode != 0:
        raise RuntimeError(f"load generator failed: {err.decode()[-2000:]}")
    result = json.loads(out)
    if result["errors"] or not result["calls"]:
        raise RuntimeError(f"load generator saw errors: {result}")
    # Server CPU over warm-up + measurement, per call of the measured window scaled to it.
    total_s = args.capacity_seconds + 1.0
    result["server_cpu_ms_per_call"] = spent * 1000 / (result["calls_per_s"] * total_s)
    return dict(result)


def _postgres_pids() -> list[int]:
    """The local PostgreSQL server's processes (postmaster, backends, background workers)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if (entry / "comm").read_text().strip() == "postgres":
                    pids.append(int(entry.name))
    return pids


def _machine_busy_seconds() -> float:
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / CLOCK_TICKS


def _cpu_snapshot(server_pid: int | None, upstream_pid: int) -> dict[str, float]:
    snap = {
        "client": time.process_time(),
        "upstream": _cpu_seconds(upstream_pid),
        "machine": _machine_busy_seconds(),
    }
    if server_pid is not None:
        snap["server"] = _cpu_seconds(server_pid)
    return snap


@contextlib.asynccontextmanager
async def _own_server(target: Target) -> AsyncIterator[Target]:
    """Ours: the target on a server of its own, deleted after (across rounds and targets a
    shared server would pass its 10,000 calls a minute); any other target as it is."""
    ours = target.load.ours if target.load is not None else None
    if ours is None or target.reopen is None:
        yield target
        return
    async with _fresh_endpoints(ours, [(ours.api_token, ours.spec_id)]) as [(url, token)]:
        yield replace(target, open_caller=target.reopen(url, token))


async def _measure(target: Target, args: argparse.Namespace, upstream_pid: int) -> Figures:
    # The sequential and concurrent phases on a server of their own; the server-bound phase
    # makes its own servers (`_capacity`).
    async with _own_server(target) as calls_target:
        async with calls_target.open_caller() as call:
            for _ in range(args.warmup):
                await call()
            before = _cpu_seconds(target.server_pid) if target.server_pid else None
            seq, cut_seq = await _sequential(call, 0, args.sequential)
            seq_cpu = (
                None
                if before is None
                else (
                    (_cpu_seconds(target.server_pid) - before) * 1000 / len(seq)  # type: ignore[arg-type]
                )
            )
        with _py_spy(target, args.py_spy, f"r{len(args.done_rounds)}"):
            rate, lat, cpu, cut_conc = await _concurrent(
                calls_target, args.callers, args.total, upstream_pid
            )
    capacity: dict[str, float] = {}
    if target.load is not None and args.capacity_seconds > 0:
        capacity = await _capacity(target, args)
    return Figures(
        seq_median_ms=statistics.median(seq),
        seq_p99_ms=_pct(seq, 0.99),
        conc_calls_per_s=rate,
        conc_median_ms=statistics.median(lat),
        conc_p99_ms=_pct(lat, 0.99),
        server_cpu_ms_per_call=cpu.get("server"),
        upstream_cpu_ms_per_call=cpu["upstream"],
        client_cpu_ms_per_call=cpu["client"],
        seq_server_cpu_ms_per_call=seq_cpu,
        others_cores=cpu["others_cores"],
        cut_short=cut_seq or cut_conc,
        capacity_calls_per_s=capacity.get("calls_per_s"),
        capacity_server_cpu_ms_per_call=capacity.get("server_cpu_ms_per_call"),
        capacity_median_ms=capacity.get("median_ms"),
    )


# --------------------------------------------------------------------------- report


@dataclass
class Report:
    rounds: list[dict[str, Figures]] = field(default_factory=list)

    def median(self, key: str, metric: str) -> float | None:
        values = [getattr(r[key], metric) for r in self.rounds if key in r]
        values = [v for v in values if v is not None]
        return statistics.median(values) if values else None


def _fmt(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def _print_report(report: Report, targets: list[Target], args: argparse.Namespace) -> None:
    m = report.median
    print()
    print(
        f"Medians of {len(report.rounds)} rounds; sequential: {args.sequential} calls after "
        f"{args.warmup} warm-up; concurrent: {args.callers} callers, {args.total} calls."
    )
    print()
    print(
        "| target | seq median ms | seq p99 ms | server CPU ms/call (seq) | calls/s at "
        f"{args.callers} | conc median ms | conc p99 ms | server CPU ms/call (conc) "
        "| upstream CPU ms/call | client CPU ms/call | other load (cores) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for t in targets:
        print(
            f"| {t.label} | {_fmt(m(t.key, 'seq_median_ms'))} | {_fmt(m(t.key, 'seq_p99_ms'))} "
            f"| {_fmt(m(t.key, 'seq_server_cpu_ms_per_call'))} "
            f"| {_fmt(m(t.key, 'conc_calls_per_s'), 0)} | {_fmt(m(t.key, 'conc_median_ms'))} "
            f"| {_fmt(m(t.key, 'conc_p99_ms'))} | {_fmt(m(t.key, 'server_cpu_ms_per_call'))} "
            f"| {_fmt(m(t.key, 'upstream_cpu_ms_per_call'))} "
            f"| {_fmt(m(t.key, 'client_cpu_ms_per_call'))} "
            f"| {_fmt(m(t.key, 'others_cores'))} |"
        )
    print()
    keys = {t.key for t in targets}
    for mode, suffix in (("2026", ""), ("hs", ""), ("2026", "-unmetered"), ("hs", "-unmetered")):
        ours, theirs = f"ours-{mode}{suffix}", f"fastmcp-{mode}"
        if ours not in keys:
            continue
        mode = f"{mode}{suffix}"
        added = [r[ours].seq_median_ms - r["direct"].seq_median_ms for r in report.rounds]
        line = (
            f"[{mode}] added median latency (b)-(a): {statistics.median(added):.2f} ms "
            f"(target < 2 ms; per round {', '.join(f'{a:.2f}' for a in added)})"
        )
        print(line)
        if theirs in keys:
            ratios = [r[ours].conc_calls_per_s / r[theirs].conc_calls_per_s for r in report.rounds]
            cpu = [
                r[theirs].server_cpu_ms_per_call / r[ours].server_cpu_ms_per_call  # type: ignore[operator]
                for r in report.rounds
            ]
            print(
                f"[{mode}] throughput (b)/(c): {statistics.median(ratios):.2f}x (target >= 2x; "
                f"per round {', '.join(f'{x:.2f}' for x in ratios)}); server CPU per call "
                f"(c)/(b): {statistics.median(cpu):.2f}x"
            )
    for mode in ("2026", "hs"):
        metered, unmetered = f"ours-{mode}", f"ours-{mode}-unmetered"
        if metered not in keys or unmetered not in keys:
            continue
        slower = [
            (1 - r[metered].conc_calls_per_s / r[unmetered].conc_calls_per_s) * 100
            for r in report.rounds
        ]
        cpu = [
            (r[metered].server_cpu_ms_per_call or 0) - (r[unmetered].server_cpu_ms_per_call or 0)
            for r in report.rounds
        ]
        print(
            f"[{mode}] metering on vs off ({args.database}): throughput "
            f"{statistics.median(slower):+.1f}% slower (target <= 15%; per round "
            f"{', '.join(f'{x:+.1f}' for x in slower)}); server CPU per call "
            f"{statistics.median(cpu):+.2f} ms"
        )
    _print_capacity(report, targets, args)
    if any(f.cut_short for r in report.rounds for f in r.values()):
        print(
            f"WARNING: some phase hit the {PHASE_LIMIT_S:.0f} s limit; its figures cover fewer "
            "calls."
        )


def _print_capacity(report: Report, targets: list[Target], args: argparse.Namespace) -> None:
    """The server-bound phase: rates, and the ratios of the targets read from it."""
    m = report.median
    loaded = [t for t in targets if t.load is not None and m(t.key, "capacity_calls_per_s")]
    if not loaded:
        return
    print()
    print(
        f"Server-bound phase: each server alone on CPU 0; the lean load generator "
        f"({args.callers} connections, {args.capacity_seconds:g} s), the upstream and every "
        "other process of the run on CPU 1"
        + (" (PostgreSQL's processes too)." if args.database == "postgres" else ".")
    )
    print()
    print("| target | calls/s | median ms | server CPU ms/call |")
    print("|---|---:|---:|---:|")
    for t in loaded:
        print(
            f"| {t.label} | {_fmt(m(t.key, 'capacity_calls_per_s'), 0)} "
            f"| {_fmt(m(t.key, 'capacity_median_ms'))} "
            f"| {_fmt(m(t.key, 'capacity_server_cpu_ms_per_call'))} |"
        )
    print()

    def rates(key: str) -> list[float]:
        return [r[key].capacity_calls_per_s or 0.0 for r in report.rounds]

    keys = {t.key for t in loaded}
    for mode in ("2026", "hs"):
        for ours, note in (
            (f"ours-{mode}", "as shipped"),
            (f"ours-{mode}-unmetered", "metering off"),
        ):
            if ours in keys and f"fastmcp-{mode}" in keys:
                theirs = rates(f"fastmcp-{mode}")
                ratios = [a / b for a, b in zip(rates(ours), theirs, strict=True)]
                print(
                    f"[{mode}, {note}] server-bound throughput (b)/(c): "
                    f"{statistics.median(ratios):.2f}x (target >= 2x; per round "
                    f"{', '.join(f'{x:.2f}' for x in ratios)})"
                )
        if {f"ours-{mode}", f"ours-{mode}-unmetered"} <= keys:
            slower = [
                (1 - a / b) * 100
                for a, b in zip(rates(f"ours-{mode}"), rates(f"ours-{mode}-unmetered"), strict=True)
            ]
            print(
                f"[{mode}] server-bound metering on vs off ({args.database}): "
                f"{statistics.median(slower):+.1f}% slower (target <= 15%; per round "
                f"{', '.join(f'{x:+.1f}' for x in slower)})"
            )


# --------------------------------------------------------------------------- main


ADMIN_URL = os.environ.get(
    "SPECMCP_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)


async def _admin(statement: str) -> None:
    import asyncpg
    from sqlalchemy.engine import make_url

    dsn = make_url(ADMIN_URL).set(drivername="postgresql").render_as_string(False)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@contextlib.asynccontextmanager
async def _databases(kind: str) -> AsyncIterator[dict[bool, str | None]]:
    """Per server (metering on, off): None for a SQLite file of its own, or a throwaway,
    migrated PostgreSQL database (ADMIN_URL's server; dropped afterwards)."""
    if kind == "sqlite":
        yield {True: None, False: None}
        return
    from sqlalchemy.engine import make_url

    from adapters.persistence.sql import migrate

    names = {m: f"specmcp_bench_{os.getpid()}_{'on' if m else 'off'}" for m in (True, False)}
    urls: dict[bool, str | None] = {}
    try:
        for metering, name in names.items():
            await _admin(f'CREATE DATABASE "{name}"')
            url = make_url(ADMIN_URL).set(database=name).render_as_string(False)
            await migrate(url)
            urls[metering] = url
        yield urls
    finally:
        for name in names.values():
            await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _run(args: argparse.Namespace) -> Report:
    procs = Processes()
    args.child_pids = procs.pids
    report = Report()
    async with _databases(args.database) as databases:
        return await _run_on(args, procs, report, databases)


async def _run_on(
    args: argparse.Namespace,
    procs: Processes,
    report: Report,
    databases: dict[bool, str | None],
) -> Report:
    with tempfile.TemporaryDirectory(prefix="specmcp-bench-") as tmp:
        work = Path(tmp)
        try:
            upstream_port = _free_port()
            upstream = f"http://127.0.0.1:{upstream_port}"
            up_log = work / "upstream.log"
            up = procs.start(
                [sys.executable, str(SERVERS), "upstream", "--port", str(upstream_port)],
                dict(os.environ),
                up_log,
            )
            await _wait_http(f"{upstream}/ping", up, up_log)
            spec = _spec(upstream)
            (work / "spec.json").write_text(json.dumps(spec))

            targets = [
                Target(
                    "direct",
                    "(a) upstream direct (httpx2 GET)",
                    _direct(f"{upstream}/items/42?verbose=true"),
                    None,
                )
            ]
            for metering in (True, False):
                if args.metering not in ("both", "on" if metering else "off"):
                    continue
                ours = await _start_ours(
                    procs,
                    work / f"metering-{metering}",
                    spec,
                    metering,
                    databases[metering],
                    args.users,
                )
                if metering:
                    print(f"metering quota: {ours.plan_note}")
                ours_tool = await _tool_name(ours.mcp_url, ours.token)
                suffix, note = ("", "") if metering else ("-unmetered", ", metering off")
                for mode, key in (("2026-07-28", "2026"), ("legacy", "hs")):
                    if key in args.modes:
                        targets.append(
                            Target(
                                f"ours-{key}{suffix}",
                                f"(b) specmcp tools/call [{mode}{note}]",
                                _mcp(ours.mcp_url, ours.token, mode, ours_tool),
                                ours.pid,
                                LoadTarget(
                                    ours.mcp_url, ours.token, ours_tool, REVISIONS[key], ours
                                ),
                                functools.partial(_mcp, mode=mode, tool=ours_tool),
                            )
                        )
            if not args.skip_fastmcp:
                fm_port = _free_port()
                fm_log = work / "fastmcp.log"
                fm = procs.start(
                    [
                        sys.executable,
                        str(SERVERS),
                        "fastmcp",
                        "--port",
                        str(fm_port),
                        "--spec",
                        str(work / "spec.json"),
                        "--upstream",
                        upstream,
                    ],
                    dict(os.environ),
                    fm_log,
                )
                fm_url = f"http://127.0.0.1:{fm_port}/mcp"
                await _wait_http(f"http://127.0.0.1:{fm_port}/", fm, fm_log)
                fm_tool = await _tool_name(fm_url, None)
                for mode, key in (("2026-07-28", "2026"), ("legacy", "hs")):
                    if key in args.modes:
                        targets.append(
                            Target(
                                f"fastmcp-{key}",
                                f"(c) FastMCP from_openapi tools/call [{mode}]",
                                _mcp(fm_url, None, mode, fm_tool),
                                fm.pid,
                                LoadTarget(fm_url, None, fm_tool, REVISIONS[key]),
                            )
                        )

            for round_no in range(args.rounds):
                shift = round_no % len(targets)
                order = targets[shift:] + targets[:shift]
                results: dict[str, Figures] = {}
                for target in order:
                    figures = await _measure(target, args, up.pid)
                    results[target.key] = figures
                    print(
                        f"round {round_no + 1} {target.label}: seq median "
                        f"{figures.seq_median_ms:.2f} ms, p99 {figures.seq_p99_ms:.2f} ms; "
                        f"{figures.conc_calls_per_s:,.0f} calls/s, conc p99 "
                        f"{figures.conc_p99_ms:.1f} ms, server CPU "
                        f"{_fmt(figures.seq_server_cpu_ms_per_call)} (seq) / "
                        f"{_fmt(figures.server_cpu_ms_per_call)} (conc) ms/call; other load "
                        f"{figures.others_cores:.2f} cores"
                        + (
                            f"; server-bound {figures.capacity_calls_per_s:,.0f} calls/s, "
                            f"{_fmt(figures.capacity_server_cpu_ms_per_call)} ms CPU/call"
                            if figures.capacity_calls_per_s
                            else ""
                        ),
                        flush=True,
                    )
                report.rounds.append(results)
                args.done_rounds.append(round_no)
            _print_report(report, targets, args)
        finally:
            procs.stop_all()
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--sequential", type=int, default=500)
    parser.add_argument("--callers", type=int, default=20)
    parser.add_argument("--total", type=int, default=2000)
    parser.add_argument("--modes", nargs="+", default=["2026", "hs"], choices=["2026", "hs"])
    parser.add_argument("--skip-fastmcp", action="store_true")
    parser.add_argument(
        "--metering",
        choices=["on", "off", "both"],
        default="both",
        help="our server as shipped (metering on), with SPECMCP_METERING=off, or both",
    )
    parser.add_argument(
        "--database",
        choices=["sqlite", "postgres"],
        default="sqlite",
        help="our servers' database: a SQLite file each (the default product), or a throwaway "
        "PostgreSQL database each on SPECMCP_TEST_POSTGRES_URL's server",
    )
    parser.add_argument(
        "--capacity-seconds",
        type=float,
        default=5.0,
        help="per MCP target, seconds of the server-bound phase (lean load generator on "
        "CPU 1, the server alone on CPU 0); 0 skips it",
    )
    parser.add_argument(
        "--users",
        type=int,
        default=1,
        help="users whose servers share the server-bound phase's connections (one server "
        "each; 1: the bench user's own servers): metering counts per user",
    )
    parser.add_argument("--json", type=Path, help="also write every round's figures here")
    parser.add_argument("--py-spy", type=Path, help="record the servers with py-spy into DIR")
    args = parser.parse_args()
    args.done_rounds = []
    print(
        f"python {platform.python_version()}, {os.cpu_count()} CPUs, database {args.database}, "
        f"{platform.machine()}; all processes on 127.0.0.1"
    )
    report = asyncio.run(_run(args))
    if args.json:
        args.json.write_text(
            json.dumps([{k: asdict(v) for k, v in r.items()} for r in report.rounds], indent=2)
        )


if __name__ == "__main__":
    main()
