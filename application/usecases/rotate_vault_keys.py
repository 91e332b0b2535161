"""RotateVaultKeys: re-seal every stored secret under the vault's active key, online."""

from __future__ import annotations

import msgspec

from application.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from application.ports.vault import SealedSecret, SecretVault
from domain.credentials import Credential
from domain.errors import SecretUnavailable

__all__ = ["KeyRotationReport", "RotateVaultKeys"]

DEFAULT_BATCH_SIZE = 100


class KeyRotationReport(msgspec.Struct, frozen=True, kw_only=True):
    """What a rotation did. `failed_ids` names the credentials that could not be opened."""

    active_key_id: str
    rotated: int
    already_current: int
    failed_ids: tuple[str, ...]

    @property
    def failed(self) -> int:
        return len(self.failed_ids)


class RotateVaultKeys:
    """Walks every credential by id in short batches, one transaction each.

    Short transactions keep the service answering meanwhile (SQLite holds its write lock only
    for one batch), and a run that stops half-way loses nothing: run it again. Deploy the new
    keyring (new key first, old keys kept) to every instance before running it; drop an old
    key only once a run reports no failure.
    """

    def __init__(
        self, uow: UnitOfWorkFactory, vault: SecretVault, batch_size: int = DEFAULT_BATCH_SIZE
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self._uow = uow
        self._vault = vault
        self._batch_size = batch_size

    async def __call__(self) -> KeyRotationReport:
        counts = {"rotated": 0, "already_current": 0}
        failed: list[str] = []
        after: str | None = None
        while True:
            async with self._uow() as uow:
                batch = await uow.credentials.list_after(after, self._batch_size)
                if not batch:
                    break
                for credential in batch:
                    outcome = await self._rotate(uow, credential)
                    if outcome == "failed":
                        failed.append(credential.id)
                    elif outcome in counts:
                        counts[outcome] += 1
                await uow.commit()
            after = batch[-1].id
        return KeyRotationReport(
            active_key_id=self._vault.active_key_id,
            rotated=counts["rotated"],
            already_current=counts["already_current"],
            failed_ids=tuple(failed),
        )

    async def _rotate(self, uow: UnitOfWork, credential: Credential) -> str:
        sealed = SealedSecret(credential.key_id, credential.nonce, credential.ciphertext)
        try:
            resealed = self._vault.rotate(
                sealed, owner_id=credential.owner_id, record_id=credential.id
            )
        except SecretUnavailable:
            # Counted by id only: the reason (a missing key, tampering) is for the operator
            # to find with the keyring, and no error text is carried along with secrets near.
            return "failed"
        if resealed is None:
            return "already_current"
        # The secret itself is unchanged, so cached copies stay valid: no revision bump.
        if await uow.credentials.update_sealed(credential.id, resealed):
            return "rotated"
        return "gone"  # deleted meanwhile: nothing left to rotate
