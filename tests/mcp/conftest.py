"""A served app (uvicorn, memory persistence, Clerk identity on a local key) and a recording
upstream on 127.0.0.1, plus helpers to create servers and credentials through the API."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from entrypoints.config import Settings
from entrypoints.container import Container, build_container
from entrypoints.http.app import create_app
from tests.mcp.recording_upstream import RecordingApi
from tests.mcp.served_app import ServedApp, serve_in_thread
from tests.mcp.stored_credentials import seal_credential
from tests.mcp.upstream_spec import upstream_spec
from tests.support.rsa_keys import RsaTestKey
from tests.support.threaded_upstream import threaded_upstream
from tests.support.upstream_server import UpstreamServer

ISSUER = "https://clerk.specmcp.test"


class Api:
    """The management API as a test user sees it (sync httpx, Clerk tokens)."""

    def __init__(self, served: ServedApp, key: RsaTestKey, container: Container) -> None:
        self.base = served.base
        self.served = served
        self.container = container
        self._key = key

    def token(self, user: str) -> str:
        now = int(time.time())
        return self._key.mint(
            {"sub": user, "iss": ISSUER, "iat": now, "nbf": now, "exp": now + 600}
        )

    def call(self, method: str, path: str, user: str = "user_a", **kw: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token(user)}"}
        return httpx.request(method, f"{self.base}{path}", headers=headers, timeout=30, **kw)

    def create_server(
        self, upstream_url: str, user: str = "user_a", **fields: Any
    ) -> dict[str, Any]:
        """A spec and a server on it; the answer holds `token`, `endpointId` and `id`."""
        spec = self.call(
            "POST",
            "/api/specs",
            user,
            json={"name": "Recorder", "rawSpec": upstream_spec(upstream_url)},
        )
        assert spec.status_code == 201, spec.text
        body = {
            "name": "Recorder",
            "slug": f"rec-{time.monotonic_ns() % 10**9}",
            "authMode": "none",
            **fields,
        }
        created = self.call(
            "POST", f"/api/specs/{spec.json()['data']['id']}/servers", user, json=body
        )
        assert created.status_code == 201, created.text
        return dict(created.json()["data"])

    def add_credential(self, server: dict[str, Any], **body: Any) -> None:
        """Store a credential through `POST /api/servers/{id}/credentials`."""
        path = f"/api/servers/{server['id']}/credentials"
        answer = self.call("POST", path, server["owner"], json={"label": "test", **body})
        assert answer.status_code == 201, answer.text

    def seal(self, server: dict[str, Any], auth_type: str, secret: str, **extra: Any) -> None:
        """Seal a credential straight into the store (see stored_credentials)."""
        self.served.run(seal_credential(self.container, server, auth_type, secret, **extra))

    def mcp_url(self, server: dict[str, Any]) -> str:
        return f"{self.base}/mcp/{server['endpointId']}"


@pytest.fixture(scope="module")
def rsa_key() -> RsaTestKey:
    return RsaTestKey("kid-mcp")


@pytest.fixture(scope="module")
def recorder() -> RecordingApi:
    return RecordingApi()


@pytest.fixture(scope="module")
def upstream(recorder: RecordingApi) -> Iterator[UpstreamServer]:
    with threaded_upstream(recorder) as server:
        yield server


def served_settings(rsa_key: RsaTestKey) -> Settings:
    """The served app's settings: memory persistence, Clerk tokens signed by `rsa_key`."""
    return Settings(
        persistence="memory",
        identity="clerk",
        clerk_jwt_key=rsa_key.public_pem,
        clerk_issuer=ISSUER,
        outbound_allow_cidrs=("127.0.0.0/8",),
        auto_migrate=False,
        api_rate_limit=10_000,
    )


@pytest.fixture(scope="module")
def api(rsa_key: RsaTestKey) -> Iterator[Api]:
    container = build_container(served_settings(rsa_key))
    with serve_in_thread(create_app(container)) as served:
        yield Api(served, rsa_key, container)


@pytest.fixture
def server_of(api: Api, upstream: UpstreamServer) -> Callable[..., dict[str, Any]]:
    def _make(user: str | None = None, **fields: Any) -> dict[str, Any]:
        # A user per server: the free plan allows two active servers.
        owner = user or f"user_{time.monotonic_ns()}"
        return {**api.create_server(upstream.url, owner, **fields), "owner": owner}

    return _make
