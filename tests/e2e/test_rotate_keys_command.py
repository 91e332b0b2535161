"""Key rotation end to end on SQLite: seal under k1, rotate to "k2,k1", open with k2 alone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from adapters.persistence.sql import SqlUnitOfWorkFactory, create_sql_engine, migrate
from adapters.system.id_generators import Uuid4Generator
from adapters.system.system_clock import SystemClock
from adapters.vault import AesGcmKeyringVault, generate_key_entry, parse_keyring
from application.ports.vault import SealedSecret
from application.usecases.create_credential import CreateCredential
from application.usecases.credential_rules import CreateCredentialCommand
from application.usecases.rotate_vault_keys import RotateVaultKeys
from entrypoints.container import Container
from tests.contract.test_repositories import seed

SECRETS = [f"sentinel-secret-{n}-7c2e" for n in range(7)]
K1, K2 = generate_key_entry("k1"), generate_key_entry("k2")


async def _seal_under_k1(url: str) -> None:
    """Credentials on two servers, sealed with a keyring holding only k1."""
    await migrate(url)
    engine = create_sql_engine(url)
    try:
        uow = SqlUnitOfWorkFactory(engine)
        await seed(uow, servers=2)
        create = CreateCredential(
            uow, AesGcmKeyringVault(parse_keyring(K1)), SystemClock(), Uuid4Generator()
        )
        for n, secret in enumerate(SECRETS):
            command = CreateCredentialCommand(
                label=f"key {n}", auth_type="bearer", plaintext_key=secret
            )
            await create("user_1", f"srv_{n % 2 + 1}", command)
    finally:
        await engine.dispose()


async def _open_all(url: str, keyring: str) -> tuple[set[str], set[str]]:
    """The key ids in use and every secret opened with `keyring`."""
    vault = AesGcmKeyringVault(parse_keyring(keyring))
    engine = create_sql_engine(url)
    try:
        async with SqlUnitOfWorkFactory(engine)() as uow:
            rows = await uow.credentials.list_after(None, 1000)
    finally:
        await engine.dispose()
    opened = {
        vault.open(
            SealedSecret(c.key_id, c.nonce, c.ciphertext), owner_id=c.owner_id, record_id=c.id
        ).decode()
        for c in rows
    }
    return {c.key_id for c in rows}, opened


async def test_rotation_on_sqlite_lets_the_old_key_be_dropped(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'specmcp.db'}"
    await _seal_under_k1(url)
    engine = create_sql_engine(url)
    try:
        vault = AesGcmKeyringVault(parse_keyring(f"{K2},{K1}"))
        report = await RotateVaultKeys(SqlUnitOfWorkFactory(engine), vault, batch_size=3)()
    finally:
        await engine.dispose()

    assert (report.rotated, report.already_current, report.failed) == (len(SECRETS), 0, 0)
    assert await _open_all(url, K2) == ({"k2"}, set(SECRETS))


@pytest.mark.skipif(
    not hasattr(Container, "rotate_vault_keys"),
    reason="the container does not provide rotate_vault_keys yet",
)
async def test_the_rotate_keys_command_reseals_and_prints_only_counts(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'specmcp.db'}"
    await _seal_under_k1(url)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SPECMCP_", "DATABASE_URL"))}
    env |= {"DATABASE_URL": url, "SPECMCP_VAULT_KEYS": f"{K2},{K1}"}

    def rotate_keys() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "entrypoints.cli.main", "rotate-keys", "--batch-size", "2"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    first, second = rotate_keys(), rotate_keys()

    assert first.returncode == 0, first.stderr
    assert f"rotated {len(SECRETS)}, already current 0, failed 0" in first.stdout
    assert f"rotated 0, already current {len(SECRETS)}, failed 0" in second.stdout
    output = first.stdout + first.stderr + second.stdout + second.stderr
    assert not any(secret in output for secret in SECRETS)
    assert K1.split(":")[1] not in output and K2.split(":")[1] not in output
    assert await _open_all(url, K2) == ({"k2"}, set(SECRETS))
