"""The spec routes of API.md §2, through HTTP, as a client would use them."""

from __future__ import annotations

import uuid
from typing import Any

from tests.support.documents import petstore, swagger_petstore_yaml


async def _import(client: Any, headers: dict[str, str], **body: Any) -> Any:
    body.setdefault("name", "Petstore")
    body.setdefault("rawSpec", petstore())
    return await client.post("/api/specs", json=body, headers=headers)


async def test_imports_a_json_object_and_reports_what_it_found(client, auth):
    response = await _import(client, auth())
    assert response.status_code == 201
    body = response.json()
    assert body["success"] is True and body["error"] is None
    spec = body["data"]
    assert spec["name"] == "Petstore"
    assert spec["title"] == "Petstore"
    assert spec["openapiVersion"] == "3.0.3"
    assert spec["version"] == "1.0.0"
    assert spec["operationCount"] == 3
    assert spec["toolCount"] == 3
    assert "rawSpec" not in spec
    uuid.UUID(spec["id"])
    assert spec["createdAt"].endswith("Z")


async def test_imports_swagger_yaml_text_keeping_yaml_1_2_keys_and_version_text(client, auth):
    response = await _import(client, auth(), rawSpec=swagger_petstore_yaml())
    assert response.status_code == 201, response.text
    spec = response.json()["data"]
    assert spec["openapiVersion"] == "2.0"
    assert spec["version"] == "1.10"
    detail = (await client.get(f"/api/specs/{spec['id']}", headers=auth())).json()["data"]
    params = detail["rawSpec"]["paths"]["/pets"]["get"]["parameters"]
    assert params[0]["name"] == "on"


async def test_an_explicit_version_wins_over_the_documents(client, auth):
    response = await _import(client, auth(), version="  v2  ")
    assert response.json()["data"]["version"] == "v2"


async def test_get_returns_the_document_as_imported(client, auth):
    created = (await _import(client, auth())).json()["data"]
    response = await client.get(f"/api/specs/{created['id']}", headers=auth())
    assert response.status_code == 200
    assert response.json()["data"]["rawSpec"] == petstore()


async def test_lists_newest_first_with_page_meta_and_no_documents(client, auth):
    ids = [(await _import(client, auth(), name=f"spec {i}")).json()["data"]["id"] for i in range(3)]
    first = (await client.get("/api/specs?page=1&limit=2", headers=auth())).json()
    assert [s["id"] for s in first["data"]] == [ids[2], ids[1]]
    assert first["meta"] == {"total": 3, "page": 1, "limit": 2, "hasMore": True}
    assert all("rawSpec" not in s for s in first["data"])
    second = (await client.get("/api/specs?page=2&limit=2", headers=auth())).json()
    assert [s["id"] for s in second["data"]] == [ids[0]]
    assert second["meta"]["hasMore"] is False


async def test_updates_name_partially_with_put_and_patch(client, auth):
    spec = (await _import(client, auth())).json()["data"]
    for method in ("PUT", "PATCH"):
        response = await client.request(
            method,
            f"/api/specs/{spec['id']}",
            json={"name": f"renamed {method}"},
            headers=auth(),
        )
        assert response.status_code == 200, response.text
        data = response.json()["data"]
        assert data["name"] == f"renamed {method}"
        assert data["operationCount"] == 3
        assert data["toolChanges"] == {"added": 0, "kept": 0, "removed": 0}


async def test_a_new_document_is_recompiled(client, auth):
    spec = (await _import(client, auth())).json()["data"]
    extra = {
        "/owners": {
            "get": {"operationId": "listOwners", "responses": {"200": {"description": "ok"}}}
        }
    }
    response = await client.patch(
        f"/api/specs/{spec['id']}", json={"rawSpec": petstore(extra)}, headers=auth()
    )
    assert response.status_code == 200
    assert response.json()["data"]["operationCount"] == 4
    assert response.json()["data"]["toolCount"] == 4


async def test_deletes_a_spec(client, auth):
    spec = (await _import(client, auth())).json()["data"]
    response = await client.delete(f"/api/specs/{spec['id']}", headers=auth())
    assert response.status_code == 200
    assert response.json()["data"] == {"id": spec["id"], "deleted": True, "serversDeleted": 0}
    assert (await client.get(f"/api/specs/{spec['id']}", headers=auth())).status_code == 404


async def test_another_users_spec_is_not_found_for_every_route(client, auth):
    spec = (await _import(client, auth("user_a"))).json()["data"]
    other = auth("user_b")
    url = f"/api/specs/{spec['id']}"
    for response in (
        await client.get(url, headers=other),
        await client.patch(url, json={"name": "x"}, headers=other),
        await client.delete(url, headers=other),
    ):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "NOT_FOUND"
        assert "Petstore" not in response.text
    listed = (await client.get("/api/specs", headers=other)).json()
    assert listed["data"] == [] and listed["meta"]["total"] == 0
    assert (await client.get(url, headers=auth("user_a"))).status_code == 200
