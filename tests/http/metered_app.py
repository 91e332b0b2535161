"""An app on memory persistence with a settable clock and plan figures, for metering tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import msgspec
from dependency_injector import providers

from adapters.persistence.memory.usage_meter import MemoryUsageMeter
from adapters.system.system_clock import FixedClock
from domain.metering.plans import Plan, plan_named
from entrypoints.container import Container
from tests.support.documents import petstore
from tests.support.rsa_keys import RsaTestKey
from tests.support.upstream_server import ReceivedRequest, Reply

__all__ = ["MeteredApi", "echo_upstream", "small_plans"]

ISSUER = "https://clerk.specmcp.test"


def small_plans(**figures: Any) -> Callable[[str], Plan]:
    """Every plan with some figures replaced (PLANS itself is never changed)."""

    def lookup(plan_id: str) -> Plan:
        return msgspec.structs.replace(plan_named(plan_id), **figures)

    return lookup


def echo_upstream(request: ReceivedRequest) -> Reply:
    """Answers with what it received (headers included): a body that would leak a secret."""
    if request.path.endswith("/pets/missing"):
        return Reply(404, {"content-type": "application/json"}, b'{"error": "no such pet"}')
    echoed = {"headers": request.headers, "target": request.target, "body": request.body.decode()}
    return Reply(200, {"content-type": "application/json"}, json.dumps(echoed).encode())


def use_plans(container: Container, plans: Callable[[str], Plan]) -> None:
    """Give the memory meter other plan figures (before the app serves a call)."""
    meter = MemoryUsageMeter(container.uow(), container.budget_caps(), plans)
    container.usage_meter.override(providers.Object(meter))


class MeteredApi:
    """The API as one test user sees it, with tokens minted on the app's fixed clock."""

    def __init__(
        self, client: Any, container: Container, clock: FixedClock, key: RsaTestKey
    ) -> None:
        self.client = client
        self.container = container
        self.clock = clock
        self._key = key

    def headers(self, user: str = "user_a") -> dict[str, str]:
        now = int(self.clock.now().timestamp())
        token = self._key.mint(
            {"sub": user, "iss": ISSUER, "iat": now, "nbf": now, "exp": now + 600}
        )
        return {"Authorization": f"Bearer {token}"}

    async def get(self, path: str, user: str = "user_a", **kw: Any) -> Any:
        return await self.client.get(path, headers=self.headers(user), **kw)

    async def send(self, method: str, path: str, body: Any, user: str = "user_a") -> Any:
        return await self.client.request(method, path, json=body, headers=self.headers(user))

    async def server(self, base_url: str, user: str = "user_a", **extra: Any) -> str:
        spec = await self.send("POST", "/api/specs", {"name": "Pets", "rawSpec": petstore()}, user)
        assert spec.status_code == 201, spec.text
        body = {
            "name": extra.pop("name", "Pets"),
            "slug": extra.pop("slug", "pets"),
            "authMode": "none",
            "baseUrl": base_url,
            **extra,
        }
        created = await self.send(
            "POST", f"/api/specs/{spec.json()['data']['id']}/servers", body, user
        )
        assert created.status_code == 201, created.text
        return str(created.json()["data"]["id"])

    async def call(
        self, server_id: str, tool: str = "listPets", user: str = "user_a", **arguments: Any
    ) -> Any:
        return await self.send(
            "POST",
            f"/api/servers/{server_id}/test",
            {"toolName": tool, "arguments": arguments},
            user,
        )

    async def set_plan(self, user: str, plan: str) -> None:
        async with self.container.uow()() as uow:
            found = await uow.users.get(user)
            assert found is not None
            await uow.users.update(msgspec.structs.replace(found, plan=plan))
            await uow.commit()

    async def logs(self, server_id: str, user: str = "user_a", **query: Any) -> Any:
        await self.container.log_sink().flush()
        return await self.get(f"/api/servers/{server_id}/logs", user, params=query)

    def at(self, moment: datetime) -> None:
        self.clock.set(moment)
