"""Every error the spec routes can give, in the contract's envelope (API.md §1)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.documents import petstore


def _problems(response: Any) -> dict[tuple[Any, ...], str]:
    body = response.json()
    assert body["success"] is False and body["data"] is None
    assert body["error"]["code"] == "VALIDATION_ERROR"
    return {tuple(p["path"]): p["message"] for p in body["error"]["details"]}


async def test_names_every_invalid_field_at_once(client, auth):
    response = await client.post(
        "/api/specs",
        json={
            "name": "   ",
            "version": "x" * 51,
            "sourceUrl": "ftp://example.com/a",
            "rawSpec": 42,
            "colour": "blue",
        },
        headers=auth(),
    )
    assert response.status_code == 400
    problems = _problems(response)
    assert set(problems) == {("name",), ("version",), ("sourceUrl",), ("rawSpec",), ("colour",)}
    assert problems[("colour",)] == "unknown field"


async def test_missing_name_and_document(client, auth):
    response = await client.post("/api/specs", json={}, headers=auth())
    assert response.status_code == 400
    assert ("name",) in _problems(response)


async def test_needs_raw_spec_or_source_url(client, auth):
    response = await client.post("/api/specs", json={"name": "x"}, headers=auth())
    assert response.status_code == 400
    assert ("rawSpec",) in _problems(response)


async def test_body_that_is_not_json(client, auth):
    response = await client.post(
        "/api/specs", content=b"{not json", headers={**auth(), "content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"


@pytest.mark.parametrize(
    ("document", "path"),
    [
        ({"info": {"title": "t", "version": "1"}, "paths": {}}, ["rawSpec"]),
        (
            {"openapi": "4.0.0", "info": {"title": "t", "version": "1"}, "paths": {}},
            ["rawSpec", "openapi"],
        ),
        ({"openapi": "3.0.0", "paths": {}}, ["rawSpec", "info"]),
        ({"openapi": "3.0.0", "info": {"title": "t", "version": "1"}}, ["rawSpec", "paths"]),
        (
            {
                "openapi": "3.0.0",
                "info": {"title": "t", "version": "1"},
                "paths": {"/a": {"get": "nope"}},
            },
            ["rawSpec", "paths", "/a", "get"],
        ),
        ("openapi: [unclosed", ["rawSpec"]),
        ("just a sentence", ["rawSpec"]),
    ],
)
async def test_unusable_documents_say_what_and_where(client, auth, document, path):
    response = await client.post(
        "/api/specs", json={"name": "x", "rawSpec": document}, headers=auth()
    )
    assert response.status_code == 400, response.text
    problems = response.json()["error"]["details"]
    assert any(p["path"][: len(path)] == path for p in problems), problems


async def test_a_path_id_that_is_not_a_uuid(client, auth):
    response = await client.get("/api/specs/not-a-uuid", headers=auth())
    assert response.status_code == 400
    assert ("specId",) in _problems(response)


async def test_paging_out_of_range(client, auth):
    response = await client.get("/api/specs?page=0&limit=101", headers=auth())
    assert response.status_code == 400
    assert set(_problems(response)) == {("page",), ("limit",)}


async def test_update_without_an_updatable_field(client, auth):
    spec = (
        await client.post("/api/specs", json={"name": "p", "rawSpec": petstore()}, headers=auth())
    ).json()["data"]
    response = await client.patch(f"/api/specs/{spec['id']}", json={}, headers=auth())
    assert response.status_code == 400


async def test_refetch_without_a_source_url(client, auth):
    spec = (
        await client.post("/api/specs", json={"name": "p", "rawSpec": petstore()}, headers=auth())
    ).json()["data"]
    response = await client.patch(
        f"/api/specs/{spec['id']}", json={"refetch": True}, headers=auth()
    )
    assert response.status_code == 400
    assert ("refetch",) in _problems(response)


async def test_bodies_over_12_mib_are_refused_with_413(client, auth):
    big = b'{"name": "x", "rawSpec": "' + b"a" * (12 * 1024 * 1024 + 10) + b'"}'
    response = await client.post(
        "/api/specs", content=big, headers={**auth(), "content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["success"] is False


async def test_unknown_routes_use_the_envelope(client, auth):
    response = await client.get("/api/nothing-here", headers=auth())
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"


async def test_unknown_query_parameters_are_named(client, auth):
    response = await client.get("/api/specs?page=1&pgae=2&colour=red", headers=auth())
    assert response.status_code == 400
    assert set(_problems(response)) == {("pgae",), ("colour",)}
    assert (await client.get("/api/specs?page=1&limit=5", headers=auth())).status_code == 200
