"""The server routes of API.md §3, through HTTP."""

from __future__ import annotations

import hashlib
from typing import Any

from tests.support.documents import petstore


async def _spec(client: Any, headers: dict[str, str], document: Any = None) -> str:
    response = await client.post(
        "/api/specs", json={"name": "Pets", "rawSpec": document or petstore()}, headers=headers
    )
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["id"])


async def _server(client: Any, headers: dict[str, str], spec_id: str, **body: Any) -> Any:
    body.setdefault("name", "Pets server")
    body.setdefault("slug", "pets")
    body.setdefault("authMode", "none")
    return await client.post(f"/api/specs/{spec_id}/servers", json=body, headers=headers)


async def test_creates_a_server_with_a_token_shown_once(client, auth):
    spec_id = await _spec(client, auth())
    response = await _server(client, auth(), spec_id)
    assert response.status_code == 201, response.text
    server = response.json()["data"]
    assert server["specId"] == spec_id
    assert server["baseUrl"] == "https://petstore.example.com/v1"
    assert server["rateLimitPerMinute"] == 100
    assert server["isActive"] is True
    assert server["toolCount"] == 3 and server["activeToolCount"] == 3
    assert server["token"] and server["tokenWarning"]
    assert len(server["endpointId"]) >= 22  # 128 bits, URL-safe base64
    assert server["mcpUrl"].endswith(f"/mcp/{server['endpointId']}")
    again = (await client.get(f"/api/servers/{server['id']}", headers=auth())).json()["data"]
    assert "token" not in again
    digest = hashlib.sha256(server["token"].encode()).hexdigest()
    assert server["token"] not in str(again) and digest not in str(again)


async def test_endpoint_ids_and_tokens_are_unique(client, auth):
    spec_id = await _spec(client, auth())
    a = (await _server(client, auth(), spec_id, slug="one")).json()["data"]
    b = (await _server(client, auth(), spec_id, slug="two")).json()["data"]
    assert a["endpointId"] != b["endpointId"] and a["token"] != b["token"]


async def test_api_key_config_defaults_from_the_specs_security_scheme(client, auth):
    document = petstore()
    document["components"]["securitySchemes"] = {
        "key": {"type": "apiKey", "in": "query", "name": "api_key"}
    }
    spec_id = await _spec(client, auth(), document)
    server = (await _server(client, auth(), spec_id, authMode="api_key")).json()["data"]
    assert server["authConfig"] == {"in": "query", "name": "api_key"}


async def test_api_key_config_defaults_to_an_x_api_key_header(client, auth):
    spec_id = await _spec(client, auth())
    server = (await _server(client, auth(), spec_id, authMode="api_key")).json()["data"]
    assert server["authConfig"] == {"in": "header", "name": "X-API-Key"}


async def test_a_duplicate_slug_is_a_conflict_but_not_across_users(client, auth):
    spec_a = await _spec(client, auth("user_a"))
    assert (await _server(client, auth("user_a"), spec_a)).status_code == 201
    duplicate = await _server(client, auth("user_a"), spec_a)
    assert duplicate.status_code == 409
    assert duplicate.json()["error"]["code"] == "CONFLICT"
    spec_b = await _spec(client, auth("user_b"))
    assert (await _server(client, auth("user_b"), spec_b)).status_code == 201


async def test_the_free_plans_third_active_server_is_refused(client, auth):
    spec_id = await _spec(client, auth())
    for slug in ("one", "two"):
        assert (await _server(client, auth(), spec_id, slug=slug)).status_code == 201
    refused = await _server(client, auth(), spec_id, slug="three")
    assert refused.status_code == 403
    error = refused.json()["error"]
    assert error["code"] == "FORBIDDEN"
    assert error["details"] == {"reason": "plan_limit", "limit": 2, "current": 2, "plan": "free"}


async def test_reactivation_rechecks_the_plan(client, auth):
    spec_id = await _spec(client, auth())
    one = (await _server(client, auth(), spec_id, slug="one")).json()["data"]
    await _server(client, auth(), spec_id, slug="two")
    off = await client.patch(f"/api/servers/{one['id']}", json={"isActive": False}, headers=auth())
    assert off.json()["data"]["isActive"] is False
    assert (await _server(client, auth(), spec_id, slug="three")).status_code == 201
    back = await client.patch(f"/api/servers/{one['id']}", json={"isActive": True}, headers=auth())
    assert back.status_code == 403
    assert back.json()["error"]["details"]["reason"] == "plan_limit"


