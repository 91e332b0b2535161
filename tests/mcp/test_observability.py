"""Request ids on every answer and in every error, and /metrics counting what happened."""

from __future__ import annotations

import json
import logging

import httpx
import pytest
from mcp import MCPError
from prometheus_client.parser import text_string_to_metric_families

from entrypoints.observability.json_logging import JsonLogFormatter
from entrypoints.observability.request_context import bind_request_id, release_request_id
from tests.mcp.clients import mcp_client

ACCEPT = "application/json, text/event-stream"


def _samples(base: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = httpx.get(f"{base}/metrics", timeout=10).text
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _value(samples, name, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def _rpc(url: str, token: str, name: str, arguments=None) -> httpx.Response:
    body = {
        "jsonrpc": "2.0",
        "id": 7,
        "method": "tools/call",
        "params": {"name": name, "arguments": arguments or {}, "_meta": {}},
    }
    headers = {"Authorization": f"Bearer {token}", "Accept": ACCEPT}
    return httpx.post(url, json=body, headers=headers, timeout=10)


def test_every_answer_names_its_request(api):
    health = httpx.get(f"{api.base}/health")
    assert len(health.headers["x-request-id"]) >= 8
    echoed = httpx.get(f"{api.base}/health", headers={"X-Request-Id": "trace-12345678"})
    assert echoed.headers["x-request-id"] == "trace-12345678"

    unauthenticated = httpx.get(f"{api.base}/api/specs")
    assert unauthenticated.status_code == 401
    error = unauthenticated.json()["error"]
    assert error["requestId"] == unauthenticated.headers["x-request-id"]
    assert set(error) == {"code", "message", "details", "requestId"}

    missing = api.call("GET", "/api/no-such-route")
    assert missing.status_code == 404
    assert missing.json()["error"]["requestId"] == missing.headers["x-request-id"]


def test_mcp_refusals_and_json_rpc_errors_carry_the_request_id(api, server_of):
    server = server_of()
    url = api.mcp_url(server)
    refused = _rpc(url, "wrong-token", "getItem")
    assert refused.status_code == 401
    assert refused.json()["error"]["data"]["requestId"] == refused.headers["x-request-id"]

    unknown = _rpc(url, server["token"], "noSuchTool")
    assert unknown.status_code == 200
    assert unknown.json()["error"]["code"] == -32602
    assert unknown.json()["error"]["data"]["requestId"] == unknown.headers["x-request-id"]


async def test_metrics_agree_with_the_calls_made(api, server_of):
    before = _samples(api.base)
    server = server_of(rateLimitPerMinute=5)
    url = api.mcp_url(server)
    async with mcp_client(url, server["token"], mode="2026-07-28") as client:
        assert not (await client.call_tool("getItem", {"itemId": "1"})).is_error
        assert not (await client.call_tool("getItem", {"itemId": "2"})).is_error
        assert (await client.call_tool("getBroken", {})).is_error
        assert (await client.call_tool("getItem", {})).is_error  # itemId missing: invalid
        with pytest.raises(MCPError):
            await client.call_tool("noSuchTool", {})
    over = _rpc(url, server["token"], "getItem", {"itemId": "3"})
    assert over.status_code == 429
    assert _rpc(url, "wrong-token", "getItem").status_code == 401
    after = _samples(api.base)

    def grew(name, **labels):
        return _value(after, name, **labels) - _value(before, name, **labels)

    calls = "specmcp_tool_calls_total"
    assert grew(calls, outcome="ok") == 2
    assert grew(calls, outcome="is_error") == 1
    assert grew(calls, outcome="invalid") == 2
    assert grew(calls, outcome="blocked") == 0
    assert grew(calls, outcome="upstream_error") == 0
    assert grew("specmcp_upstream_duration_seconds_count") == 3
    refusals = "specmcp_gate_refusals_total"
    assert grew(refusals, gate="mcp", reason="rate_limit") == 1
    assert grew(refusals, gate="mcp", reason="auth") == 1
    # Route templates, never endpoint ids, label the HTTP figures.
    routes = {
        dict(labels).get("route") for name, labels in after if name.startswith("specmcp_http")
    }
    assert server["endpointId"] not in " ".join(r for r in routes if r)
    latest = _samples(api.base)  # one more scrape: /metrics counted once more
    scrapes = {"method": "GET", "route": "/metrics", "status": "200"}
    total = "specmcp_http_requests_total"
    assert _value(latest, total, **scrapes) == _value(after, total, **scrapes) + 1
    assert _value(after, "specmcp_log_writer_backlog_rows") >= 0


def test_json_log_lines_carry_the_request_id():
    formatter = JsonLogFormatter()
    record = logging.LogRecord("specmcp.test", logging.INFO, __file__, 1, "hello %s", ("x",), None)
    token = bind_request_id("req-abcdef12")
    try:
        line = formatter.format(record)
    finally:
        release_request_id(token)
    entry = json.loads(line)
    assert entry["requestId"] == "req-abcdef12"
    assert entry["message"] == "hello x" and entry["level"] == "INFO"
    assert "requestId" not in json.loads(formatter.format(record))
