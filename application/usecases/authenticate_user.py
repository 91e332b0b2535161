"""AuthenticateUser: a bearer token in, the caller's account out (created on first sight)."""

from __future__ import annotations

from application.ports.clock import Clock
from application.ports.identity import IdentityVerifier
from application.ports.unit_of_work import UnitOfWorkFactory
from domain.errors import AuthenticationFailed
from domain.users import User

__all__ = ["AuthenticateUser"]


class AuthenticateUser:
    """Verifies the token and returns the user, creating a free account the first time."""

    def __init__(self, verifier: IdentityVerifier, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._verifier = verifier
        self._uow = uow
        self._clock = clock

    async def __call__(self, token: str | None) -> User:
        if not token:
            raise AuthenticationFailed("Missing bearer token.")
        identity = await self._verifier.verify(token)
        async with self._uow(read_only=True) as uow:
            user = await uow.users.get(identity.subject)
        if user is not None:
            return user
        async with self._uow() as uow:
            user = await uow.users.get(identity.subject)
            if user is not None:
                return user
            # A deleted account stays deleted, even for a session token that is still valid
            # (the deletion removed the row and left the tombstone in one transaction).
            if await uow.tombstones.contains(identity.subject):
                raise AuthenticationFailed("This account has been deleted.")
            now = self._clock.now()
            user = User(
                id=identity.subject,
                email=identity.email,
                name=identity.name,
                created_at=now,
                updated_at=now,
            )
            await uow.users.add(user)
            await uow.commit()
        # Another request may have created it first; the stored row wins.
        async with self._uow(read_only=True) as uow:
            stored = await uow.users.get(identity.subject)
        return stored or user
