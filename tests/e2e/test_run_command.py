"""`specmcp run`: one spec as a local MCP server, driven by the official SDK client."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from tests.mcp.recording_upstream import RecordingApi
from tests.mcp.upstream_spec import upstream_spec
from tests.support.threaded_upstream import threaded_upstream

ROOT = Path(__file__).resolve().parents[2]
SECRET = "upstream-secret-42"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SPECMCP_", "DATABASE_URL"))}
    return {**env, "SPECMCP_OUTBOUND_ALLOW_CIDRS": "127.0.0.0/8", **extra}


def _spec_file(tmp_path: Path) -> str:
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(upstream_spec()))
    return str(path)


def _run_args(spec: str, base_url: str, *extra: str) -> list[str]:
    return [
        "-m",
        "entrypoints.cli.main",
        "run",
        spec,
        "--base-url",
        base_url,
        "--auth-mode",
        "api_key",
        "--api-key-in",
        "query",
        "--api-key-name",
        "key",
        *extra,
    ]


async def test_stdio_run_calls_the_upstream_with_the_credential_from_the_environment(tmp_path):
    with threaded_upstream(RecordingApi()) as upstream:
        params = StdioServerParameters(
            command=sys.executable,
            args=_run_args(_spec_file(tmp_path), upstream.url),
            env=_env(SPECMCP_RUN_CREDENTIAL=SECRET),
            cwd=str(ROOT),
        )
        async with Client(params, mode="legacy") as client:
            assert client.server_info.name == "Recorder"
            names = [t.name for t in (await client.list_tools()).tools]
            assert "getItem" in names
            result = await client.call_tool(
                "getItem",
                {
                    "itemId": "x/1",
                    "tags": ["a", "b"],
                    "filter": {"size": "S"},
                    "X-Trace": "t",
                },
            )
            assert result.is_error is False
            assert result.structured_content["path"] == "/items/x%2F1"
            form = await client.call_tool("submitForm", {"body": {"title": "hi"}})
            assert form.is_error is False
        got = [r for r in upstream.received if r.path.startswith("/items/")][-1]
        assert got.target == f"/items/x%2F1?tags=a&tags=b&filter%5Bsize%5D=S&key={SECRET}"
        assert got.headers["x-trace"] == "t"
        posted = [r for r in upstream.received if r.path == "/forms"][-1]
        assert posted.body == b"title=hi"
        assert posted.target == f"/forms?key={SECRET}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_http_run_serves_streamable_http_behind_its_token(tmp_path):
    port = _free_port()
    token = "smcp_local_" + "x" * 40
    with threaded_upstream(RecordingApi()) as upstream:
        proc = subprocess.Popen(  # noqa: ASYNC220 - a long-lived child, not awaited
            [sys.executable, *_run_args(_spec_file(tmp_path), upstream.url, "--http", str(port))],
            cwd=ROOT,
            env=_env(SPECMCP_RUN_CREDENTIAL=SECRET, SPECMCP_RUN_TOKEN=token),
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
        )
        try:
            url = _announced_url(proc)
            assert await _status_once_listening(url) == 401
            headers = {"Authorization": f"Bearer {token}"}
            async with httpx2.AsyncClient(headers=headers, timeout=30) as http:
                transport = streamable_http_client(url, http_client=http)
                async with Client(transport, mode="2026-07-28") as client:  # type: ignore[arg-type]
                    result = await client.call_tool("getBroken", {})
            assert result.is_error is True
            assert upstream.received[-1].target == f"/broken?key={SECRET}"
            assert token not in str(upstream.received[-1].headers)
        finally:
            proc.terminate()
            proc.wait(timeout=15)


async def _status_once_listening(url: str) -> int:
    """The status of an unauthenticated POST, retried while the port is not open yet."""
    async with httpx2.AsyncClient(timeout=10) as anonymous:
        for _ in range(100):
            try:
                return (await anonymous.post(url, json={})).status_code
            except httpx2.ConnectError:
                await asyncio.sleep(0.1)
    raise AssertionError("specmcp run --http never listened")


def _announced_url(proc: subprocess.Popen[str]) -> str:
    assert proc.stderr is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if " at http://" in line:
            return line.split(" at ", 1)[1].split()[0]
        if not line and proc.poll() is not None:
            break
    raise AssertionError("specmcp run did not announce its URL")
