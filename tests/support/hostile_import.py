"""Import one hostile document into a fresh app in this process, then a normal one; print figures.

Run as `python -m tests.support.hostile_import CASE`: a crash (stack overflow, abort) or a hang
then kills a child process, not the test run. Prints one JSON line: the hostile answer's status
and error code, wall seconds, the peak RSS growth in MiB, and the normal import's status after.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
from collections.abc import Callable
from typing import Any

from litestar.testing import AsyncTestClient

from adapters.identity.dev_identity_verifier import mint_dev_token
from entrypoints.config import Settings
from entrypoints.container import build_container
from entrypoints.http.app import create_app
from tests.support.documents import petstore

__all__ = ["CASES"]

MIB = 1024 * 1024
_HEAD = {"openapi": "3.0.3", "info": {"title": "hostile", "version": "1"}}


def _body(raw_spec: Any) -> bytes:
    return json.dumps({"name": "hostile", "rawSpec": raw_spec}).encode()


def _deep_json_object() -> bytes:
    # ~10 MiB of `{"a":` in the request body itself.
    depth = (10 * MIB) // 6
    return b'{"name":"x","rawSpec":' + b'{"a":' * depth + b"{}" + b"}" * depth + b"}"


def _deep_json_array_text() -> bytes:
    # The same depth inside rawSpec as text: JSON fails, then the YAML parser gets it.
    depth = (10 * MIB) // 2 - 64
    return _body("[" * depth + "]" * depth)


def _deep_yaml_flow_mapping() -> bytes:
    depth = (10 * MIB) // 8
    return _body("{a: " * depth + "1" + "}" * depth)


def _moderately_deep_schema() -> bytes:
    # Under every decoder's depth limit, deep enough for a recursive compiler to overflow.
    depth = 240
    schema = '{"type": "object", "properties": {"a": ' * depth + '{"type": "string"}' + "}}" * depth
    path = json.dumps(_one_path({"schema": "SCHEMA"})).replace('"SCHEMA"', schema)
    head = json.dumps(_HEAD)[:-1]
    return ('{"name": "deep", "rawSpec": ' + head + ', "paths": ' + path + "}}").encode()


def _one_path(json_body: dict[str, Any]) -> dict[str, Any]:
    return {
        "/x": {
            "post": {
                "operationId": "x",
                "requestBody": {"content": {"application/json": json_body}},
                "responses": {"200": {"description": "ok"}},
            }
        }
    }


def _billion_laughs() -> bytes:
    lines = ['openapi: "3.0.3"', "info: {title: lol, version: '1'}", "paths: {}", 'x0: &a0 ["lol"]']
    lines += [f"x{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    return _body("\n".join(lines) + "\n")


def _recursive_refs() -> bytes:
    schemas: dict[str, Any] = {
        "Self": {"$ref": "#/components/schemas/Self"},
        "A": {"$ref": "#/components/schemas/B"},
        "B": {"$ref": "#/components/schemas/A"},
        "Tree": {
            "type": "object",
            "properties": {
                "kids": {"type": "array", "items": {"$ref": "#/components/schemas/Tree"}}
            },
        },
    }
    chain = 5000
    for i in range(chain):
        schemas[f"C{i}"] = {"$ref": f"#/components/schemas/C{i + 1}"}
    schemas[f"C{chain}"] = {
        "type": "object",
        "properties": {"t": {"$ref": "#/components/schemas/Tree"}},
    }
    paths = {}
    for name in ("Self", "A", "Tree", "C0"):
        body = {"schema": {"$ref": f"#/components/schemas/{name}"}}
        paths[f"/{name}"] = _one_path(body)["/x"]
        paths[f"/{name}"]["post"]["operationId"] = f"op{name}"
    return _body({**_HEAD, "paths": paths, "components": {"schemas": schemas}})


def _operations(count: int) -> Callable[[], bytes]:
    def build() -> bytes:
        paths = {
            f"/r{i}": {
                "get": {"operationId": f"op{i}", "responses": {"200": {"description": "ok"}}}
            }
            for i in range(count)
        }
        return _body({**_HEAD, "paths": paths})

    return build


def _long_operation_ids() -> bytes:
    paths = {
        f"/r{i}": {
            "get": {"operationId": f"{i}" + "o" * 2000, "responses": {"200": {"description": "ok"}}}
        }
        for i in range(50)
    }
    return _body({**_HEAD, "paths": paths})


def _non_utf8_body() -> bytes:
    return b'{"name": "x", "rawSpec": "openapi: 3.0.3\xff\xfe\xc3\x28"}'


def _non_utf8_escaped_text() -> bytes:
    # Lone surrogates are valid JSON escapes but not Unicode text.
    return b'{"name": "x", "rawSpec": "openapi: \\ud800\\udfff\\ud800"}'


def _duplicate_keys() -> bytes:
    operation = '{"operationId": "a", "responses": {"200": {"description": "ok"}}}'
    paths = '"paths": {"/a": {"get": ' + operation + "}}"
    doc = (
        '{"openapi": "3.0.3", "openapi": "3.1.0", "info": {"title": "d", "version": "1"}, '
        + paths
        + ", "
        + paths
        + "}"
    )
    return b'{"name": "dup", "name": "dup2", "rawSpec": ' + doc.encode() + b"}"


def _huge_numbers_in_body() -> bytes:
    doc = (
        '{"openapi": "3.0.3", "info": {"title": "n", "version": "1"}, "paths": {"/n": {"get": '
        '{"operationId": "n", "parameters": [{"name": "q", "in": "query", "schema": '
        '{"type": "number", '
        '"maximum": 1e400, "minimum": -1e400, "multipleOf": 1e-400, "default": '
        + "9" * 400
        + '}}], "responses": {"200": {"description": "ok"}}}}}}'
    )
    return b'{"name": "n", "rawSpec": ' + doc.encode() + b"}"


def _huge_numbers_in_yaml_text() -> bytes:
    text = (
        "openapi: 3.0.3\ninfo: {title: n, version: '1'}\npaths:\n  /n:\n    get:\n"
        "      operationId: n\n      parameters:\n      - name: q\n        in: query\n"
        f"        schema: {{type: integer, maximum: {'9' * 400}, minimum: -1e400}}\n"
        "      responses: {'200': {description: ok}}\n"
    )
    return _body(text)


CASES: dict[str, Callable[[], bytes]] = {
    "deep_json_object_10mib": _deep_json_object,
    "deep_json_array_text_10mib": _deep_json_array_text,
    "deep_yaml_flow_mapping_10mib": _deep_yaml_flow_mapping,
    "schema_nested_240_levels": _moderately_deep_schema,
    "billion_laughs_yaml": _billion_laughs,
    "recursive_and_5000_long_ref_chains": _recursive_refs,
    "operations_10000": _operations(10_000),
    "operations_10001": _operations(10_001),
    "operation_ids_2000_chars": _long_operation_ids,
    "non_utf8_bytes": _non_utf8_body,
    "lone_surrogates": _non_utf8_escaped_text,
    "duplicate_keys": _duplicate_keys,
    "numbers_too_big_json": _huge_numbers_in_body,
    "numbers_too_big_yaml": _huge_numbers_in_yaml_text,
}


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _run(case: str) -> dict[str, Any]:
    settings = Settings(
        persistence="memory", identity="dev", dev_token_secret="s" * 32, auto_migrate=False
    )
    container = build_container(settings)
    token = mint_dev_token("user_hostile", "s" * 32)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    body = CASES[case]()
    async with AsyncTestClient(create_app(container), timeout=120) as client:
        warm = await client.post("/api/specs", headers=headers, content=_body(petstore()))
        assert warm.status_code == 201, warm.text
        before = _peak_mib()
        started = time.perf_counter()
        hostile = await client.post("/api/specs", headers=headers, content=body)
        seconds = time.perf_counter() - started
        grown = _peak_mib() - before
        fetched = None
        if hostile.status_code == 201:
            spec_id = hostile.json()["data"]["id"]
            fetched = (await client.get(f"/api/specs/{spec_id}", headers=headers)).status_code
        normal = await client.post("/api/specs", headers=headers, content=_body(petstore()))
    answer = hostile.json()
    return {
        "case": case,
        "bytes": len(body),
        "status": hostile.status_code,
        "code": (answer.get("error") or {}).get("code"),
        "message": (answer.get("error") or {}).get("message"),
        "seconds": round(seconds, 3),
        "peak_rss_growth_mib": round(grown, 1),
        "get_after": fetched,
        "normal_after": normal.status_code,
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(_run(sys.argv[1]))))
