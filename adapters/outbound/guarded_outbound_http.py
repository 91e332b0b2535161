"""GuardedOutboundHttp: the OutboundHttp port on the process's guarded client."""

from __future__ import annotations

from collections.abc import Collection

from adapters.outbound.guarded_client import GuardedHttpClient
from application.ports.outbound import UpstreamResponse
from domain.execution.upstream_request import UpstreamRequest

__all__ = ["GuardedOutboundHttp"]


class GuardedOutboundHttp:
    """Sends tool calls through the outbound guard; bodies over the limit are cut, not refused."""

    def __init__(self, client: GuardedHttpClient) -> None:
        self._client = client

    async def send(
        self,
        request: UpstreamRequest,
        *,
        secret_headers: Collection[str] = (),
        secret_query_params: Collection[str] = (),
        body_limit: int,
    ) -> UpstreamResponse:
        headers: dict[str, str] = {}
        for name, value in request.headers:
            # Repeated names are joined as RFC 9110 allows for list-valued fields.
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        if request.content_type and request.body is not None:
            headers["Content-Type"] = request.content_type
        answer = await self._client.request(
            request.method,
            request.url,
            headers=headers,
            content=request.body,
            secret_headers=secret_headers,
            secret_query_params=secret_query_params,
            body_limit=body_limit,
            over_limit="truncate",
        )
        return UpstreamResponse(
            status=answer.status,
            headers=tuple(answer.headers),
            content=answer.content,
            truncated=answer.truncated,
            elapsed_ms=answer.elapsed_ms,
        )
