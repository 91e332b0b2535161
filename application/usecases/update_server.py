"""UpdateServer: partial update; turning a server active re-checks the plan limit."""

from __future__ import annotations

from typing import Any

import msgspec

from application.ports.clock import Clock
from application.ports.outbound import BaseUrlPolicy
from application.ports.unit_of_work import UnitOfWorkFactory
from application.usecases.read_servers import ServerSummary, summarise
from application.usecases.server_commands import UpdateServerCommand
from application.usecases.server_rules import (
    check_base_url,
    ensure_active_server_allowed,
    normalised_auth_config,
)
from domain.errors import NotFound
from domain.users import User

__all__ = ["UpdateServer"]


class UpdateServer:
    """Changes name, slug, auth, base URL, rate limit or activity of one of the user's servers."""

    def __init__(self, uow: UnitOfWorkFactory, url_policy: BaseUrlPolicy, clock: Clock) -> None:
        self._uow = uow
        self._url_policy = url_policy
        self._clock = clock

    async def __call__(
        self, user: User, server_id: str, command: UpdateServerCommand
    ) -> ServerSummary:
        changes: dict[str, Any] = {
            name: value
            for name in ("name", "slug", "base_url", "rate_limit_per_minute", "is_active")
            if not isinstance(value := getattr(command, name), msgspec.UnsetType)
        }
        if "base_url" in changes:
            await check_base_url(self._url_policy, changes["base_url"])
        async with self._uow() as uow:
            current_user = await uow.users.lock(user.id) or user
            server = await uow.servers.get(user.id, server_id)
            if server is None:
                raise NotFound("Server")
            mode_given = not isinstance(command.auth_mode, msgspec.UnsetType)
            config_given = not isinstance(command.auth_config, msgspec.UnsetType)
            if mode_given or config_given:
                mode = command.auth_mode if mode_given else server.auth_mode
                assert isinstance(mode, str)
                spec = await uow.specs.get(user.id, server.spec_id)
                document = spec.raw_spec if spec else {}
                given = (
                    command.auth_config
                    if config_given
                    else (
                        server.auth_config if not mode_given or mode == server.auth_mode else None
                    )
                )
                assert not isinstance(given, msgspec.UnsetType)
                changes["auth_mode"] = mode
                changes["auth_config"] = normalised_auth_config(mode, given, document)
            if changes.get("is_active") is True and not server.is_active:
                await ensure_active_server_allowed(uow, current_user)
            updated = msgspec.structs.replace(server, **changes, updated_at=self._clock.now())
            await uow.servers.update(updated)
            summary = await summarise(uow, updated)
            await uow.commit()
        return summary
