"""One tenant's resources, created through the API: a spec, a server, its tools, a credential
and a log row. Their ids and names are what no other tenant may ever see."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.mcp.upstream_spec import upstream_spec

__all__ = ["TenantWorld", "build_tenant_world"]


@dataclass
class TenantWorld:
    """The owner's ids (by path parameter name) and the strings that identify its data."""

    owner: str
    ids: dict[str, str]
    secrets: dict[str, str] = field(default_factory=dict)

    @property
    def markers(self) -> list[str]:
        """Every id, name, slug, endpoint id and secret of the tenant (for leak checks)."""
        return [*self.ids.values(), *self.secrets.values()]


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, (response.request.url, response.text)
    return response.json()["data"]


def _logs_of(http: httpx.Client, server_id: str) -> list[dict[str, Any]]:
    # Log rows are written in batches, off the caller's path: wait (bounded) for the row.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        logs: list[dict[str, Any]] = _ok(http.get(f"/api/servers/{server_id}/logs"))
        if logs:
            return logs
        time.sleep(0.05)
    raise AssertionError("the test call left no log row within 10 s")


def build_tenant_world(
    base: str, headers: dict[str, str], owner: str, upstream_url: str, tag: str
) -> TenantWorld:
    """Create the tenant's spec, server, credential and one logged test call at `base`."""
    with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
        spec = _ok(
            http.post(
                "/api/specs",
                json={"name": f"Spec {tag}", "rawSpec": upstream_spec(upstream_url)},
            ),
            201,
        )
        server = _ok(
            http.post(
                f"/api/specs/{spec['id']}/servers",
                json={
                    "name": f"Server {tag}",
                    "slug": f"srv-{tag}",
                    "authMode": "api_key",
                    "authConfig": {"in": "header", "name": "X-Key"},
                },
            ),
            201,
        )
        credential = _ok(
            http.post(
                f"/api/servers/{server['id']}/credentials",
                json={
                    "label": f"Label {tag}",
                    "authType": "api_key",
                    "plaintextKey": f"secret-{tag}",
                },
            ),
            201,
        )
        tools = _ok(http.get(f"/api/servers/{server['id']}/tools"))
        tool = next(t for t in tools if t["name"] == "getItem")
        called = http.post(
            f"/api/servers/{server['id']}/test",
            json={"toolName": "getItem", "arguments": {"itemId": "x1"}},
        )
        assert called.status_code in (200, 502), called.text
        logs = _logs_of(http, server["id"])
    return TenantWorld(
        owner=owner,
        ids={
            "spec_id": spec["id"],
            "server_id": server["id"],
            "tool_id": tool["id"],
            "credential_id": credential["id"],
            "log_id": logs[0]["id"],
        },
        secrets={
            "spec_name": spec["name"],
            "server_name": server["name"],
            "slug": server["slug"],
            "endpoint_id": server["endpointId"],
            "token": server["token"],
            "credential_label": credential["label"],
            "plaintext_key": f"secret-{tag}",
        },
    )