async def test_base_url_is_required_when_the_spec_has_none(client, auth):
    document = petstore()
    del document["servers"]
    spec_id = await _spec(client, auth(), document)
    response = await _server(client, auth(), spec_id)
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["path"] == ["baseUrl"]
    ok = await _server(client, auth(), spec_id, baseUrl="https://api.example.com/v2")
    assert ok.status_code == 201
    assert ok.json()["data"]["baseUrl"] == "https://api.example.com/v2"


async def test_base_urls_the_outbound_guard_refuses_are_a_400(client, auth):
    spec_id = await _spec(client, auth())
    for url in ("http://169.254.169.254/latest", "http://10.0.0.1", "http://[::1]:8080"):
        response = await _server(client, auth(), spec_id, baseUrl=url)
        assert response.status_code == 400, url
        assert response.json()["error"]["details"][0]["path"] == ["baseUrl"]


async def test_names_every_invalid_field(client, auth):
    spec_id = await _spec(client, auth())
    response = await client.post(
        f"/api/specs/{spec_id}/servers",
        json={
            "name": "",
            "slug": "Bad--Slug",
            "authMode": "magic",
            "rateLimitPerMinute": 0,
            "baseUrl": "ftp://x",
        },
        headers=auth(),
    )
    assert response.status_code == 400
    paths = {tuple(p["path"]) for p in response.json()["error"]["details"]}
    assert paths == {("name",), ("slug",), ("authMode",), ("rateLimitPerMinute",), ("baseUrl",)}


async def test_lists_all_servers_and_the_specs_servers(client, auth):
    spec_a = await _spec(client, auth())
    spec_b = await _spec(client, auth())
    await _server(client, auth(), spec_a, slug="aaa")
    await _server(client, auth(), spec_b, slug="bbb")
    everything = (await client.get("/api/servers", headers=auth())).json()
    assert [s["slug"] for s in everything["data"]] == ["bbb", "aaa"]
    assert everything["meta"]["total"] == 2
    of_a = (await client.get(f"/api/specs/{spec_a}/servers", headers=auth())).json()
    assert [s["slug"] for s in of_a["data"]] == ["aaa"]


async def test_updates_partially_and_refuses_an_empty_update(client, auth):
    spec_id = await _spec(client, auth())
    server = (await _server(client, auth(), spec_id)).json()["data"]
    url = f"/api/servers/{server['id']}"
    response = await client.put(
        url, json={"name": "Renamed", "rateLimitPerMinute": 7}, headers=auth()
    )
    data = response.json()["data"]
    assert (data["name"], data["rateLimitPerMinute"], data["slug"]) == ("Renamed", 7, "pets")
    assert (await client.patch(url, json={}, headers=auth())).status_code == 400


async def test_rotating_the_token_returns_a_new_one(client, auth):
    spec_id = await _spec(client, auth())
    server = (await _server(client, auth(), spec_id)).json()["data"]
    rotated = await client.post(f"/api/servers/{server['id']}/rotate-token", headers=auth())
    assert rotated.status_code == 200
    assert rotated.json()["data"]["token"] != server["token"]


async def test_deleting_the_spec_deletes_its_servers(client, auth):
    spec_id = await _spec(client, auth())
    server = (await _server(client, auth(), spec_id)).json()["data"]
    deleted = await client.delete(f"/api/specs/{spec_id}", headers=auth())
    assert deleted.json()["data"]["serversDeleted"] == 1
    assert (await client.get(f"/api/servers/{server['id']}", headers=auth())).status_code == 404


async def test_another_users_server_is_not_found(client, auth):
    spec_id = await _spec(client, auth("user_a"))
    server = (await _server(client, auth("user_a"), spec_id)).json()["data"]
    other = auth("user_b")
    base = f"/api/servers/{server['id']}"
    for response in (
        await client.get(base, headers=other),
        await client.patch(base, json={"name": "x"}, headers=other),
        await client.post(f"{base}/rotate-token", headers=other),
        await client.get(f"{base}/tools", headers=other),
        await client.delete(base, headers=other),
        await _server(client, other, spec_id, slug="stolen"),
    ):
        assert response.status_code == 404
        assert server["endpointId"] not in response.text
    assert (await client.get(base, headers=auth("user_a"))).status_code == 200
