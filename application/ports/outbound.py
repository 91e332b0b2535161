"""BaseUrlPolicy: would the outbound guard let a call to this URL through?"""

from __future__ import annotations

from typing import Protocol

__all__ = ["BaseUrlPolicy"]


class BaseUrlPolicy(Protocol):
    """A write-time check of an upstream base URL (the guard checks again at call time).

    Raises:
        UpstreamUnavailable: reason `blocked_address` when the host is, or resolves to, an
            address the guard refuses. A host that does not resolve now is accepted.
    """

    async def check(self, url: str) -> None: ...
