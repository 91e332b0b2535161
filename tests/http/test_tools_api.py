"""The tool routes of API.md §4 and re-compiling a changed spec (§2 update)."""

from __future__ import annotations

from typing import Any

from tests.support.documents import petstore


async def _server_with_tools(client: Any, headers: dict[str, str]) -> tuple[str, str]:
    spec = (
        await client.post(
            "/api/specs", json={"name": "Pets", "rawSpec": petstore()}, headers=headers
        )
    ).json()["data"]
    server = (
        await client.post(
            f"/api/specs/{spec['id']}/servers",
            json={"name": "Pets", "slug": "pets", "authMode": "none"},
            headers=headers,
        )
    ).json()["data"]
    return spec["id"], server["id"]


async def _tools(client: Any, headers: dict[str, str], server_id: str, query: str = "") -> Any:
    response = await client.get(f"/api/servers/{server_id}/tools{query}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_lists_tools_by_name_with_schemas_routing_and_annotations(client, auth):
    _, server_id = await _server_with_tools(client, auth())
    listed = await _tools(client, auth(), server_id)
    assert [t["name"] for t in listed["data"]] == ["createPet", "listPets", "showPetById"]
    assert listed["meta"] == {"total": 3, "page": 1, "limit": 20, "hasMore": False}
    by_name = {t["name"]: t for t in listed["data"]}
    show = by_name["showPetById"]
    assert (show["method"], show["path"]) == ("GET", "/pets/{petId}")
    assert show["inputSchema"]["required"] == ["petId"]
    assert show["annotations"]["readOnlyHint"] is True
    assert by_name["createPet"]["annotations"]["readOnlyHint"] is False
    assert by_name["listPets"]["outputSchema"] is not None


async def test_pages_and_filters_by_activity(client, auth):
    _, server_id = await _server_with_tools(client, auth())
    page = await _tools(client, auth(), server_id, "?limit=2&page=2")
    assert [t["name"] for t in page["data"]] == ["showPetById"]
    tool_id = page["data"][0]["id"]
    off = await client.patch(
        f"/api/servers/{server_id}/tools/{tool_id}", json={"isActive": False}, headers=auth()
    )
    assert off.status_code == 200 and off.json()["data"]["isActive"] is False
    inactive = await _tools(client, auth(), server_id, "?active=false")
    assert [t["id"] for t in inactive["data"]] == [tool_id]
    active = await _tools(client, auth(), server_id, "?active=true")
    assert active["meta"]["total"] == 2
    server = (await client.get(f"/api/servers/{server_id}", headers=auth())).json()["data"]
    assert (server["toolCount"], server["activeToolCount"]) == (3, 2)
    bad = await client.get(f"/api/servers/{server_id}/tools?active=maybe", headers=auth())
    assert bad.status_code == 400


async def test_renames_and_describes_a_tool_keeping_its_routing(client, auth):
    _, server_id = await _server_with_tools(client, auth())
    tool = (await _tools(client, auth(), server_id))["data"][2]
    response = await client.put(
        f"/api/servers/{server_id}/tools/{tool['id']}",
        json={"name": "get_pet", "description": "Fetch one pet."},
        headers=auth(),
    )
    updated = response.json()["data"]
    assert (updated["name"], updated["description"]) == ("get_pet", "Fetch one pet.")
    assert (updated["method"], updated["path"]) == (tool["method"], tool["path"])


async def test_duplicate_or_invalid_tool_names_are_refused(client, auth):
    _, server_id = await _server_with_tools(client, auth())
    tools = (await _tools(client, auth(), server_id))["data"]
    url = f"/api/servers/{server_id}/tools/{tools[0]['id']}"
    duplicate = await client.patch(url, json={"name": tools[1]["name"]}, headers=auth())
    assert duplicate.status_code == 409
    invalid = await client.patch(url, json={"name": "has spaces"}, headers=auth())
    assert invalid.status_code == 400


async def test_a_tool_of_another_server_is_not_found(client, auth):
    _, server_a = await _server_with_tools(client, auth())
    spec = (
        await client.post("/api/specs", json={"name": "B", "rawSpec": petstore()}, headers=auth())
    ).json()["data"]
    server_b = (
        await client.post(
            f"/api/specs/{spec['id']}/servers",
            json={"name": "B", "slug": "bbb", "authMode": "none"},
            headers=auth(),
        )
    ).json()["data"]["id"]
    tool_of_a = (await _tools(client, auth(), server_a))["data"][0]["id"]
    response = await client.patch(
        f"/api/servers/{server_b}/tools/{tool_of_a}", json={"isActive": False}, headers=auth()
    )
    assert response.status_code == 404


async def test_recompiling_keeps_surviving_tools_and_their_overrides(client, auth):
    spec_id, server_id = await _server_with_tools(client, auth())
    before = {t["name"]: t for t in (await _tools(client, auth(), server_id))["data"]}
    await client.patch(
        f"/api/servers/{server_id}/tools/{before['listPets']['id']}",
        json={"isActive": False, "name": "list_all_pets"},
        headers=auth(),
    )
    await client.patch(
        f"/api/servers/{server_id}/tools/{before['showPetById']['id']}",
        json={"description": "Mine."},
        headers=auth(),
    )
    document = petstore(
        {
            "/owners": {
                "get": {"operationId": "listOwners", "responses": {"200": {"description": "ok"}}}
            }
        }
    )
    del document["paths"]["/pets"]["post"]
    response = await client.patch(
        f"/api/specs/{spec_id}", json={"rawSpec": document}, headers=auth()
    )
    assert response.status_code == 200, response.text
    assert response.json()["data"]["toolChanges"] == {"added": 1, "kept": 2, "removed": 1}
    after = {t["name"]: t for t in (await _tools(client, auth(), server_id))["data"]}
    assert set(after) == {"list_all_pets", "showPetById", "listOwners"}
    assert after["list_all_pets"]["id"] == before["listPets"]["id"]
    assert after["list_all_pets"]["isActive"] is False
    assert after["showPetById"]["id"] == before["showPetById"]["id"]
    assert after["showPetById"]["description"] == "Mine."
    assert after["listOwners"]["isActive"] is True
