"""SecretVault contract: the AES-GCM keyring vault and the memory vault behave the same."""

from __future__ import annotations

import base64
import os
import stat
import traceback
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.vault import (
    AesGcmKeyringVault,
    MemoryVault,
    generate_key_entry,
    load_or_create_local_keyring,
    parse_keyring,
)
from application.ports.vault import SealedSecret, SecretVault
from domain.errors import SecretUnavailable

SENTINEL = b"sentinel-5f1c-never-in-an-error"
K1, K2 = os.urandom(32), os.urandom(32)


class RotatingVault(SecretVault, Protocol):
    def needs_rotation(self, sealed: SealedSecret) -> bool: ...

    def rotate(
        self, sealed: SealedSecret, *, owner_id: str, record_id: str
    ) -> SealedSecret | None: ...


VaultFactory = Callable[[Mapping[str, bytes]], RotatingVault]
ADAPTERS = [
    pytest.param(AesGcmKeyringVault, id="aesgcm"),
    pytest.param(MemoryVault, id="memory"),
]


def assert_unavailable(vault: SecretVault, sealed: SealedSecret, owner: str, record: str) -> None:
    with pytest.raises(SecretUnavailable) as caught:
        vault.open(sealed, owner_id=owner, record_id=record)
    assert_leaks_nothing(caught.value)


def assert_leaks_nothing(error: BaseException) -> None:
    rendered = str(error) + repr(error) + "".join(traceback.format_exception(error))
    for secret in (SENTINEL, K1, K2, base64.b64encode(K1), base64.b64encode(K2)):
        assert secret.decode("latin-1") not in rendered
    assert K1.hex() not in rendered and K2.hex() not in rendered


