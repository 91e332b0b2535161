"""user.deleted leaves no row of the user in any table (API.md §9), on SQLite and PostgreSQL.

The tables are read off the metadata: a table added later with an `owner_id` or `user_id`
column is checked without this file changing (and fails here until it is seeded below, so
that the check can never pass vacuously).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import os
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from litestar.testing import AsyncTestClient

from adapters.identity.dev_identity_verifier import mint_dev_token
from adapters.persistence.sql import SqlUnitOfWorkFactory, create_sql_engine
from adapters.persistence.sql.account_eraser import OWNER_COLUMNS
from adapters.persistence.sql.tables import metadata, user_tombstones, users
from entrypoints.config import Settings
from entrypoints.container import build_container, dev_token_secret
from entrypoints.http.app import create_app
from tests.support.documents import petstore
from tests.support.fake_stripe import sign_stripe, stripe_event, subscription_object
from tests.support.threaded_upstream import threaded_upstream
from tests.support.upstream_server import Reply

CLERK_SECRET = "whsec_" + base64.b64encode(b"erasure-test-secret-32-bytes-ok!").decode()
STRIPE_SECRET = "whsec_stripe"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'erase.db'}"
    make: Callable[[], str] = request.getfixturevalue("make_postgres_database")
    return make()


@pytest.fixture
async def client(database_url: str) -> AsyncIterator[AsyncTestClient[Any]]:
    settings = Settings(
        database_url=database_url,
        vault_keys="k1:" + base64.b64encode(os.urandom(32)).decode(),
        outbound_allow_cidrs=("127.0.0.0/8",),
        dev_token_secret="erasure-dev-secret-" + "x" * 32,
        clerk_webhook_secret=CLERK_SECRET,
        stripe_webhook_secret=STRIPE_SECRET,
    )
    async with AsyncTestClient(create_app(build_container(settings))) as test_client:
        yield test_client


def _owned_tables() -> list[tuple[sa.Table, str]]:
    owned = []
    for table in metadata.sorted_tables:
        if table is user_tombstones:
            continue
        if table is users:
            owned.append((table, "id"))
            continue
        column = next((name for name in OWNER_COLUMNS if name in table.c), None)
        if column is not None:
            owned.append((table, column))
    return owned


async def _rows_per_table(url: str, user_id: str) -> dict[str, int]:
    # An engine of the test's own: the app's runs on the test client's event loop.
    engine = create_sql_engine(url)
    try:
        async with engine.connect() as connection:
            return {
                table.name: (
                    await connection.execute(
                        sa.select(sa.func.count())
                        .select_from(table)
                        .where(table.c[column] == user_id)
                    )
                ).scalar_one()
                for table, column in _owned_tables()
            }
    finally:
        await engine.dispose()


async def _seed(client: AsyncTestClient[Any], url: str, user_id: str, upstream_url: str) -> None:
    container = client.app.state.container
    token = mint_dev_token(user_id, dev_token_secret(container.settings()))
    headers = {"Authorization": f"Bearer {token}"}
    spec = (
        await client.post(
            "/api/specs", json={"name": "Pets", "rawSpec": petstore()}, headers=headers
        )
    ).json()["data"]
    server = (
        await client.post(
            f"/api/specs/{spec['id']}/servers",
            headers=headers,
            json={"name": "Pets", "slug": "pets", "authMode": "api_key", "baseUrl": upstream_url},
        )
    ).json()["data"]
    created = await client.post(
        f"/api/servers/{server['id']}/credentials",
        headers=headers,
        json={"label": "key", "authType": "api_key", "plaintextKey": "secret"},
    )
    assert created.status_code == 201, created.text
    called = await client.post(
        f"/api/servers/{server['id']}/test",
        headers=headers,
        json={"toolName": "listPets", "arguments": {"limit": 1}},
    )
    assert called.status_code == 200, called.text
    for _ in range(100):  # the log sink writes its batch within 0.2 s
        if (await _rows_per_table(url, user_id))["request_logs"]:
            break
        await asyncio.sleep(0.05)
    budget = await client.put("/api/billing/budget", json={"capEur": 5}, headers=headers)
    assert budget.status_code == 200, budget.text
    event = stripe_event(
        "customer.subscription.created",
        subscription_object(
            "active",
            "price_fake_starter",
            user=user_id,
            customer=f"cus_{user_id}",
            subscription_id=f"sub_{user_id}",
        ),
    )
    hooked = await client.post(
        "/api/webhooks/stripe",
        content=event,
        headers={"stripe-signature": sign_stripe(event, STRIPE_SECRET)},
    )
    assert hooked.status_code == 200
    engine = create_sql_engine(url)
    try:
        async with SqlUnitOfWorkFactory(engine)() as uow:
            await uow.overage.set_reported(user_id, "2026-12", 5)
            await uow.commit()
    finally:
        await engine.dispose()


def _clerk_deleted(user_id: str) -> tuple[bytes, dict[str, str]]:
    body = json.dumps({"type": "user.deleted", "data": {"id": user_id, "deleted": True}})
    msg_id, stamp = f"msg_{time.time_ns()}", int(time.time())
    key = base64.b64decode(CLERK_SECRET.removeprefix("whsec_"))
    mac = hmac.new(key, f"{msg_id}.{stamp}.{body}".encode(), hashlib.sha256).digest()
    return body.encode(), {
        "svix-id": msg_id,
        "svix-timestamp": str(stamp),
        "svix-signature": "v1," + base64.b64encode(mac).decode(),
    }


async def test_user_deleted_leaves_no_row_of_the_user_in_any_table(client, database_url):
    pets = Reply(200, {"content-type": "application/json"}, b'[{"id": 1, "name": "Rex"}]')
    with threaded_upstream(lambda _: pets) as upstream:
        for user_id in ("user_gone", "user_kept"):
            await _seed(client, database_url, user_id, upstream.url + "/v1")
    before = await _rows_per_table(database_url, "user_gone")
    unseeded = sorted(name for name, count in before.items() if count == 0)
    assert unseeded == [], f"seed these tables in _seed so the check is not vacuous: {unseeded}"
    kept_before = await _rows_per_table(database_url, "user_kept")

    body, headers = _clerk_deleted("user_gone")
    response = await client.post("/api/webhooks/clerk", content=body, headers=headers)

    assert response.status_code == 200
    after = await _rows_per_table(database_url, "user_gone")
    assert after == dict.fromkeys(after, 0)
    assert await _rows_per_table(database_url, "user_kept") == kept_before
    engine = create_sql_engine(database_url)
    try:
        async with engine.connect() as connection:
            tomb = sa.select(user_tombstones.c.user_id).where(
                user_tombstones.c.user_id == "user_gone"
            )
            assert (await connection.execute(tomb)).scalar_one() == "user_gone"
    finally:
        await engine.dispose()
