"""Credential use cases over the memory adapters: sealed at rest, owner-scoped, rotated."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import pytest

from adapters.persistence.memory import MemoryUnitOfWorkFactory
from adapters.system.id_generators import SequentialIdGenerator
from adapters.system.system_clock import FixedClock
from adapters.vault import MemoryVault
from application.ports.vault import SealedSecret, SecretVault
from application.usecases.create_credential import CreateCredential
from application.usecases.credential_rules import CreateCredentialCommand
from application.usecases.read_credentials import DeleteCredential, ListCredentials
from application.usecases.rotate_vault_keys import RotateVaultKeys
from domain.credentials import Credential
from domain.errors import InvalidRequest, NotFound
from domain.pagination import PageRequest
from tests.contract.test_repositories import T0, seed

SECRET = "sk-sentinel-4b1d-never-shown"
K1, K2 = os.urandom(32), os.urandom(32)


def command(**changes: Any) -> CreateCredentialCommand:
    values: dict[str, Any] = {"label": "Prod", "auth_type": "api_key", "plaintext_key": SECRET}
    return CreateCredentialCommand(**(values | changes))


def oauth2(**changes: Any) -> CreateCredentialCommand:
    values: dict[str, Any] = {
        "auth_type": "oauth2_client_creds",
        "plaintext_key": None,
        "client_id": "client-1",
        "client_secret": SECRET,
        "token_endpoint": "https://auth.example.com/token",
        "scopes": ("read",),
    }
    return command(**(values | changes))


def opened(vault: SecretVault, credential: Credential) -> bytes:
    sealed = SealedSecret(credential.key_id, credential.nonce, credential.ciphertext)
    return vault.open(sealed, owner_id=credential.owner_id, record_id=credential.id)


def problem_paths(error: pytest.ExceptionInfo[InvalidRequest]) -> set[str]:
    return {str(p.path[0]) for p in error.value.problems}


@pytest.fixture
async def uow() -> MemoryUnitOfWorkFactory:
    factory = MemoryUnitOfWorkFactory()
    await seed(factory, "user_2", servers=2)  # user_1 owns srv_1 and srv_2
    return factory


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def vault() -> MemoryVault:
    return MemoryVault({"k1": K1})


@pytest.fixture
def create(uow: MemoryUnitOfWorkFactory, vault: MemoryVault, clock: FixedClock) -> CreateCredential:
    return CreateCredential(uow, vault, clock, SequentialIdGenerator())


async def stored(uow: MemoryUnitOfWorkFactory, server_id: str = "srv_1") -> list[Credential]:
    async with uow() as unit:
        return list(await unit.credentials.list(server_id))


async def test_the_secret_is_sealed_at_rest_and_opens_for_its_record(
    create: CreateCredential, uow: MemoryUnitOfWorkFactory, vault: MemoryVault
) -> None:
    created = await create("user_1", "srv_1", command())

    [row] = await stored(uow)
    assert row == created and row.key_id == "k1" and row.created_at == T0
    assert SECRET.encode() not in row.ciphertext + row.nonce
    assert opened(vault, row) == SECRET.encode()
    assert SECRET not in repr(row) + repr(command())


async def test_oauth2_seals_the_client_secret_and_keeps_its_public_fields(
    create: CreateCredential, uow: MemoryUnitOfWorkFactory, vault: MemoryVault
) -> None:
    created = await create("user_1", "srv_1", oauth2(plaintext_key="unused"))

    assert opened(vault, created) == SECRET.encode()
    assert (created.client_id, created.token_endpoint, created.scopes) == (
        "client-1",
        "https://auth.example.com/token",
        ("read",),
    )


async def test_another_users_server_is_not_found_and_nothing_is_stored(
    create: CreateCredential, uow: MemoryUnitOfWorkFactory
) -> None:
    with pytest.raises(NotFound, match="Server"):
        await create("user_2", "srv_1", command())
    with pytest.raises(NotFound, match="Server"):
        await create("user_1", "srv_404", command())
    assert await stored(uow) == []


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"plaintext_key": None}, {"plaintextKey"}),
        ({"auth_type": "bearer", "plaintext_key": ""}, {"plaintextKey"}),
        ({"auth_type": "basic", "plaintext_key": "no-colon"}, {"plaintextKey"}),
        ({"auth_type": "basic", "plaintext_key": ":password"}, {"plaintextKey"}),
        ({"auth_type": "none"}, {"authType"}),
        ({"client_secret": "x", "scopes": ("a",)}, {"clientSecret", "scopes"}),
        ({"expires_at": T0}, {"expiresAt"}),
        ({"expires_at": T0.replace(tzinfo=None) + timedelta(days=1)}, {"expiresAt"}),
    ],
)
async def test_each_type_rule_names_its_field(
    create: CreateCredential, changes: dict[str, Any], fields: set[str]
) -> None:
    with pytest.raises(InvalidRequest) as raised:
        await create("user_1", "srv_1", command(**changes))
    assert problem_paths(raised) == fields
    assert SECRET not in str([p.message for p in raised.value.problems])


async def test_oauth2_names_every_missing_field(create: CreateCredential) -> None:
    with pytest.raises(InvalidRequest) as raised:
        await create(
            "user_1", "srv_1", oauth2(client_id=None, client_secret=None, token_endpoint=None)
        )
    assert problem_paths(raised) == {"clientId", "clientSecret", "tokenEndpoint"}


async def test_oauth2_needs_an_https_token_endpoint(create: CreateCredential) -> None:
    with pytest.raises(InvalidRequest) as raised:
        await create("user_1", "srv_1", oauth2(token_endpoint="http://auth.example.com/token"))
    assert problem_paths(raised) == {"tokenEndpoint"}


async def test_basic_takes_user_colon_password_and_an_empty_password(
    create: CreateCredential, vault: MemoryVault
) -> None:
    created = await create("user_1", "srv_1", command(auth_type="basic", plaintext_key="me:"))
    assert opened(vault, created) == b"me:"


async def test_list_is_newest_first_and_scoped_by_owner_and_server(
    create: CreateCredential, uow: MemoryUnitOfWorkFactory, clock: FixedClock
) -> None:
    first = await create("user_1", "srv_1", command(label="first"))
    clock.advance(seconds=1)
    second = await create("user_1", "srv_1", command(label="second"))
    await create("user_1", "srv_2", command(label="elsewhere"))
    listed = ListCredentials(uow)

    page = await listed("user_1", "srv_1", PageRequest())
    assert [c.id for c in page.items] == [second.id, first.id]
    with pytest.raises(NotFound, match="Server"):
        await listed("user_2", "srv_1", PageRequest())


async def test_delete_is_scoped_by_owner_and_server(
    create: CreateCredential, uow: MemoryUnitOfWorkFactory
) -> None:
    created = await create("user_1", "srv_1", command())
    delete = DeleteCredential(uow)

    with pytest.raises(NotFound, match="Server"):
        await delete("user_2", "srv_1", created.id)
    with pytest.raises(NotFound, match="Credential"):
        await delete("user_1", "srv_2", created.id)
    assert await delete("user_1", "srv_1", created.id) == created.id
    assert await stored(uow) == []
    with pytest.raises(NotFound, match="Credential"):
        await delete("user_1", "srv_1", created.id)


async def test_creating_and_deleting_raise_the_servers_revision(
    create: CreateCredential, uow: MemoryUnitOfWorkFactory
) -> None:
    async def revision() -> int:
        async with uow() as unit:
            server = await unit.servers.get("user_1", "srv_1")
            assert server is not None
            return server.revision

    before = await revision()
    created = await create("user_1", "srv_1", command())
    after_create = await revision()
    await DeleteCredential(uow)("user_1", "srv_1", created.id)
    assert before < after_create < await revision()


async def test_rotation_reseals_under_the_new_key_so_the_old_key_can_go(
    uow: MemoryUnitOfWorkFactory, clock: FixedClock
) -> None:
    old = CreateCredential(uow, MemoryVault({"k1": K1}), clock, SequentialIdGenerator())
    ids = [(await old("user_1", f"srv_{n % 2 + 1}", command())).id for n in range(5)]
    both = MemoryVault({"k2": K2, "k1": K1})

    report = await RotateVaultKeys(uow, both, batch_size=2)()

    assert (report.rotated, report.already_current, report.failed) == (5, 0, 0)
    assert report.active_key_id == "k2"
    rows = await stored(uow, "srv_1") + await stored(uow, "srv_2")
    assert sorted(c.id for c in rows) == sorted(ids)
    only_new = MemoryVault({"k2": K2})
    assert all(c.key_id == "k2" and opened(only_new, c) == SECRET.encode() for c in rows)
    again = await RotateVaultKeys(uow, both, batch_size=2)()
    assert (again.rotated, again.already_current, again.failed) == (0, 5, 0)


async def test_rotation_reports_unopenable_credentials_by_id_only(
    uow: MemoryUnitOfWorkFactory, clock: FixedClock
) -> None:
    ids = SequentialIdGenerator()
    lost_key = MemoryVault({"k0": os.urandom(32)})
    orphan = await CreateCredential(uow, lost_key, clock, ids)("user_1", "srv_1", command())
    good = await CreateCredential(uow, MemoryVault({"k1": K1}), clock, ids)(
        "user_1", "srv_2", command()
    )

    report = await RotateVaultKeys(uow, MemoryVault({"k2": K2, "k1": K1}))()

    assert (report.rotated, report.already_current, report.failed_ids) == (1, 0, (orphan.id,))
    assert SECRET not in repr(report)
    [kept] = await stored(uow, "srv_1")
    assert kept == orphan  # left as it was, for an operator with the right key
    [rotated] = await stored(uow, "srv_2")
    assert rotated.id == good.id and rotated.key_id == "k2"
