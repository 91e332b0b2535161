"""Every /api route, taken from the app's route table, refuses a missing or bad token (401) and
another tenant's ids (404, API.md §1): user A owns a spec, a server, a tool, a credential and a
log row; user B calls every route with A's ids and never sees a field of A's data.

A new /api route joins this matrix by itself; a new write route fails here until it is given a
valid body below (so B is refused for ownership, not for a bad body).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute

from entrypoints.http.app import create_app
from tests.mcp.served_app import ServedApp, serve_in_thread
from tests.support.offline_app import ISSUER, TokenMint, offline_container
from tests.support.rsa_keys import RsaTestKey
from tests.support.tenant_world import TenantWorld, build_tenant_world
from tests.support.threaded_upstream import threaded_upstream
from tests.support.upstream_server import Reply, UpstreamServer

# Signed by their senders, not by a bearer token (API.md §9).
EXCLUDED = {"/api/webhooks/clerk", "/api/webhooks/stripe"}

# A valid body for each write route: B's request is refused for ownership alone.
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/api/specs"): {
        "name": "B spec",
        "rawSpec": {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}},
    },
    ("PUT", "/api/specs/{spec_id}"): {"name": "B rename"},
    ("PATCH", "/api/specs/{spec_id}"): {"name": "B rename"},
    ("POST", "/api/specs/{spec_id}/servers"): {"name": "B", "slug": "b-server", "authMode": "none"},
    ("PUT", "/api/servers/{server_id}"): {"name": "B rename"},
    ("PATCH", "/api/servers/{server_id}"): {"name": "B rename"},
    ("POST", "/api/servers/{server_id}/rotate-token"): {},
    ("PUT", "/api/servers/{server_id}/tools/{tool_id}"): {"isActive": False},
    ("PATCH", "/api/servers/{server_id}/tools/{tool_id}"): {"isActive": False},
    ("POST", "/api/servers/{server_id}/test"): {
        "toolName": "getItem",
        "arguments": {"itemId": "1"},
    },
    ("POST", "/api/servers/{server_id}/credentials"): {
        "label": "B",
        "authType": "api_key",
        "plaintextKey": "b",
    },
    ("POST", "/api/billing/budget"): {"capEur": 5},
    ("PUT", "/api/billing/budget"): {"capEur": 5},
    ("POST", "/api/billing/checkout"): {"planId": "starter"},
    ("POST", "/api/billing/portal"): {},
}

_PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")


def api_routes(app: Litestar) -> list[tuple[str, str]]:
    """(method, path template) of every /api route of the app, webhooks excluded."""
    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or not route.path.startswith("/api"):
            continue
        path = _PARAM.sub(r"{\1}", route.path)
        if path in EXCLUDED:
            continue
        found += [(m, path) for m in sorted(route.methods) if m not in ("OPTIONS", "HEAD")]
    return found


@pytest.fixture(scope="module")
def key() -> RsaTestKey:
    return RsaTestKey("kid-matrix")


@pytest.fixture(scope="module")
def app(key: RsaTestKey) -> Litestar:
    return create_app(offline_container(key))


@pytest.fixture(scope="module")
def upstream() -> Iterator[UpstreamServer]:
    reply = Reply(200, {"content-type": "application/json"}, b'{"item": "x1"}')
    with threaded_upstream(lambda _: reply) as server:
        yield server


@pytest.fixture(scope="module")
def served(app: Litestar) -> Iterator[ServedApp]:
    with serve_in_thread(app) as served:
        yield served


@pytest.fixture(scope="module")
def mint(key: RsaTestKey) -> TokenMint:
    return TokenMint(key)


@pytest.fixture(scope="module")
def world(served: ServedApp, mint: TokenMint, upstream: UpstreamServer) -> TenantWorld:
    tag = f"alpha{time.monotonic_ns() % 10**8}"
    return build_tenant_world(served.base, mint.headers("user_a"), "user_a", upstream.url, tag)


def _url(path: str, world: TenantWorld) -> str:
    return _PARAM.sub(lambda m: world.ids[m.group(1)], path)


def _send(
    served: ServedApp, method: str, path: str, world: TenantWorld, headers: dict[str, str]
) -> httpx.Response:
    body = BODIES.get((method, path))
    url = f"{served.base}{_url(path, world)}"
    return httpx.request(method, url, headers=headers, json=body, timeout=30)


def test_the_route_table_holds_the_contract_routes_and_the_webhooks_are_the_only_exclusions(app):
    routes = api_routes(app)
    every = {path for _, path in routes} | EXCLUDED
    raw = {_PARAM.sub(r"{\1}", r.path) for r in app.routes if r.path.startswith("/api")}
    assert raw == every
    assert raw - {p for _, p in routes} == EXCLUDED
    assert len(routes) >= 25
    writes = {(m, p) for m, p in routes if m in ("POST", "PUT", "PATCH")}
    assert writes == set(BODIES), "give each new write route a valid body in BODIES"


def _bad_tokens(key: RsaTestKey) -> dict[str, dict[str, str]]:
    now = int(time.time())
    stranger = RsaTestKey("kid-matrix")
    claims = {"sub": "user_a", "iss": ISSUER, "iat": now, "nbf": now, "exp": now + 600}
    expired = {**claims, "iat": now - 900, "nbf": now - 900, "exp": now - 300}
    return {
        "none": {},
        "empty bearer": {"Authorization": "Bearer"},
        "basic scheme": {"Authorization": "Basic dXNlcjpwYXNz"},
        "garbage": {"Authorization": "Bearer not.a.jwt"},
        "another key": {"Authorization": f"Bearer {stranger.mint(claims)}"},
        "expired": {"Authorization": f"Bearer {key.mint(expired)}"},
        "wrong issuer": {"Authorization": f"Bearer {key.mint({**claims, 'iss': 'https://x'})}"},
    }


def test_every_route_refuses_a_missing_or_bad_token_with_401(app, served, key, world):
    refusals = 0
    bad_tokens = _bad_tokens(key)
    for method, path in api_routes(app):
        for name, headers in bad_tokens.items():
            response = _send(served, method, path, world, headers)
            where = f"{method} {path} with {name} token"
            assert response.status_code == 401, (where, response.text)
            body = response.json()
            assert body["success"] is False and body["data"] is None, where
            assert body["error"]["code"] == "AUTH_ERROR", where
            assert response.headers["www-authenticate"].startswith("Bearer"), where
            _assert_no_leak(response, world, where)
            refusals += 1
    assert refusals == len(api_routes(app)) * 7


def _assert_no_leak(response: httpx.Response, world: TenantWorld, where: str) -> None:
    text = response.text
    for marker in world.markers:
        assert marker not in text, (where, marker, text[:500])


def test_another_users_ids_are_not_found_on_every_route_and_nothing_of_them_leaks(
    app, served, mint, world
):
    b = mint.headers("user_b")
    for method, path in api_routes(app):
        response = _send(served, method, path, world, b)
        where = f"{method} {path} as user_b"
        if _PARAM.search(path):
            assert response.status_code == 404, (where, response.text)
            assert response.json()["error"]["code"] == "NOT_FOUND", where
        else:
            # B's own collection or account: allowed, and free of A's data.
            assert response.status_code < 500, (where, response.text)
        _assert_no_leak(response, world, where)
    _assert_world_untouched(served, mint, world)


def _assert_world_untouched(served: ServedApp, mint: TokenMint, world: TenantWorld) -> None:
    a = mint.headers("user_a")
    with httpx.Client(base_url=served.base, headers=a, timeout=30) as http:
        spec = http.get(f"/api/specs/{world.ids['spec_id']}")
        assert spec.status_code == 200 and spec.json()["data"]["name"] == world.secrets["spec_name"]
        server = http.get(f"/api/servers/{world.ids['server_id']}").json()["data"]
        assert server["name"] == world.secrets["server_name"]
        tools = http.get(f"/api/servers/{world.ids['server_id']}/tools").json()["data"]
        assert next(t for t in tools if t["id"] == world.ids["tool_id"])["isActive"] is True
        credentials = http.get(f"/api/servers/{world.ids['server_id']}/credentials").json()
        assert [c["id"] for c in credentials["data"]] == [world.ids["credential_id"]]
    # The MCP token B tried to rotate still works for A's clients.
    listed = httpx.post(
        f"{served.base}/mcp/{world.secrets['endpoint_id']}",
        headers={
            "Authorization": f"Bearer {world.secrets['token']}",
            "Accept": "application/json, text/event-stream",
            "MCP-Protocol-Version": "2025-06-18",
        },
        json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
        timeout=30,
    )
    assert listed.status_code == 200, listed.text
    assert "getItem" in listed.text
