"""The credential routes of API.md §5, through HTTP: secrets go in and never come out."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from dependency_injector import providers
from litestar.testing import AsyncTestClient

from application.usecases.create_credential import CreateCredential
from application.usecases.read_credentials import DeleteCredential, ListCredentials
from entrypoints.config import Settings
from entrypoints.container import build_container
from entrypoints.http.app import create_app
from entrypoints.http.controllers.credentials import CredentialController
from tests.support.documents import petstore

SECRET = "sk-live-SENTINEL-0b5e9a"
CLIENT_SECRET = "cs-SENTINEL-77d1f0"
VIEW_FIELDS = {
    "id",
    "serverId",
    "label",
    "authType",
    "expiresAt",
    "scopes",
    "tokenEndpoint",
    "clientId",
    "createdAt",
    "updatedAt",
}
_ROUTE = "/api/servers/{server_id:str}/credentials"


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[AsyncTestClient[Any]]:
    """The app of tests/http/conftest.py, with the credential wiring added if not yet there."""
    container = build_container(settings)
    wiring = {
        "create_credential": (CreateCredential, "uow", "vault", "clock", "ids"),
        "list_credentials": (ListCredentials, "uow"),
        "delete_credential": (DeleteCredential, "uow"),
    }
    for name, (use_case, *ports) in wiring.items():
        if not hasattr(container, name):
            deps = [getattr(container, port) for port in ports]
            setattr(container, name, providers.Singleton(use_case, *deps))
    app = create_app(container)
    if _ROUTE not in {route.path for route in app.routes}:
        app.register(CredentialController)
    async with AsyncTestClient(app) as test_client:
        yield test_client


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog


async def _server(client: Any, headers: dict[str, str]) -> str:
    spec = await client.post(
        "/api/specs", json={"name": "Pets", "rawSpec": petstore()}, headers=headers
    )
    assert spec.status_code == 201, spec.text
    server = await client.post(
        f"/api/specs/{spec.json()['data']['id']}/servers",
        json={"name": "Pets", "slug": "pets", "authMode": "api_key"},
        headers=headers,
    )
    assert server.status_code == 201, server.text
    return str(server.json()["data"]["id"])


def _url(server_id: str, credential_id: str = "") -> str:
    return f"/api/servers/{server_id}/credentials" + (f"/{credential_id}" if credential_id else "")


def _leaks(response: Any) -> bool:
    shown = response.text + str(dict(response.headers))
    return SECRET in shown or CLIENT_SECRET in shown


def _fields(response: Any) -> set[str]:
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    return {str(p["path"][0]) for p in response.json()["error"]["details"] if p["path"]}


async def test_creates_lists_and_deletes_without_ever_answering_the_secret(client, auth, logs):
    server_id = await _server(client, auth())
    created = await client.post(
        _url(server_id),
        json={
            "label": " Prod ",
            "authType": "api_key",
            "plaintextKey": SECRET,
            "expiresAt": "2999-01-01T00:00:00Z",
        },
        headers=auth(),
    )
    assert created.status_code == 201, created.text
    data = created.json()["data"]
    assert set(data) == VIEW_FIELDS
    assert data["label"] == "Prod" and data["serverId"] == server_id
    assert data["expiresAt"].startswith("2999-01-01T00:00:00") and data["scopes"] == []
    listed = await client.get(_url(server_id), headers=auth())
    assert listed.status_code == 200
    assert [c["id"] for c in listed.json()["data"]] == [data["id"]]
    assert listed.json()["meta"] == {"total": 1, "page": 1, "limit": 20, "hasMore": False}
    deleted = await client.delete(_url(server_id, data["id"]), headers=auth())
    assert deleted.status_code == 200
    assert deleted.json()["data"] == {"id": data["id"], "deleted": True}
    assert (await client.get(_url(server_id), headers=auth())).json()["data"] == []
    again = await client.delete(_url(server_id, data["id"]), headers=auth())
    assert again.status_code == 404
    assert not any(_leaks(r) for r in (created, listed, deleted, again))
    assert SECRET not in logs.text


async def test_oauth2_keeps_its_public_fields_and_hides_the_client_secret(client, auth, logs):
    server_id = await _server(client, auth())
    created = await client.post(
        _url(server_id),
        json={
            "label": "OAuth",
            "authType": "oauth2_client_creds",
            "clientId": "client-1",
            "clientSecret": CLIENT_SECRET,
            "tokenEndpoint": "https://auth.example.com/token",
            "scopes": ["read", "write"],
        },
        headers=auth(),
    )
    assert created.status_code == 201, created.text
    data = created.json()["data"]
    assert (data["clientId"], data["tokenEndpoint"], data["scopes"]) == (
        "client-1",
        "https://auth.example.com/token",
        ["read", "write"],
    )
    listed = await client.get(_url(server_id), headers=auth())
    assert not _leaks(created) and not _leaks(listed) and CLIENT_SECRET not in logs.text


async def test_every_offending_field_is_named_and_no_secret_is_echoed(client, auth, logs):
    server_id = await _server(client, auth())
    shape = await client.post(
        _url(server_id),
        json={
            "label": "   ",
            "authType": SECRET,
            "plaintextKey": SECRET * 1000,
            "expiresAt": SECRET,
            "clientId": "",
            "clientSecret": CLIENT_SECRET * 1000,
            "tokenEndpoint": "x" * 2001,
            "scopes": ["a"] * 51,
            "unknown": SECRET,
        },
        headers=auth(),
    )
    assert _fields(shape) == {
        "label",
        "authType",
        "plaintextKey",
        "expiresAt",
        "clientId",
        "clientSecret",
        "tokenEndpoint",
        "scopes",
        "unknown",
    }
    oauth2 = await client.post(
        _url(server_id),
        json={
            "label": "x",
            "authType": "oauth2_client_creds",
            "plaintextKey": SECRET,
            "tokenEndpoint": "http://auth.example.com/token",
        },
        headers=auth(),
    )
    assert _fields(oauth2) == {"clientId", "clientSecret", "tokenEndpoint"}
    misplaced = await client.post(
        _url(server_id),
        json={
            "label": "x",
            "authType": "bearer",
            "clientSecret": CLIENT_SECRET,
            "scopes": ["read"],
        },
        headers=auth(),
    )
    assert _fields(misplaced) == {"plaintextKey", "clientSecret", "scopes"}
    basic = await client.post(
        _url(server_id),
        json={"label": "x", "authType": "basic", "plaintextKey": SECRET},
        headers=auth(),
    )
    assert _fields(basic) == {"plaintextKey"}
    past = await client.post(
        _url(server_id),
        json={
            "label": "x",
            "authType": "bearer",
            "plaintextKey": SECRET,
            "expiresAt": "2001-01-01T00:00:00Z",
        },
        headers=auth(),
    )
    assert _fields(past) == {"expiresAt"}
    malformed = await client.post(
        _url(server_id),
        content=b'{"plaintextKey": "' + SECRET.encode() + b'"',
        headers=auth() | {"Content-Type": "application/json"},
    )
    assert malformed.status_code == 400
    responses = (shape, oauth2, misplaced, basic, past, malformed)
    assert not any(_leaks(r) for r in responses)
    assert SECRET not in logs.text and CLIENT_SECRET not in logs.text


async def test_path_ids_must_be_uuids(client, auth):
    assert _fields(await client.get(_url("not-a-uuid"), headers=auth())) == {"serverId"}
    server_id = await _server(client, auth())
    response = await client.delete(_url(server_id, "nope"), headers=auth())
    assert _fields(response) == {"credentialId"}


async def test_another_users_server_and_credential_are_not_found(client, auth, logs):
    server_id = await _server(client, auth("user_a"))
    body = {"label": "x", "authType": "bearer", "plaintextKey": SECRET}
    mine = (await client.post(_url(server_id), json=body, headers=auth("user_a"))).json()["data"]
    theirs = auth("user_b")
    responses = [
        await client.post(_url(server_id), json=body, headers=theirs),
        await client.get(_url(server_id), headers=theirs),
        await client.delete(_url(server_id, mine["id"]), headers=theirs),
        await client.delete(_url(str(uuid.uuid4()), mine["id"]), headers=auth("user_a")),
        await client.delete(_url(server_id, str(uuid.uuid4())), headers=auth("user_a")),
    ]
    assert [r.status_code for r in responses] == [404] * 5
    assert all(r.json()["error"]["code"] == "NOT_FOUND" for r in responses)
    assert not any(_leaks(r) for r in responses) and SECRET not in logs.text
    still = await client.get(_url(server_id), headers=auth("user_a"))
    assert [c["id"] for c in still.json()["data"]] == [mine["id"]]


async def test_the_list_pages_newest_first(client, auth):
    server_id = await _server(client, auth())
    ids = []
    for n in range(3):
        body = {"label": f"key {n}", "authType": "bearer", "plaintextKey": SECRET}
        created = await client.post(_url(server_id), json=body, headers=auth())
        ids.append(created.json()["data"]["id"])
    first = await client.get(_url(server_id) + "?limit=2", headers=auth())
    page = await client.get(_url(server_id) + "?page=2&limit=2", headers=auth())
    assert first.json()["meta"] == {"total": 3, "page": 1, "limit": 2, "hasMore": True}
    assert page.json()["meta"] == {"total": 3, "page": 2, "limit": 2, "hasMore": False}
    listed = [c["id"] for c in first.json()["data"] + page.json()["data"]]
    assert listed == ids[::-1]


async def test_the_openapi_document_shows_the_body_and_no_secret_in_answers(client):
    document = (await client.get("/schema/openapi.json")).json()
    route = document["paths"]["/api/servers/{server_id}/credentials"]
    body = route["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert {"plaintextKey", "clientSecret", "expiresAt"} <= set(body["properties"])
    view = document["components"]["schemas"]["CredentialView"]
    assert set(view["properties"]) == VIEW_FIELDS
