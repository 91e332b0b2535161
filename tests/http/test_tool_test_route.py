"""POST /api/servers/{id}/test runs a tool against a real upstream on 127.0.0.1 (API.md §4)."""

from __future__ import annotations

import json
import socket
from typing import Any

import pytest

from tests.support.documents import petstore
from tests.support.threaded_upstream import threaded_upstream
from tests.support.upstream_server import ReceivedRequest, Reply


def _pets(request: ReceivedRequest) -> Reply:
    if request.path.endswith("/pets/missing"):
        return Reply(404, {"content-type": "application/json"}, b'{"error": "no such pet"}')
    if request.path.endswith("/pets"):
        limit = int(request.query.get("limit", ["2"])[0])
        pets = [{"id": i, "name": f"pet {i}"} for i in range(limit)]
        return Reply(200, {"content-type": "application/json"}, json.dumps(pets).encode())
    return Reply(200, {"content-type": "application/json"}, b'{"id": 7, "name": "Rex"}')


@pytest.fixture
def upstream():
    with threaded_upstream(_pets) as server:
        yield server


async def _server(client: Any, headers: dict[str, str], base_url: str, **extra: Any) -> str:
    spec = (
        await client.post(
            "/api/specs", json={"name": "Pets", "rawSpec": petstore()}, headers=headers
        )
    ).json()["data"]
    body = {"name": "Pets", "slug": "pets", "authMode": "none", "baseUrl": base_url, **extra}
    created = await client.post(f"/api/specs/{spec['id']}/servers", json=body, headers=headers)
    assert created.status_code == 201, created.text
    return str(created.json()["data"]["id"])


async def test_runs_a_tool_against_the_upstream_and_reports_timing(client, auth, upstream):
    server_id = await _server(client, auth(), upstream.url + "/v1")
    response = await client.post(
        f"/api/servers/{server_id}/test",
        json={"toolName": "listPets", "arguments": {"limit": 3}},
        headers=auth(),
    )
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["toolName"] == "listPets" and data["isError"] is False
    assert data["status"] == 200
    assert data["body"] == [
        {"id": 0, "name": "pet 0"},
        {"id": 1, "name": "pet 1"},
        {"id": 2, "name": "pet 2"},
    ]
    assert data["truncated"] is False
    assert data["timing"]["totalMs"] >= data["timing"]["upstreamMs"] > 0
    assert data["request"] == {"method": "GET", "url": f"{upstream.url}/v1/pets?limit=3"}
    seen = upstream.received[-1]
    assert (seen.method, seen.target) == ("GET", "/v1/pets?limit=3")


async def test_input_is_an_alias_of_arguments(client, auth, upstream):
    server_id = await _server(client, auth(), upstream.url)
    response = await client.post(
        f"/api/servers/{server_id}/test",
        json={"toolName": "showPetById", "input": {"petId": "a b/c"}},
        headers=auth(),
    )
    assert response.json()["data"]["body"] == {"id": 7, "name": "Rex"}
    assert upstream.received[-1].target == "/pets/a%20b%2Fc"


async def test_an_upstream_error_is_a_200_with_is_error(client, auth, upstream):
    server_id = await _server(client, auth(), upstream.url)
    response = await client.post(
        f"/api/servers/{server_id}/test",
        json={"toolName": "showPetById", "arguments": {"petId": "missing"}},
        headers=auth(),
    )
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["isError"] is True and data["status"] == 404
    assert data["body"] == {"error": "no such pet"}


async def test_arguments_that_fail_the_schema_are_a_400_naming_each(client, auth, upstream):
    server_id = await _server(client, auth(), upstream.url)
    response = await client.post(
        f"/api/servers/{server_id}/test",
        json={"toolName": "createPet", "arguments": {"body": {"id": "seven"}}},
        headers=auth(),
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["details"]["reason"] == "invalid_arguments"
    assert len(error["details"]["problems"]) >= 2  # id has the wrong type, name is missing
    assert upstream.received == []


async def test_inactive_tools_can_still_be_tested(client, auth, upstream):
    server_id = await _server(client, auth(), upstream.url)
    tools = (await client.get(f"/api/servers/{server_id}/tools", headers=auth())).json()["data"]
    show = next(t for t in tools if t["name"] == "showPetById")
    await client.patch(
        f"/api/servers/{server_id}/tools/{show['id']}", json={"isActive": False}, headers=auth()
    )
    response = await client.post(
        f"/api/servers/{server_id}/test",
        json={"toolName": "showPetById", "arguments": {"petId": "1"}},
        headers=auth(),
    )
    assert response.status_code == 200 and response.json()["data"]["status"] == 200


async def test_an_unknown_tool_is_not_found(client, auth, upstream):
    server_id = await _server(client, auth(), upstream.url)
    response = await client.post(
        f"/api/servers/{server_id}/test", json={"toolName": "nope"}, headers=auth()
    )
    assert response.status_code == 404


async def test_a_missing_credential_is_a_400_with_its_reason(client, auth, upstream):
    server_id = await _server(client, auth(), upstream.url, authMode="bearer")
    response = await client.post(
        f"/api/servers/{server_id}/test", json={"toolName": "listPets"}, headers=auth()
    )
    assert response.status_code == 400
    assert response.json()["error"]["details"]["reason"] == "missing_credential"


async def test_an_unreachable_upstream_is_a_502(client, auth):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server_id = await _server(client, auth(), f"http://127.0.0.1:{port}")
    response = await client.post(
        f"/api/servers/{server_id}/test", json={"toolName": "listPets"}, headers=auth()
    )
    assert response.status_code == 502
    assert response.json()["error"]["code"] == "UPSTREAM_ERROR"
    assert response.json()["error"]["details"]["reason"] == "connect"


async def test_another_users_server_cannot_be_tested(client, auth, upstream):
    server_id = await _server(client, auth("user_a"), upstream.url)
    response = await client.post(
        f"/api/servers/{server_id}/test", json={"toolName": "listPets"}, headers=auth("user_b")
    )
    assert response.status_code == 404
    assert upstream.received == []
