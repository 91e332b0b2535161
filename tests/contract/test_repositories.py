"""The persistence contract: one suite, run against memory, SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import msgspec
import pytest

from application.ports.unit_of_work import UnitOfWorkFactory
from domain.errors import Conflict
from domain.openapi.warnings import CompileWarning
from domain.pagination import PageRequest
from domain.servers import Server, Tool
from domain.specs import Spec
from domain.users import User

T0 = datetime(2025, 3, 4, 5, 6, 7, 123456, tzinfo=UTC)
NESTED: dict[str, Any] = {
    "zeta": {"élan": ["☃", 1, 2.5, True, None, {"深い": {"ключ": "значение 🚀"}}]},
    "alpha": [],
    "mid": {"b": 1, "a": 2},
}


def user(user_id: str = "user_1", **changes: Any) -> User:
    values: dict[str, Any] = {
        "id": user_id,
        "plan": "free",
        "email": f"{user_id}@example.com",
        "name": "Zoë",
        "created_at": T0,
        "updated_at": T0,
    }
    return User(**(values | changes))


def spec(spec_id: str = "spec_1", owner_id: str = "user_1", **changes: Any) -> Spec:
    values: dict[str, Any] = {
        "id": spec_id,
        "owner_id": owner_id,
        "name": "Petstore ünïcode",
        "version": "1.0.0",
        "source_url": "https://example.com/openapi.json",
        "openapi_version": "3.1.0",
        "title": "Pets",
        "operation_count": 3,
        "tool_count": 2,
        "warnings": (CompileWarning("skipped", "Cookie auth ✗", "/paths/~1pets/get"),),
        "raw_spec": {"openapi": "3.1.0", "paths": NESTED},
        "created_at": T0,
        "updated_at": T0 + timedelta(seconds=1),
    }
    return Spec(**(values | changes))


def server(server_id: str = "srv_1", **changes: Any) -> Server:
    values: dict[str, Any] = {
        "id": server_id,
        "owner_id": "user_1",
        "spec_id": "spec_1",
        "name": "Pets server",
        "slug": f"slug-{server_id}",
        "endpoint_id": f"ep-{server_id}",
        "token_digest": "ab" * 32,
        "auth_mode": "api_key",
        "auth_config": {"header": "X-Key", "extra": NESTED},
        "base_url": "https://api.example.com/v1",
        "rate_limit_per_minute": 42,
        "is_active": True,
        "created_at": T0,
        "updated_at": T0,
    }
    return Server(**(values | changes))


def tool(tool_id: str = "tool_1", name: str = "list_pets", **changes: Any) -> Tool:
    values: dict[str, Any] = {
        "id": tool_id,
        "server_id": "srv_1",
        "owner_id": "user_1",
        "name": name,
        "source_name": f"src_{name}",
        "description": "Lists the pets — all of them.",
        "input_schema": {"type": "object", "properties": {"z": {}, "a": {}, "m": NESTED}},
        "output_schema": {"type": "array"},
        "annotations": {"readOnlyHint": True},
        "method": "GET",
        "path": "/pets/{petId}",
        "routing": {"params": [{"in": "path", "name": "petId"}], "body": None},
        "is_active": True,
        "created_at": T0,
        "updated_at": T0,
    }
    return Tool(**(values | changes))


async def seed(factory: UnitOfWorkFactory, *owners: str, servers: int = 1) -> None:
    """Users, one spec each (`spec_<owner>` for other owners) and `servers` servers for user_1."""
    async with factory() as uow:
        for owner in ("user_1", *owners):
            await uow.users.add(user(owner))
        await uow.specs.add(spec())
        for n in range(1, servers + 1):
            await uow.servers.add(server(f"srv_{n}"))
        await uow.commit()


@contextmanager
def conflict(message: str) -> Iterator[None]:
    """Expect a Conflict with exactly this message (the same on every adapter)."""
    with pytest.raises(Conflict) as raised:
        yield
    assert raised.value.message == message


def assert_utc(value: datetime) -> None:
    assert value.utcoffset() == timedelta(0)
    assert value.tzinfo is UTC


# Users


async def test_user_round_trips_every_field(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        await uow.users.add(user(email=None, name=None, plan="pro"))
        await uow.commit()
    async with uow_factory() as uow:
        found = await uow.users.get("user_1")
        assert found == user(email=None, name=None, plan="pro")
        assert found is not None
        assert_utc(found.created_at)
        assert await uow.users.get("nobody") is None


async def test_adding_an_existing_user_leaves_it_unchanged(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        await uow.users.add(user())
        await uow.commit()
    async with uow_factory() as uow:
        await uow.users.add(user(plan="pro", name="Someone else"))
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.users.get("user_1") == user()


async def test_user_update_replaces_the_fields(uow_factory: UnitOfWorkFactory) -> None:
    await seed(uow_factory)
    changed = user(plan="pro", email="new@example.com", updated_at=T0 + timedelta(days=1))
    async with uow_factory() as uow:
        await uow.users.update(changed)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.users.get("user_1") == changed


async def test_locking_a_user_serializes_limit_checks(uow_factory: UnitOfWorkFactory) -> None:
    await seed(uow_factory, servers=0)

    async def create_within_a_limit_of_one(n: int) -> bool:
        async with uow_factory() as uow:
            assert await uow.users.lock("user_1") == user()
            if await uow.servers.count_active("user_1") >= 1:
                return False
            await asyncio.sleep(0.01)  # a window for the others to pass the check too
            await uow.servers.add(server(f"srv_{n}"))
            await uow.commit()
            return True

    outcomes = await asyncio.gather(*(create_within_a_limit_of_one(n) for n in range(4)))
    assert sorted(outcomes) == [False, False, False, True]
    async with uow_factory() as uow:
        assert await uow.users.lock("nobody") is None


# Specs


async def test_spec_round_trips_every_field_and_key_order(uow_factory: UnitOfWorkFactory) -> None:
    await seed(uow_factory)
    async with uow_factory() as uow:
        await uow.specs.add(spec("spec_2", source_url=None, warnings=()))
        await uow.commit()
    async with uow_factory() as uow:
        found = await uow.specs.get("user_1", "spec_1")
        assert found == spec()
        assert await uow.specs.get("user_1", "spec_2") == spec(
            "spec_2", source_url=None, warnings=()
        )
    assert found is not None
    assert_utc(found.created_at)
    assert_utc(found.updated_at)
    # Object key order is the user's (and the order MCP clients show arguments in).
    assert list(found.raw_spec["paths"]) == ["zeta", "alpha", "mid"]
    assert list(found.raw_spec["paths"]["mid"]) == ["b", "a"]


async def test_an_aware_non_utc_datetime_comes_back_as_the_same_instant_in_utc(
    uow_factory: UnitOfWorkFactory,
) -> None:
    paris = timezone(timedelta(hours=2))
    async with uow_factory() as uow:
        await uow.users.add(user(created_at=T0.astimezone(paris)))
        await uow.commit()
    async with uow_factory() as uow:
        found = await uow.users.get("user_1")
    assert found is not None
    assert found.created_at == T0
    assert_utc(found.created_at)


async def test_another_owners_spec_is_invisible(uow_factory: UnitOfWorkFactory) -> None:
    await seed(uow_factory, "user_2")
    async with uow_factory() as uow:
        assert await uow.specs.get("user_2", "spec_1") is None
        assert (await uow.specs.list("user_2", PageRequest())).total == 0
        assert await uow.specs.delete("user_2", "spec_1") is False
        await uow.specs.update(spec(owner_id="user_2", name="hijacked"))
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.specs.get("user_1", "spec_1") == spec()


async def test_spec_list_is_newest_first_paginated_and_without_document(
    uow_factory: UnitOfWorkFactory,
) -> None:
    await seed(uow_factory)
    async with uow_factory() as uow:
        await uow.specs.add(spec("spec_3", created_at=T0 + timedelta(minutes=5)))
        # Same instant as spec_1: the id breaks the tie, descending.
        await uow.specs.add(spec("spec_2", created_at=T0))
        await uow.commit()
    async with uow_factory() as uow:
        first = await uow.specs.list("user_1", PageRequest(page=1, limit=2))
        second = await uow.specs.list("user_1", PageRequest(page=2, limit=2))
    assert [s.id for s in first.items] == ["spec_3", "spec_2"]
    assert (first.total, first.has_more) == (3, True)
    assert [s.id for s in second.items] == ["spec_1"]
    assert (second.total, second.has_more, second.page, second.limit) == (3, False, 2, 2)
    assert first.items[0] == msgspec.structs.replace(
        spec("spec_3", created_at=T0 + timedelta(minutes=5)), raw_spec={}
    )


async def test_spec_update_replaces_the_fields(uow_factory: UnitOfWorkFactory) -> None:
    await seed(uow_factory)
    changed = spec(name="Renamed", raw_spec={"new": True}, warnings=(), tool_count=9)
    async with uow_factory() as uow:
        await uow.specs.update(changed)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.specs.get("user_1", "spec_1") == changed


# The unit of work


async def test_writes_are_rolled_back_unless_committed(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        await uow.users.add(user())
    async with uow_factory() as uow:
        assert await uow.users.get("user_1") is None


async def test_an_exception_inside_the_block_rolls_back(uow_factory: UnitOfWorkFactory) -> None:
    with pytest.raises(RuntimeError):
        async with uow_factory() as uow:
            await uow.users.add(user())
            raise RuntimeError("boom")
    async with uow_factory() as uow:
        assert await uow.users.get("user_1") is None


async def test_writes_after_a_commit_need_their_own_commit(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        await uow.users.add(user("user_1"))
        await uow.commit()
        await uow.users.add(user("user_2"))
    async with uow_factory() as uow:
        assert await uow.users.get("user_1") is not None
        assert await uow.users.get("user_2") is None


async def test_rollback_discards_and_the_block_goes_on(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        await uow.users.add(user("user_1"))
        await uow.rollback()
        assert await uow.users.get("user_1") is None
        await uow.users.add(user("user_2"))
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.users.get("user_1") is None
        assert await uow.users.get("user_2") == user("user_2")


async def test_concurrent_units_of_work_that_read_then_write_all_succeed(
    uow_factory: UnitOfWorkFactory,
) -> None:
    await seed(uow_factory, servers=0)

    async def create(n: int) -> None:
        async with uow_factory() as uow:
            await uow.servers.count_active("user_1")
            await asyncio.sleep(0)  # let the others interleave between the read and the write
            await uow.servers.add(server(f"srv_{n:02}"))
            await uow.commit()

    await asyncio.gather(*(create(n) for n in range(12)))
    async with uow_factory() as uow:
        assert await uow.servers.count_active("user_1") == 12


# Servers


async def test_server_round_trips_every_field(uow_factory: UnitOfWorkFactory) -> None:
    await seed(uow_factory, servers=0)
    inactive = server(is_active=False, auth_config={}, updated_at=T0 + timedelta(hours=1))
    async with uow_factory() as uow:
        await uow.servers.add(inactive)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.servers.get("user_1", "srv_1") == inactive
        assert await uow.servers.get_by_endpoint("ep-srv_1") == inactive
        assert await uow.servers.get_by_endpoint("ep-unknown") is None


async def test_another_owners_server_is_invisible(uow_factory: UnitOfWorkFactory) -> None:
    await seed(uow_factory, "user_2")
    async with uow_factory() as uow:
        assert await uow.servers.get("user_2", "srv_1") is None
        assert await uow.servers.delete("user_2", "srv_1") is False
        assert await uow.servers.list_for_spec("user_2", "spec_1") == []
        assert await uow.servers.count_active("user_2") == 0


async def test_a_slug_is_unique_per_owner(uow_factory: UnitOfWorkFactory) -> None:
    await seed(uow_factory, "user_2")
    async with uow_factory() as uow:
        with conflict("A server with slug 'slug-srv_1' already exists."):
            await uow.servers.add(server("srv_2", slug="slug-srv_1"))
        # Another owner may use it; the failed insert left the unit of work usable.
        await uow.specs.add(spec("spec_b", owner_id="user_2"))
        await uow.servers.add(
            server("srv_b", owner_id="user_2", spec_id="spec_b", slug="slug-srv_1")
        )
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.servers.get("user_2", "srv_b") is not None
        assert await uow.servers.get("user_1", "srv_2") is None


async def test_an_endpoint_id_is_globally_unique(uow_factory: UnitOfWorkFactory) -> None:
    await seed(uow_factory)
    async with uow_factory() as uow:
        with pytest.raises(Conflict):
            await uow.servers.add(server("srv_2", endpoint_id="ep-srv_1"))


async def test_renaming_to_a_taken_slug_conflicts(uow_factory: UnitOfWorkFactory) -> None:
    await seed(uow_factory, servers=2)
    async with uow_factory() as uow:
        with conflict("A server with slug 'slug-srv_2' already exists."):
            await uow.servers.update(server("srv_1", slug="slug-srv_2"))
        renamed = server("srv_1", name="Kept slug", is_active=False, rate_limit_per_minute=7)
        await uow.servers.update(renamed)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.servers.get("user_1", "srv_1") == msgspec.structs.replace(
            renamed, revision=1
        )


async def test_every_server_change_raises_its_revision(uow_factory: UnitOfWorkFactory) -> None:
    await seed(uow_factory, servers=2)
    async with uow_factory() as uow:
        await uow.servers.update(server("srv_1", name="Renamed"))
        await uow.servers.touch("srv_1")
        await uow.servers.touch("srv_1")
        await uow.commit()
    async with uow_factory() as uow:
        first = await uow.servers.get("user_1", "srv_1")
        second = await uow.servers.get("user_1", "srv_2")
    assert first is not None and first.revision == 3
    assert second is not None and second.revision == 0


async def test_server_lists_are_newest_first_and_filtered(uow_factory: UnitOfWorkFactory) -> None:
    await seed(uow_factory, servers=0)
    async with uow_factory() as uow:
        await uow.specs.add(spec("spec_2"))
        for n, (spec_id, minutes) in enumerate([("spec_1", 1), ("spec_2", 3), ("spec_1", 2)]):
            at = T0 + timedelta(minutes=minutes)
            await uow.servers.add(server(f"srv_{n}", spec_id=spec_id, created_at=at))
        await uow.servers.add(server("srv_9", created_at=T0 + timedelta(minutes=2)))
        await uow.commit()
    async with uow_factory() as uow:
        everything = await uow.servers.list("user_1", PageRequest(limit=3))
        of_spec_1 = await uow.servers.list("user_1", PageRequest(), spec_id="spec_1")
        for_spec_1 = await uow.servers.list_for_spec("user_1", "spec_1")
    assert [s.id for s in everything.items] == ["srv_1", "srv_9", "srv_2"]
    assert (everything.total, everything.has_more) == (4, True)
    assert [s.id for s in of_spec_1.items] == ["srv_9", "srv_2", "srv_0"]
    assert (of_spec_1.total, of_spec_1.has_more) == (3, False)
    assert [s.id for s in for_spec_1] == ["srv_9", "srv_2", "srv_0"]


async def test_count_active_counts_only_the_owners_active_servers(
    uow_factory: UnitOfWorkFactory,
) -> None:
    await seed(uow_factory, "user_2", servers=3)
    async with uow_factory() as uow:
        await uow.servers.update(server("srv_2", is_active=False))
        await uow.specs.add(spec("spec_b", owner_id="user_2"))
        await uow.servers.add(server("srv_b", owner_id="user_2", spec_id="spec_b"))
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.servers.count_active("user_1") == 2
        assert await uow.servers.count_active("user_2") == 1


# Cascades


async def test_deleting_a_spec_removes_its_servers_and_their_tools(
    uow_factory: UnitOfWorkFactory,
) -> None:
    await seed(uow_factory, servers=2)
    async with uow_factory() as uow:
        await uow.specs.add(spec("spec_2"))
        await uow.servers.add(server("srv_3", spec_id="spec_2"))
        await uow.tools.add_many([tool("t1"), tool("t2", server_id="srv_3")])
        assert await uow.specs.delete("user_1", "spec_1") is True
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.specs.get("user_1", "spec_1") is None
        assert await uow.servers.get("user_1", "srv_1") is None
        assert await uow.servers.get("user_1", "srv_2") is None
        assert await uow.tools.count("srv_1") == 0
        assert await uow.servers.get("user_1", "srv_3") is not None
        assert await uow.tools.get("srv_3", "t2") is not None
        assert await uow.specs.delete("user_1", "spec_1") is False


async def test_deleting_a_server_removes_its_tools(uow_factory: UnitOfWorkFactory) -> None:
    await seed(uow_factory, servers=2)
    async with uow_factory() as uow:
        await uow.tools.add_many([tool("t1"), tool("t2", server_id="srv_2")])
        assert await uow.servers.delete("user_1", "srv_1") is True
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.servers.get("user_1", "srv_1") is None
        assert await uow.tools.get("srv_1", "t1") is None
        assert await uow.tools.get("srv_2", "t2") is not None
        assert await uow.specs.get("user_1", "spec_1") is not None


# Tools


async def test_tool_round_trips_every_field(uow_factory: UnitOfWorkFactory) -> None:
    await seed(uow_factory)
    without_output = tool("t2", "other", output_schema=None, is_active=False, annotations={})
    async with uow_factory() as uow:
        await uow.tools.add_many([tool(), without_output])
        await uow.tools.add_many([])
        await uow.commit()
    async with uow_factory() as uow:
        found = await uow.tools.get("srv_1", "tool_1")
        assert found == tool()
        assert await uow.tools.get_by_name("srv_1", "other") == without_output
        assert await uow.tools.get("srv_other", "tool_1") is None
        assert await uow.tools.get_by_name("srv_1", "missing") is None
    assert found is not None
    assert list(found.input_schema["properties"]) == ["z", "a", "m"]


async def test_a_tool_name_is_unique_per_server(uow_factory: UnitOfWorkFactory) -> None:
    await seed(uow_factory, servers=2)
    async with uow_factory() as uow:
        await uow.tools.add_many([tool("t1", "list_pets")])
        await uow.commit()
    async with uow_factory() as uow:
        taken = "A tool named 'list_pets' already exists on this server."
        with conflict(taken):
            await uow.tools.add_many([tool("t2", "get_pet"), tool("t3", "list_pets")])
        with conflict("A tool named 'twice' already exists on this server."):
            await uow.tools.add_many([tool("t4", "twice"), tool("t5", "twice")])
        # All or nothing, and the unit of work is still usable; other servers may share names.
        assert await uow.tools.count("srv_1") == 1
        await uow.tools.add_many([tool("t6", "list_pets", server_id="srv_2")])
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.tools.count("srv_2") == 1


async def test_renaming_a_tool_to_a_taken_name_conflicts(uow_factory: UnitOfWorkFactory) -> None:
    await seed(uow_factory)
    async with uow_factory() as uow:
        await uow.tools.add_many([tool("t1", "a"), tool("t2", "b")])
        with conflict("A tool named 'b' already exists on this server."):
            await uow.tools.update(tool("t1", "b"))
        changed = tool("t1", "a", description="new", is_active=False, output_schema=None)
        await uow.tools.update(changed)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.tools.get("srv_1", "t1") == changed


async def test_tools_are_ordered_by_name_code_point_and_filtered(
    uow_factory: UnitOfWorkFactory,
) -> None:
    await seed(uow_factory)
    names = ["b", "a_b", "B", "ab", "_x", "a-b", "a"]
    async with uow_factory() as uow:
        await uow.tools.add_many(
            [tool(f"t{i}", name, is_active=name != "ab") for i, name in enumerate(names)]
        )
        await uow.commit()
    async with uow_factory() as uow:
        everything = await uow.tools.list_all("srv_1")
        active = await uow.tools.list("srv_1", PageRequest(page=2, limit=2), active=True)
        inactive = await uow.tools.list_all("srv_1", active=False)
        counts = [await uow.tools.count("srv_1", active=a) for a in (None, True, False)]
    assert [t.name for t in everything] == sorted(names)
    assert [t.name for t in active.items] == ["a", "a-b"]
    assert (active.total, active.has_more) == (6, True)
    assert [t.name for t in inactive] == ["ab"]
    assert counts == [7, 6, 1]


async def test_delete_many_removes_only_the_named_tools_of_that_server(
    uow_factory: UnitOfWorkFactory,
) -> None:
    await seed(uow_factory, servers=2)
    async with uow_factory() as uow:
        await uow.tools.add_many([tool("t1", "a"), tool("t2", "b"), tool("t3", "c")])
        await uow.tools.add_many([tool("t4", "a", server_id="srv_2")])
        await uow.tools.delete_many("srv_1", ["t1", "t3", "t4", "missing"])
        await uow.tools.delete_many("srv_1", [])
        await uow.commit()
    async with uow_factory() as uow:
        assert [t.id for t in await uow.tools.list_all("srv_1")] == ["t2"]
        assert await uow.tools.count("srv_2") == 1
