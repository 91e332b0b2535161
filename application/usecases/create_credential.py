"""CreateCredential: seal an upstream secret for one of the user's servers."""

from __future__ import annotations

from application.ports.clock import Clock, IdGenerator
from application.ports.unit_of_work import UnitOfWorkFactory
from application.ports.vault import SecretVault
from application.usecases.credential_rules import (
    CreateCredentialCommand,
    credential_problems,
    expiry_problems,
)
from domain.credentials import Credential
from domain.errors import InvalidRequest, NotFound

__all__ = ["CreateCredential"]


class CreateCredential:
    """Checks the type's rules, seals the secret bound to its owner and record, stores it."""

    def __init__(
        self, uow: UnitOfWorkFactory, vault: SecretVault, clock: Clock, ids: IdGenerator
    ) -> None:
        self._uow = uow
        self._vault = vault
        self._clock = clock
        self._ids = ids

    async def __call__(
        self, owner_id: str, server_id: str, command: CreateCredentialCommand
    ) -> Credential:
        """The stored credential (sealed).

        Raises:
            InvalidRequest: a field breaks the rules of the credential's type.
            NotFound: the user has no such server.
        """
        now = self._clock.now()
        problems = credential_problems(
            command.auth_type,
            plaintext_key=command.plaintext_key,
            client_id=command.client_id,
            client_secret=command.client_secret,
            token_endpoint=command.token_endpoint,
            scopes_given=bool(command.scopes),
        ) + expiry_problems(command.expires_at, now)
        if problems:
            raise InvalidRequest("The credential is invalid.", problems)
        credential_id = self._ids.new_id()
        sealed = self._vault.seal(
            command.secret.encode("utf-8"), owner_id=owner_id, record_id=credential_id
        )
        oauth2 = command.auth_type == "oauth2_client_creds"
        credential = Credential(
            id=credential_id,
            server_id=server_id,
            owner_id=owner_id,
            label=command.label,
            auth_type=command.auth_type,
            key_id=sealed.key_id,
            nonce=sealed.nonce,
            ciphertext=sealed.ciphertext,
            expires_at=command.expires_at,
            scopes=command.scopes if oauth2 else (),
            token_endpoint=command.token_endpoint if oauth2 else None,
            client_id=command.client_id if oauth2 else None,
            created_at=now,
            updated_at=now,
        )
        async with self._uow() as uow:
            if await uow.servers.get(owner_id, server_id) is None:
                raise NotFound("Server")
            await uow.credentials.add(credential)
            # Tool calls cache a server's credentials by its revision: this makes them reload.
            await uow.servers.touch(server_id)
            await uow.commit()
        return credential