def with_byte_flipped(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


@pytest.mark.parametrize("make_vault", ADAPTERS)
class TestSecretVaultContract:
    @pytest.mark.parametrize(
        "plaintext", [b"", "clé secrète 🔑 — ключ".encode(), bytes(range(256)) * 40]
    )
    def test_round_trip(self, make_vault: VaultFactory, plaintext: bytes) -> None:
        vault = make_vault({"k1": K1})
        sealed = vault.seal(plaintext, owner_id="user_1", record_id="cred_1")
        assert sealed.key_id == "k1" == vault.active_key_id
        assert vault.open(sealed, owner_id="user_1", record_id="cred_1") == plaintext

    @settings(max_examples=60, deadline=None)
    @given(
        plaintext=st.binary(max_size=2048),
        owner=st.text(max_size=40),
        record=st.text(max_size=40),
        key_id=st.from_regex(r"[A-Za-z0-9_-]{1,32}", fullmatch=True),
    )
    def test_round_trip_any_bytes_and_ids(
        self, make_vault: VaultFactory, plaintext: bytes, owner: str, record: str, key_id: str
    ) -> None:
        vault = make_vault({key_id: K1})
        sealed = vault.seal(plaintext, owner_id=owner, record_id=record)
        stored = msgspec.json.decode(msgspec.json.encode(sealed), type=SealedSecret)
        assert vault.open(stored, owner_id=owner, record_id=record) == plaintext

    def test_each_seal_uses_a_fresh_nonce_and_ciphertext(self, make_vault: VaultFactory) -> None:
        vault = make_vault({"k1": K1})
        seals = [vault.seal(SENTINEL, owner_id="u", record_id="r") for _ in range(64)]
        assert {len(sealed.nonce) for sealed in seals} == {12}
        assert len({sealed.nonce for sealed in seals}) == 64
        assert len({sealed.ciphertext for sealed in seals}) == 64
        assert all(SENTINEL not in sealed.ciphertext for sealed in seals)

    @pytest.mark.parametrize(
        ("owner", "record"),
        [("user_2", "cred_1"), ("user_1", "cred_2"), ("cred_1", "user_1"), ("user_1c", "red_1")],
    )
    def test_a_copied_secret_fails_under_another_binding(
        self, make_vault: VaultFactory, owner: str, record: str
    ) -> None:
        vault = make_vault({"k1": K1})
        sealed = vault.seal(SENTINEL, owner_id="user_1", record_id="cred_1")
        assert_unavailable(vault, sealed, owner, record)

    def test_field_boundaries_are_unambiguous(self, make_vault: VaultFactory) -> None:
        vault = make_vault({"k1": K1})
        sealed = vault.seal(SENTINEL, owner_id="a|b", record_id="c")
        assert_unavailable(vault, sealed, "a", "b|c")
        assert_unavailable(vault, sealed, "a|b|c", "")

    def test_flipping_any_byte_of_nonce_or_ciphertext_fails(self, make_vault: VaultFactory) -> None:
        vault = make_vault({"k1": K1})
        sealed = vault.seal(SENTINEL, owner_id="u", record_id="r")
        for index in range(len(sealed.nonce)):
            tampered = msgspec.structs.replace(sealed, nonce=with_byte_flipped(sealed.nonce, index))
            assert_unavailable(vault, tampered, "u", "r")
        for index in range(len(sealed.ciphertext)):
            body = with_byte_flipped(sealed.ciphertext, index)
            assert_unavailable(vault, msgspec.structs.replace(sealed, ciphertext=body), "u", "r")

    @pytest.mark.parametrize(
        "change",
        [{"ciphertext": b""}, {"nonce": b""}, {"nonce": bytes(16)}, {"key_id": "k2"}],
        ids=["no-ciphertext", "no-nonce", "long-nonce", "relabelled-key"],
    )
    def test_malformed_or_relabelled_secrets_fail(
        self, make_vault: VaultFactory, change: dict[str, object]
    ) -> None:
        vault = make_vault({"k1": K1, "k2": K2})
        sealed = vault.seal(SENTINEL, owner_id="u", record_id="r")
        truncated = msgspec.structs.replace(sealed, ciphertext=sealed.ciphertext[:-1])
        assert_unavailable(vault, truncated, "u", "r")
        assert_unavailable(vault, msgspec.structs.replace(sealed, **change), "u", "r")

    def test_unknown_key_id_fails(self, make_vault: VaultFactory) -> None:
        sealed = make_vault({"k1": K1}).seal(SENTINEL, owner_id="u", record_id="r")
        assert_unavailable(make_vault({"k2": K2}), sealed, "u", "r")
        assert_unavailable(make_vault({"k1": K2}), sealed, "u", "r")

    def test_rotation_moves_secrets_to_the_active_key(self, make_vault: VaultFactory) -> None:
        old = make_vault({"k1": K1}).seal(SENTINEL, owner_id="u", record_id="r")
        rotating = make_vault({"k2": K2, "k1": K1})
        assert rotating.active_key_id == "k2" and rotating.needs_rotation(old)
        assert rotating.open(old, owner_id="u", record_id="r") == SENTINEL
        rotated = rotating.rotate(old, owner_id="u", record_id="r")
        assert rotated is not None and rotated.key_id == "k2"
        assert not rotating.needs_rotation(rotated)
        assert rotating.rotate(rotated, owner_id="u", record_id="r") is None
        only_new = make_vault({"k2": K2})
        assert only_new.open(rotated, owner_id="u", record_id="r") == SENTINEL
        assert_unavailable(only_new, old, "u", "r")

    def test_rotating_an_unopenable_secret_fails(self, make_vault: VaultFactory) -> None:
        old = make_vault({"k1": K1}).seal(SENTINEL, owner_id="u", record_id="r")
        with pytest.raises(SecretUnavailable) as caught:
            make_vault({"k2": K2, "k1": K1}).rotate(old, owner_id="other", record_id="r")
        assert_leaks_nothing(caught.value)

    @pytest.mark.parametrize(
        "keys",
        [{}, {"k1": K1[:31]}, {"k1": K1 + b"x"}, {"bad kid": K1}, {"k" * 33: K1}],
        ids=["empty", "short-key", "long-key", "kid-chars", "kid-length"],
    )
    def test_a_bad_keyring_is_refused(
        self, make_vault: VaultFactory, keys: Mapping[str, bytes]
    ) -> None:
        with pytest.raises(ValueError) as caught:
            make_vault(keys)
        assert_leaks_nothing(caught.value)

    def test_repr_names_key_ids_only(self, make_vault: VaultFactory) -> None:
        vault = make_vault({"k2": K2, "k1": K1})
        assert "k2" in repr(vault)
        assert_leaks_nothing(Exception(repr(vault)))


ENTRY_1 = f"k1:{base64.b64encode(K1).decode()}"
ENTRY_2 = f"k2:{base64.b64encode(K2).decode()}"


def test_parse_keyring_keeps_order_active_first() -> None:
    assert list(parse_keyring(f" {ENTRY_2} , {ENTRY_1} ").items()) == [("k2", K2), ("k1", K1)]
    urlsafe = base64.urlsafe_b64encode(K1).decode().rstrip("=")
    assert parse_keyring(f"k_1-a:{urlsafe}") == {"k_1-a": K1}


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("", "empty"),
        ("  ", "empty"),
        (base64.b64encode(K1).decode(), "no ':'"),
        (f"{ENTRY_1},", "entry 2 has no ':'"),
        (f"{base64.b64encode(K1).decode()}:k1", "malformed key id"),
        (f"k/1:{base64.b64encode(K1).decode()}", "malformed key id"),
        (f":{base64.b64encode(K1).decode()}", "malformed key id"),
        (f"{'k' * 33}:{base64.b64encode(K1).decode()}", "malformed key id"),
        (f"{ENTRY_1},k1:{base64.b64encode(K2).decode()}", "repeats key id 'k1'"),
        (f"k1:{base64.b64encode(K1).decode()[:-2]}!!", "not valid base64"),
        (f"k1:{base64.b64encode(K1[:16]).decode()}", "decodes to 16 bytes"),
        (f"k1:{base64.b64encode(K1 + K2).decode()}", "decodes to 64 bytes"),
    ],
)
def test_parse_keyring_errors_are_clear_and_never_echo_keys(text: str, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint) as caught:
        parse_keyring(text)
    assert_leaks_nothing(caught.value)
    for fragment in (base64.b64encode(K1).decode()[:12], base64.b64encode(K2).decode()[:12]):
        assert fragment not in str(caught.value)


def test_generated_entries_parse_to_fresh_32_byte_keys() -> None:
    first, second = parse_keyring(generate_key_entry("v2")), parse_keyring(generate_key_entry("v2"))
    assert len(first["v2"]) == 32 and first != second
    with pytest.raises(ValueError, match="malformed"):
        generate_key_entry("no spaces")


def test_local_keyring_is_stable_private_and_agreed_under_races(tmp_path: Path) -> None:
    directory = tmp_path / "data"
    with ThreadPoolExecutor(max_workers=8) as pool:
        texts = set(pool.map(lambda _: load_or_create_local_keyring(directory), range(16)))
    assert len(texts) == 1
    (text,) = texts
    assert load_or_create_local_keyring(directory) == text
    assert [len(key) for key in parse_keyring(text).values()] == [32]
    (stored,) = directory.iterdir()  # no temporary files left behind
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
