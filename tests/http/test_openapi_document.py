"""/schema/openapi.json describes the routes of API.md as they behave."""

from __future__ import annotations


async def test_documents_every_spec_route_with_bodies_errors_and_bearer_auth(client):
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    paths = doc["paths"]
    assert set(paths["/api/specs"]) >= {"get", "post"}
    assert set(paths["/api/specs/{spec_id}"]) >= {"get", "put", "patch", "delete"}
    create = paths["/api/specs"]["post"]
    body = create["requestBody"]["content"]["application/json"]["schema"]
    assert body["required"] == ["name"]
    assert set(body["properties"]) == {"name", "version", "sourceUrl", "rawSpec"}
    assert body["additionalProperties"] is False
    assert {"201", "400", "401", "413", "429"} <= set(create["responses"])
    assert "requestBody" in paths["/api/specs/{spec_id}"]["patch"]
    assert doc["components"]["securitySchemes"]["BearerAuth"]["scheme"] == "bearer"
    assert doc["security"] == [{"BearerAuth": []}]
    assert "/health" in paths and "/ready" in paths


async def test_the_interactive_page_is_served(client):
    response = await client.get("/schema")
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]
