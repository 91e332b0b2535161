"""DocumentFetcher over the guarded client: spec documents from user-supplied URLs."""

from __future__ import annotations

from adapters.outbound.guarded_client import GuardedHttpClient
from application.ports.documents import FetchedDocument
from domain.errors import UpstreamUnavailable

__all__ = ["SPEC_BODY_LIMIT", "SPEC_FETCH_TIMEOUT", "GuardedDocumentFetcher"]

SPEC_BODY_LIMIT = 10 * 1024 * 1024
SPEC_FETCH_TIMEOUT = 15.0
_ACCEPT = (
    "application/json, application/yaml, application/x-yaml, text/yaml;q=0.9, "
    "text/plain;q=0.5, */*;q=0.1"
)


class GuardedDocumentFetcher:
    """Fetches a spec document: GET, JSON or YAML wanted, 10 MiB and 15 s at most (API.md §2).

    Args:
        client: the process's guarded client (not owned: not closed here).
        body_limit: the largest document accepted, in bytes.
        timeout: seconds for the whole fetch, redirects included.
    """

    def __init__(
        self,
        client: GuardedHttpClient,
        *,
        body_limit: int = SPEC_BODY_LIMIT,
        timeout: float = SPEC_FETCH_TIMEOUT,
    ) -> None:
        self._client = client
        self._body_limit = body_limit
        self._timeout = timeout

    async def fetch(self, url: str) -> FetchedDocument:
        """Fetch the document at `url`.

        Raises:
            UpstreamUnavailable: unreachable, refused address or scheme, larger than the limit,
                or a non-2xx answer (reason bad_response, naming the status).
        """
        response = await self._client.request(
            "GET",
            url,
            headers={"accept": _ACCEPT},
            body_limit=self._body_limit,
            over_limit="refuse",
            total_timeout=self._timeout,
        )
        if not 200 <= response.status < 300:
            raise UpstreamUnavailable(
                f"The spec URL answered {response.status}.", reason="bad_response"
            )
        return FetchedDocument(
            content=response.content,
            content_type=response.header("content-type"),
            url=response.url,
        )
