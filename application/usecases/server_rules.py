"""Rules shared by creating and updating servers: auth config, base URL, plan limit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from application.ports.outbound import BaseUrlPolicy
from application.ports.unit_of_work import UnitOfWork
from domain.errors import FieldProblem, InvalidRequest, PlanLimitReached, UpstreamUnavailable
from domain.metering.plans import plan_named
from domain.openapi.servers import security_defaults
from domain.users import User

__all__ = ["check_base_url", "ensure_active_server_allowed", "normalised_auth_config"]

_API_KEY_PLACES = ("header", "query", "cookie")


def normalised_auth_config(
    mode: str, given: Mapping[str, Any] | None, document: Mapping[str, Any]
) -> dict[str, Any]:
    """The auth config for `mode`, defaulted from the spec's security schemes.

    Raises:
        InvalidRequest: a config that does not fit the mode.
    """
    if mode == "api_key":
        config = (
            dict(given)
            if given
            else dict(security_defaults(document) or {"in": "header", "name": "X-API-Key"})
        )
        problems = []
        if set(config) - {"in", "name"}:
            problems.append(FieldProblem(("authConfig",), "api_key takes only `in` and `name`"))
        if config.get("in") not in _API_KEY_PLACES:
            problems.append(FieldProblem(("authConfig", "in"), "must be header, query or cookie"))
        name = config.get("name")
        if not isinstance(name, str) or not 1 <= len(name.strip()) <= 200:
            problems.append(FieldProblem(("authConfig", "name"), "must be 1..200 characters"))
        if problems:
            raise InvalidRequest("Invalid authConfig for api_key.", problems)
        return {"in": config["in"], "name": str(config["name"]).strip()}
    if mode == "oauth2_client_creds":
        config = dict(given or {})
        problems = []
        if set(config) - {"tokenUrl", "scopes"}:
            problems.append(FieldProblem(("authConfig",), "takes only `tokenUrl` and `scopes`"))
        token_url = config.get("tokenUrl")
        if token_url is not None and (
            not isinstance(token_url, str) or not token_url.startswith("https://")
        ):
            problems.append(FieldProblem(("authConfig", "tokenUrl"), "must be an https URL"))
        scopes = config.get("scopes")
        if scopes is not None and (
            not isinstance(scopes, list)
            or len(scopes) > 50
            or not all(isinstance(s, str) and 0 < len(s) <= 200 for s in scopes)
        ):
            problems.append(
                FieldProblem(("authConfig", "scopes"), "at most 50 strings of 1..200 characters")
            )
        if problems:
            raise InvalidRequest("Invalid authConfig for oauth2_client_creds.", problems)
        return config
    if given:
        raise InvalidRequest(
            f"authMode {mode} takes no authConfig.",
            [FieldProblem(("authConfig",), f"not used with authMode {mode}")],
        )
    return {}


async def check_base_url(policy: BaseUrlPolicy, url: str) -> None:
    """A base URL the outbound guard would refuse is a 400 at write time (API.md §3)."""
    try:
        await policy.check(url)
    except UpstreamUnavailable as exc:
        raise InvalidRequest(
            "The base URL points at an address specmcp may not call.",
            [FieldProblem(("baseUrl",), exc.message)],
        ) from None


async def ensure_active_server_allowed(uow: UnitOfWork, user: User, *, adding: int = 1) -> None:
    """Refuse one more active server past the plan's limit."""
    plan = plan_named(user.plan)
    if plan.active_servers is None:
        return
    current = await uow.servers.count_active(user.id)
    if current + adding > plan.active_servers:
        raise PlanLimitReached(
            resource="active servers", limit=plan.active_servers, current=current, plan=plan.id
        )
