"""The domain error family. Entrypoints map each class to the contract's error codes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

__all__ = [
    "AuthenticationFailed",
    "Conflict",
    "DomainError",
    "FieldProblem",
    "Forbidden",
    "InvalidRequest",
    "InvalidSpecDocument",
    "NotFound",
    "PlanLimitReached",
    "RateLimited",
    "SecretUnavailable",
    "UpstreamUnavailable",
    "WebhookRejected",
]


class FieldProblem(msgspec.Struct, frozen=True):
    """One offending field: where it is (path of keys and indexes) and what is wrong."""

    path: tuple[str | int, ...]
    message: str


class DomainError(Exception):
    """Base of every error the use cases raise on purpose."""

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidRequest(DomainError):
    """Input that breaks a rule; `problems` names every offending field."""

    def __init__(
        self,
        message: str,
        problems: Sequence[FieldProblem] = (),
        *,
        reason: str | None = None,
    ) -> None:
        super().__init__(message)
        self.problems = tuple(problems)
        self.reason = reason


class InvalidSpecDocument(InvalidRequest):
    """A spec document that cannot be used: the problems say what and where."""


class AuthenticationFailed(DomainError):
    """Missing, malformed, expired or otherwise invalid credentials, or a deleted user."""


class Forbidden(DomainError):
    """Authenticated but not allowed."""


class PlanLimitReached(Forbidden):
    """The plan's limit for a resource is reached."""

    def __init__(self, *, resource: str, limit: int, current: int, plan: str) -> None:
        super().__init__(
            f"The {plan} plan allows {limit} {resource}; you have {current}.",
            details={"reason": "plan_limit", "limit": limit, "current": current, "plan": plan},
        )


class NotFound(DomainError):
    """No such resource for this user (another user's resource looks exactly the same)."""

    def __init__(self, kind: str) -> None:
        super().__init__(f"{kind} not found.")
        self.kind = kind


class Conflict(DomainError):
    """A resource with that identity already exists."""


class RateLimited(DomainError):
    """Too many requests, or a metered call refused by quota or budget cap."""

    def __init__(self, message: str, *, reason: str, retry_after_seconds: int, **figures: Any):
        super().__init__(message, details={"reason": reason, **figures})
        self.reason = reason
        self.retry_after_seconds = max(1, int(retry_after_seconds))


class UpstreamUnavailable(DomainError):
    """An outside service could not be reached or answered unusably."""

    REASONS = frozenset(
        {"timeout", "connect", "dns", "blocked_address", "too_large", "bad_response"}
    )

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message, details={"reason": reason})
        self.reason = reason


class SecretUnavailable(DomainError):
    """A stored secret cannot be opened (unknown key id, tampering, wrong binding)."""


class WebhookRejected(DomainError):
    """A webhook delivery that is not provably from the provider (signature, time, format)."""
