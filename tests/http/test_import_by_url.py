"""Import by sourceUrl through the outbound guard (API.md §2, §8)."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from entrypoints.container import build_container
from entrypoints.http.app import create_app
from tests.support.documents import petstore, swagger_petstore_yaml
from tests.support.threaded_upstream import threaded_upstream
from tests.support.upstream_server import ReceivedRequest, Reply

DOCUMENTS: dict[str, Any] = {"/openapi.json": petstore()}


def _serve(request: ReceivedRequest) -> Reply:
    if request.path == "/openapi.json":
        return Reply(
            200,
            {"content-type": "application/json"},
            json.dumps(DOCUMENTS["/openapi.json"]).encode(),
        )
    if request.path == "/swagger.yaml":
        return Reply(200, {"content-type": "application/yaml"}, swagger_petstore_yaml().encode())
    if request.path == "/moved":
        return Reply(302, {"location": "/openapi.json"})
    return Reply(404, {"content-type": "text/plain"}, b"not here")


@pytest.fixture
def docs_server():
    DOCUMENTS["/openapi.json"] = petstore()
    with threaded_upstream(_serve) as server:
        yield server


async def test_imports_json_and_yaml_by_url(client, auth, docs_server):
    for path, version in (
        ("/openapi.json", "3.0.3"),
        ("/swagger.yaml", "2.0"),
        ("/moved", "3.0.3"),
    ):
        response = await client.post(
            "/api/specs",
            json={"name": "By URL", "sourceUrl": docs_server.url + path},
            headers=auth(),
        )
        assert response.status_code == 201, response.text
        spec = response.json()["data"]
        assert spec["openapiVersion"] == version
        assert spec["sourceUrl"] == docs_server.url + path


async def test_refetch_recompiles_from_the_source_url(client, auth, docs_server):
    spec = (
        await client.post(
            "/api/specs",
            json={"name": "u", "sourceUrl": docs_server.url + "/openapi.json"},
            headers=auth(),
        )
    ).json()["data"]
    DOCUMENTS["/openapi.json"] = petstore(
        {
            "/owners": {
                "get": {"operationId": "listOwners", "responses": {"200": {"description": "ok"}}}
            }
        }
    )
    response = await client.patch(
        f"/api/specs/{spec['id']}", json={"refetch": True}, headers=auth()
    )
    assert response.status_code == 200
    assert response.json()["data"]["operationCount"] == 4


async def test_a_url_that_answers_an_error_is_a_502(client, auth, docs_server):
    response = await client.post(
        "/api/specs",
        json={"name": "u", "sourceUrl": docs_server.url + "/missing"},
        headers=auth(),
    )
    assert response.status_code == 502
    assert response.json()["error"]["details"]["reason"] == "bad_response"


async def test_loopback_is_refused_unless_allow_listed(settings, auth, docs_server):
    guarded = msgspec.structs.replace(settings, outbound_allow_cidrs=())
    async with AsyncTestClient(create_app(build_container(guarded))) as client:
        for url in (
            docs_server.url + "/openapi.json",
            "http://[::1]/x",
            "http://169.254.169.254/latest/meta-data",
            "http://2130706433/",
        ):
            response = await client.post(
                "/api/specs", json={"name": "u", "sourceUrl": url}, headers=auth()
            )
            assert response.status_code == 502, url
            assert response.json()["error"]["details"]["reason"] == "blocked_address"
    assert docs_server.received == []
