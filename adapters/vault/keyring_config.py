"""The vault keyring: SPECMCP_VAULT_KEYS parsing, key generation and the embedded-default file.

Format: `kid:base64key,kid2:base64key`, the first entry is the active key. Every error message
names entries by position (and a key id once it is known to be valid), never the key text.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import os
import re
import secrets
from collections.abc import Mapping
from pathlib import Path

__all__ = [
    "KEY_ID_PATTERN",
    "KEY_LENGTH",
    "LOCAL_KEYRING_FILENAME",
    "checked_keyring",
    "generate_key_entry",
    "load_or_create_local_keyring",
    "parse_keyring",
]

KEY_LENGTH = 32  # AES-256
KEY_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,32}")
LOCAL_KEYRING_FILENAME = "specmcp-vault-keys"
_LOCAL_KEY_ID = "local1"
_KEY_ID_RULE = "1-32 characters from A-Z, a-z, 0-9, '_' and '-'"


def checked_keyring(keys: Mapping[str, bytes]) -> dict[str, bytes]:
    """A copy of `keys` (order kept, active first) after checking ids and key lengths.

    Raises:
        ValueError: empty keyring, malformed key id or a key that is not 32 bytes.
    """
    if not keys:
        raise ValueError("The vault keyring is empty; it needs at least one key.")
    checked: dict[str, bytes] = {}
    for key_id, key in keys.items():
        if not isinstance(key_id, str) or not KEY_ID_PATTERN.fullmatch(key_id):
            raise ValueError(f"A vault key id is malformed; key ids are {_KEY_ID_RULE}.")
        if len(key) != KEY_LENGTH:
            raise ValueError(
                f"Vault key {key_id!r} is {len(key)} bytes; it must be exactly {KEY_LENGTH}."
            )
        checked[key_id] = bytes(key)
    return checked


def parse_keyring(text: str) -> dict[str, bytes]:
    """Parse SPECMCP_VAULT_KEYS into `{kid: key}`, in order, the active key first.

    Raises:
        ValueError: empty text, an entry without `:`, a bad or repeated key id, a key that is
            not base64 or does not decode to 32 bytes.
    """
    if not text.strip():
        raise ValueError("SPECMCP_VAULT_KEYS is empty; expected 'kid:base64key[,...]'.")
    keys: dict[str, bytes] = {}
    for position, entry in enumerate(text.split(","), start=1):
        where = f"SPECMCP_VAULT_KEYS entry {position}"
        key_id, colon, encoded = (part.strip() for part in entry.partition(":"))
        if not colon:
            raise ValueError(f"{where} has no ':'; expected 'kid:base64key'.")
        if not KEY_ID_PATTERN.fullmatch(key_id):
            # The id is not echoed: a swapped `key:kid` entry would put the key right here.
            raise ValueError(f"{where} has a malformed key id; key ids are {_KEY_ID_RULE}.")
        if key_id in keys:
            raise ValueError(f"{where} repeats key id {key_id!r}; key ids must be unique.")
        keys[key_id] = _decode_key(encoded, f"{where} (key id {key_id!r})")
    return keys


def _decode_key(encoded: str, where: str) -> bytes:
    # Accept the URL-safe alphabet and missing padding too: both are common ways to paste keys.
    normalized = encoded.replace("-", "+").replace("_", "/")
    normalized += "=" * (-len(normalized) % 4)
    try:
        key = base64.b64decode(normalized.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error):
        raise ValueError(f"{where}: the key is not valid base64.") from None
    if len(key) != KEY_LENGTH:
        raise ValueError(f"{where}: the key decodes to {len(key)} bytes; it must be {KEY_LENGTH}.")
    return key


def generate_key_entry(key_id: str) -> str:
    """A new `kid:base64key` entry with a fresh random 32-byte key.

    Raises:
        ValueError: the key id is malformed.
    """
    if not KEY_ID_PATTERN.fullmatch(key_id):
        raise ValueError(f"The key id is malformed; key ids are {_KEY_ID_RULE}.")
    return f"{key_id}:{base64.b64encode(secrets.token_bytes(KEY_LENGTH)).decode('ascii')}"


def load_or_create_local_keyring(directory: Path) -> str:
    """The embedded default's keyring text, kept in `directory` (beside the SQLite file).

    The first call writes a fresh key (mode 0600); every later call, in any process, reads it.

    Raises:
        ValueError: the stored file is not a valid keyring.
    """
    path = directory / LOCAL_KEYRING_FILENAME
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True)
        _create_exclusively(path, generate_key_entry(_LOCAL_KEY_ID))
    text = path.read_text(encoding="ascii").strip()
    parse_keyring(text)  # a corrupted file fails here, clearly, rather than at the first open()
    return text


def _create_exclusively(path: Path, content: str) -> None:
    # Write a private temporary file in full, then link it into place: the link fails if the
    # target exists, so racing processes all end up reading one complete winner, never a
    # half-written file (which a plain O_EXCL open-then-write would briefly expose).
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(content + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        # FileExistsError: another process won the race; its key is the one everybody uses.
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
