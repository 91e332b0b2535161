"""What a caller sees when the metering store fails in the middle of a tool call.

A database that cannot be reached is a `503` (HTTP) or JSON-RPC `-32000` (MCP) with
`reason: service_unavailable`; any other unexpected error is a `500 INTERNAL_ERROR` or JSON-RPC
`-32603` with a generic message and the request id. Neither ever carries the exception's text:
before the MCP mapping, the SDK answered any handler exception with code 0 and `str(exc)`,
which for a driver error holds the SQL statement, its parameters and the database host.

Runs on the MCP suite's served app (memory persistence; fixtures via tests/faults/conftest.py).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.faults.load import MCP_HEADERS
from tests.mcp.conftest import Api

SECRET_TEXT = "postgresql://admin:hunter2@db.internal:5432/prod [SQL: UPDATE usage_counters]"


def _mcp_call(api: Api, server: dict[str, Any]) -> httpx.Response:
    return httpx.post(
        api.mcp_url(server),
        json={
            "jsonrpc": "2.0",
            "id": 7,
            "method": "tools/call",
            "params": {"name": "getItem", "arguments": {"itemId": "a"}},
        },
        headers=MCP_HEADERS | {"Authorization": f"Bearer {server['token']}"},
        timeout=30,
    )


def _test_call(api: Api, server: dict[str, Any]) -> httpx.Response:
    return api.call(
        "POST",
        f"/api/servers/{server['id']}/test",
        server["owner"],
        json={"toolName": "getItem", "arguments": {"itemId": "a"}},
    )


@pytest.fixture
def failing_meter(api: Api, monkeypatch: pytest.MonkeyPatch) -> Any:
    meter = api.container.usage_meter()
    state: dict[str, BaseException] = {}

    async def admit(*_: Any) -> Any:
        raise state["error"]

    monkeypatch.setattr(meter, "admit", admit)
    return state


def test_an_unreachable_database_is_503_and_jsonrpc_32000(
    api: Api, server_of: Any, failing_meter: dict[str, BaseException]
) -> None:
    server = server_of()
    failing_meter["error"] = ConnectionRefusedError(111, SECRET_TEXT)
    answer = _mcp_call(api, server)
    assert answer.status_code == 200
    error = answer.json()["error"]
    assert error["code"] == -32000 and error["data"]["reason"] == "service_unavailable"
    assert error["data"]["requestId"] and "hunter2" not in answer.text
    answer = _test_call(api, server)
    assert answer.status_code == 503 and answer.headers["retry-after"] == "5"
    body = answer.json()["error"]
    assert body["code"] == "INTERNAL_ERROR" and body["details"]["reason"] == "service_unavailable"
    assert "hunter2" not in answer.text


def test_any_other_failure_is_a_generic_internal_error(
    api: Api, server_of: Any, failing_meter: dict[str, BaseException]
) -> None:
    server = server_of()
    failing_meter["error"] = RuntimeError(SECRET_TEXT)
    answer = _mcp_call(api, server)
    error = answer.json()["error"]
    assert error["code"] == -32603 and error["message"] == "Something went wrong on our side."
    assert error["data"]["requestId"] and "hunter2" not in answer.text
    answer = _test_call(api, server)
    assert answer.status_code == 500 and answer.json()["error"]["code"] == "INTERNAL_ERROR"
    assert "hunter2" not in answer.text
