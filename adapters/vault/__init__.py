"""Secret vault adapters: AES-256-GCM over a keyring, and an in-memory twin for tests."""

from adapters.vault.aesgcm_keyring_vault import AesGcmKeyringVault
from adapters.vault.keyring_config import (
    generate_key_entry,
    load_or_create_local_keyring,
    parse_keyring,
)
from adapters.vault.memory_vault import MemoryVault

__all__ = [
    "AesGcmKeyringVault",
    "MemoryVault",
    "generate_key_entry",
    "load_or_create_local_keyring",
    "parse_keyring",
]
