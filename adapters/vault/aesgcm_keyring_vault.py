"""SecretVault over AES-256-GCM with a keyring of versioned keys (the active key seals)."""

from __future__ import annotations

import os
import struct
from collections.abc import Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from adapters.vault.keyring_config import checked_keyring
from application.ports.vault import SealedSecret
from domain.errors import SecretUnavailable

__all__ = ["NONCE_LENGTH", "AesGcmKeyringVault", "associated_data"]

NONCE_LENGTH = 12  # 96 bits, the GCM standard size
_TAG_LENGTH = 16
_AD_VERSION = b"specmcp-vault-ad-v1"


def associated_data(*, owner_id: str, record_id: str, key_id: str) -> bytes:
    """The canonical bytes binding a sealed secret to its owner, record and key id.

    Every field is length-prefixed (4-byte big-endian), so no two distinct triples encode
    alike: ("a|b", "c") and ("a", "b|c") differ. The version tag allows a future format.
    """
    # surrogatepass: any Python str encodes, and distinct strings still give distinct bytes.
    values = (owner_id, record_id, key_id)
    fields = (_AD_VERSION, *(value.encode("utf-8", "surrogatepass") for value in values))
    return b"".join(struct.pack(">I", len(field)) + field for field in fields)


class AesGcmKeyringVault:
    """AES-256-GCM, a fresh random 96-bit nonce per seal, keys looked up by the sealed key id.

    Args:
        keys: key id to 32-byte key, in order; the first is the active (sealing) key.
    """

    def __init__(self, keys: Mapping[str, bytes]) -> None:
        self._ciphers = {key_id: AESGCM(key) for key_id, key in checked_keyring(keys).items()}
        self._active_key_id = next(iter(self._ciphers))

    def __repr__(self) -> str:
        # Key ids only: a repr lands in logs and tracebacks, the keys must not.
        return f"AesGcmKeyringVault(key_ids={list(self._ciphers)!r})"

    @property
    def active_key_id(self) -> str:
        """The id of the key new secrets are sealed under."""
        return self._active_key_id

    @property
    def key_ids(self) -> tuple[str, ...]:
        """Every key id in the keyring, the active one first."""
        return tuple(self._ciphers)

    def seal(self, plaintext: bytes, *, owner_id: str, record_id: str) -> SealedSecret:
        """Encrypt `plaintext` under the active key, bound to `owner_id` and `record_id`."""
        key_id = self._active_key_id
        nonce = os.urandom(NONCE_LENGTH)
        bound = associated_data(owner_id=owner_id, record_id=record_id, key_id=key_id)
        ciphertext = self._ciphers[key_id].encrypt(nonce, bytes(plaintext), bound)
        return SealedSecret(key_id=key_id, nonce=nonce, ciphertext=ciphertext)

    def open(self, sealed: SealedSecret, *, owner_id: str, record_id: str) -> bytes:
        """Decrypt `sealed`; raises `SecretUnavailable` when the key is gone or it was altered."""
        cipher = self._ciphers.get(sealed.key_id)
        if cipher is None:
            raise SecretUnavailable(
                f"The secret was sealed under key id {sealed.key_id[:64]!r}, "
                "which is not in the vault keyring."
            )
        if len(sealed.nonce) != NONCE_LENGTH or len(sealed.ciphertext) < _TAG_LENGTH:
            raise SecretUnavailable("The sealed secret is malformed.")
        bound = associated_data(owner_id=owner_id, record_id=record_id, key_id=sealed.key_id)
        try:
            return cipher.decrypt(sealed.nonce, sealed.ciphertext, bound)
        except InvalidTag:
            # One message for tampering and for a wrong owner/record: which one is not ours
            # to tell, and `from None` keeps the library's context out of the traceback.
            raise SecretUnavailable(
                "The secret cannot be opened: it was altered or belongs to another record."
            ) from None

    def needs_rotation(self, sealed: SealedSecret) -> bool:
        """Whether `sealed` is under an older key than the active one."""
        return sealed.key_id != self._active_key_id

    def rotate(self, sealed: SealedSecret, *, owner_id: str, record_id: str) -> SealedSecret | None:
        """Re-seal under the active key; None when `sealed` already uses it.

        Raises:
            SecretUnavailable: `sealed` cannot be opened (its key is gone, or it was altered).
        """
        if not self.needs_rotation(sealed):
            return None
        plaintext = self.open(sealed, owner_id=owner_id, record_id=record_id)
        return self.seal(plaintext, owner_id=owner_id, record_id=record_id)
