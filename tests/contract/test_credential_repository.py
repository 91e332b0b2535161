"""The credential repository contract, run against memory, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from application.ports.unit_of_work import UnitOfWorkFactory
from application.ports.vault import SealedSecret
from domain.credentials import Credential
from domain.pagination import PageRequest
from tests.contract.test_repositories import T0, assert_utc, seed

# Every byte value, NUL and 0xff included: the columns must be binary, not text.
CIPHERTEXT = bytes(range(256)) + b"\x00tail"


def credential(credential_id: str = "cred_1", **changes: Any) -> Credential:
    values: dict[str, Any] = {
        "id": credential_id,
        "server_id": "srv_1",
        "owner_id": "user_1",
        "label": "Production key ✓",
        "auth_type": "api_key",
        "key_id": "k1",
        "nonce": b"\x00\x01\x02\xff" * 3,
        "ciphertext": CIPHERTEXT,
        "expires_at": None,
        "scopes": (),
        "token_endpoint": None,
        "client_id": None,
        "created_at": T0,
        "updated_at": T0,
    }
    return Credential(**(values | changes))


async def add(factory: UnitOfWorkFactory, *credentials: Credential) -> None:
    async with factory() as uow:
        for item in credentials:
            await uow.credentials.add(item)
        await uow.commit()


async def test_credential_round_trips_every_field_and_its_bytes(
    uow_factory: UnitOfWorkFactory,
) -> None:
    await seed(uow_factory)
    oauth = credential(
        "cred_2",
        auth_type="oauth2_client_creds",
        expires_at=T0 + timedelta(days=30),
        scopes=("read:pets", "write:pets ✓"),
        token_endpoint="https://auth.example.com/token",
        client_id="client-1",
        updated_at=T0 + timedelta(seconds=1),
    )
    await add(uow_factory, credential(), oauth)
    async with uow_factory() as uow:
        assert await uow.credentials.get("srv_1", "cred_1") == credential()
        found = await uow.credentials.get("srv_1", "cred_2")
        assert found == oauth
        assert found is not None and found.expires_at is not None
        assert isinstance(found.ciphertext, bytes) and isinstance(found.scopes, tuple)
        assert_utc(found.expires_at)
        assert await uow.credentials.get("srv_1", "nothing") is None


async def test_another_servers_credential_is_not_found(uow_factory: UnitOfWorkFactory) -> None:
    await seed(uow_factory, servers=2)
    await add(uow_factory, credential(server_id="srv_2"))
    async with uow_factory() as uow:
        assert await uow.credentials.get("srv_1", "cred_1") is None
        assert not await uow.credentials.delete("srv_1", "cred_1")
        assert await uow.credentials.list("srv_1") == []
        assert await uow.credentials.get("srv_2", "cred_1") is not None


async def test_credential_list_is_newest_first_then_by_id_and_paginated(
    uow_factory: UnitOfWorkFactory,
) -> None:
    await seed(uow_factory, servers=2)
    await add(
        uow_factory,
        credential("cred_a", created_at=T0),
        credential("cred_c", created_at=T0 + timedelta(hours=1)),
        credential("cred_b", created_at=T0 + timedelta(hours=1)),
        credential("cred_other", server_id="srv_2", created_at=T0 + timedelta(days=1)),
    )
    async with uow_factory() as uow:
        every = await uow.credentials.list("srv_1")
        first = await uow.credentials.list_page("srv_1", PageRequest(page=1, limit=2))
        second = await uow.credentials.list_page("srv_1", PageRequest(page=2, limit=2))
    assert [c.id for c in every] == ["cred_c", "cred_b", "cred_a"]
    assert [c.id for c in first.items] == ["cred_c", "cred_b"]
    assert [c.id for c in second.items] == ["cred_a"]
    assert first.total == 3 and first.has_more and not second.has_more


async def test_newest_usable_skips_expired_and_other_types(uow_factory: UnitOfWorkFactory) -> None:
    await seed(uow_factory, servers=2)
    now = T0 + timedelta(days=10)
    await add(
        uow_factory,
        credential("cred_old", created_at=T0),
        credential("cred_expired", created_at=T0 + timedelta(days=2), expires_at=now),
        credential("cred_bearer", auth_type="bearer", created_at=T0 + timedelta(days=3)),
        credential("cred_elsewhere", server_id="srv_2", created_at=T0 + timedelta(days=4)),
        credential(
            "cred_later", created_at=T0 + timedelta(days=1), expires_at=now + timedelta(seconds=1)
        ),
    )
    async with uow_factory() as uow:
        newest = await uow.credentials.newest_usable("srv_1", "api_key", now)
        assert newest is not None and newest.id == "cred_later"
        later = await uow.credentials.newest_usable("srv_1", "api_key", now + timedelta(days=1))
        assert later is not None and later.id == "cred_old"
        assert await uow.credentials.newest_usable("srv_1", "basic", now) is None


async def test_newest_usable_breaks_a_created_at_tie_by_id(uow_factory: UnitOfWorkFactory) -> None:
    await seed(uow_factory)
    await add(uow_factory, credential("cred_a"), credential("cred_b"))
    async with uow_factory() as uow:
        newest = await uow.credentials.newest_usable("srv_1", "api_key", T0)
    assert newest is not None and newest.id == "cred_b"


async def test_delete_removes_only_that_credential(uow_factory: UnitOfWorkFactory) -> None:
    await seed(uow_factory)
    await add(uow_factory, credential("cred_1"), credential("cred_2"))
    async with uow_factory() as uow:
        assert await uow.credentials.delete("srv_1", "cred_1")
        assert not await uow.credentials.delete("srv_1", "cred_1")
        await uow.commit()
    async with uow_factory() as uow:
        assert [c.id for c in await uow.credentials.list("srv_1")] == ["cred_2"]


async def test_deleting_a_server_removes_its_credentials(uow_factory: UnitOfWorkFactory) -> None:
    await seed(uow_factory, servers=2)
    await add(uow_factory, credential("cred_1"), credential("cred_2", server_id="srv_2"))
    async with uow_factory() as uow:
        assert await uow.servers.delete("user_1", "srv_1")
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.credentials.list_after(None, 10) == [
            credential("cred_2", server_id="srv_2")
        ]


async def test_deleting_a_spec_removes_its_servers_credentials(
    uow_factory: UnitOfWorkFactory,
) -> None:
    await seed(uow_factory)
    await add(uow_factory, credential())
    async with uow_factory() as uow:
        assert await uow.specs.delete("user_1", "spec_1")
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.credentials.list_after(None, 10) == []
        assert await uow.servers.get("user_1", "srv_1") is None


async def test_list_after_walks_every_server_by_id_in_batches(
    uow_factory: UnitOfWorkFactory,
) -> None:
    await seed(uow_factory, servers=2)
    ids = ["cred_B", "cred_a", "cred_c", "cred_Z"]
    spread = [credential(i, server_id=f"srv_{n % 2 + 1}") for n, i in enumerate(ids)]
    await add(uow_factory, *spread)
    seen: list[str] = []
    after: str | None = None
    async with uow_factory() as uow:
        while batch := await uow.credentials.list_after(after, 3):
            seen.extend(c.id for c in batch)
            after = batch[-1].id
    assert seen == sorted(ids)  # code-point order: upper case before lower case


async def test_update_sealed_replaces_only_the_sealed_secret(
    uow_factory: UnitOfWorkFactory,
) -> None:
    await seed(uow_factory)
    await add(uow_factory, credential())
    resealed = SealedSecret(key_id="k2", nonce=b"\xfe" * 12, ciphertext=b"\x00new\xff")
    async with uow_factory() as uow:
        assert await uow.credentials.update_sealed("cred_1", resealed)
        assert not await uow.credentials.update_sealed("nothing", resealed)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.credentials.get("srv_1", "cred_1") == credential(
            key_id="k2", nonce=b"\xfe" * 12, ciphertext=b"\x00new\xff"
        )


async def test_credential_writes_roll_back_unless_committed(
    uow_factory: UnitOfWorkFactory,
) -> None:
    await seed(uow_factory)
    async with uow_factory() as uow:
        await uow.credentials.add(credential())
    async with uow_factory() as uow:
        assert await uow.credentials.get("srv_1", "cred_1") is None
