"""SecretVault for tests: an HMAC-SHA256 keystream and tag instead of AES-GCM, same contract.

Not for production (it is neither fast nor reviewed as a cipher); it exists so the contract suite
proves the binding, tamper and keyring semantics do not depend on the AES adapter.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Mapping

from adapters.vault.aesgcm_keyring_vault import NONCE_LENGTH, associated_data
from adapters.vault.keyring_config import KEY_LENGTH, checked_keyring
from application.ports.vault import SealedSecret
from domain.errors import SecretUnavailable

__all__ = ["MemoryVault"]

_TAG_LENGTH = 16


class MemoryVault:
    """Keyring vault over HMAC-SHA256; by default one random per-instance key, id `memory`.

    Args:
        keys: key id to 32-byte key, in order, the first active; None for a random key.
    """

    def __init__(self, keys: Mapping[str, bytes] | None = None) -> None:
        if keys is None:
            keys = {"memory": secrets.token_bytes(KEY_LENGTH)}
        self._keys = checked_keyring(keys)
        self._active_key_id = next(iter(self._keys))

    def __repr__(self) -> str:
        return f"MemoryVault(key_ids={list(self._keys)!r})"

    @property
    def active_key_id(self) -> str:
        """The id of the key new secrets are sealed under."""
        return self._active_key_id

    def seal(self, plaintext: bytes, *, owner_id: str, record_id: str) -> SealedSecret:
        """Encrypt `plaintext` under the active key, bound to `owner_id` and `record_id`."""
        key = self._keys[self._active_key_id]
        nonce = os.urandom(NONCE_LENGTH)
        body = _xor_stream(key, nonce, bytes(plaintext))
        bound = associated_data(owner_id=owner_id, record_id=record_id, key_id=self._active_key_id)
        tag = _tag(key, bound, nonce, body)
        return SealedSecret(key_id=self._active_key_id, nonce=nonce, ciphertext=body + tag)

    def open(self, sealed: SealedSecret, *, owner_id: str, record_id: str) -> bytes:
        """Decrypt `sealed`; raises `SecretUnavailable` when the key is gone or it was altered."""
        key = self._keys.get(sealed.key_id)
        if key is None:
            raise SecretUnavailable("The secret was sealed under a key not in the keyring.")
        if len(sealed.nonce) != NONCE_LENGTH or len(sealed.ciphertext) < _TAG_LENGTH:
            raise SecretUnavailable("The sealed secret is malformed.")
        body, tag = sealed.ciphertext[:-_TAG_LENGTH], sealed.ciphertext[-_TAG_LENGTH:]
        bound = associated_data(owner_id=owner_id, record_id=record_id, key_id=sealed.key_id)
        if not hmac.compare_digest(tag, _tag(key, bound, sealed.nonce, body)):
            raise SecretUnavailable("The secret was altered or belongs to another record.")
        return _xor_stream(key, sealed.nonce, body)

    def needs_rotation(self, sealed: SealedSecret) -> bool:
        """Whether `sealed` is under an older key than the active one."""
        return sealed.key_id != self._active_key_id

    def rotate(self, sealed: SealedSecret, *, owner_id: str, record_id: str) -> SealedSecret | None:
        """Re-seal under the active key; None when `sealed` already uses it."""
        if not self.needs_rotation(sealed):
            return None
        plaintext = self.open(sealed, owner_id=owner_id, record_id=record_id)
        return self.seal(plaintext, owner_id=owner_id, record_id=record_id)


def _xor_stream(key: bytes, nonce: bytes, data: bytes) -> bytes:
    # Counter-mode keystream: HMAC(key, "stream" || nonce || counter), 32 bytes per block.
    blocks = (
        hmac.digest(key, b"stream" + nonce + counter.to_bytes(8, "big"), hashlib.sha256)
        for counter in range((len(data) + 31) // 32)
    )
    stream = b"".join(blocks)
    return bytes(a ^ b for a, b in zip(data, stream, strict=False))


def _tag(key: bytes, bound: bytes, nonce: bytes, body: bytes) -> bytes:
    # Length-prefix the associated data so it cannot slide into the nonce or body.
    message = b"tag" + len(bound).to_bytes(8, "big") + bound + nonce + body
    return hmac.digest(key, message, hashlib.sha256)[:_TAG_LENGTH]
