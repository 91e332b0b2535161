"""SecretVault: encrypts credential secrets at rest, bound to their owner and record."""

from __future__ import annotations

from typing import Protocol

import msgspec

__all__ = ["SealedSecret", "SecretVault"]


class SealedSecret(msgspec.Struct, frozen=True):
    """An encrypted secret: the key id that sealed it, and nonce + ciphertext (with tag)."""

    key_id: str
    nonce: bytes
    ciphertext: bytes


class SecretVault(Protocol):
    """AES-256-GCM (or equivalent AEAD) with a keyring of versioned keys.

    The associated data binds a sealed secret to `owner_id`, `record_id` and the key id:
    a ciphertext copied to another record or owner fails to open.
    """

    @property
    def active_key_id(self) -> str: ...

    def seal(self, plaintext: bytes, *, owner_id: str, record_id: str) -> SealedSecret: ...

    def open(self, sealed: SealedSecret, *, owner_id: str, record_id: str) -> bytes:
        """Raises `SecretUnavailable` when the key is gone or the data was tampered with."""

    def needs_rotation(self, sealed: SealedSecret) -> bool:
        """Whether `sealed` is under another key than the active one."""

    def rotate(self, sealed: SealedSecret, *, owner_id: str, record_id: str) -> SealedSecret | None:
        """Re-seal under the active key; None when `sealed` already uses it.

        Raises `SecretUnavailable` when `sealed` cannot be opened.
        """
