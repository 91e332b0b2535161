"""What the single-exchange answers of MCP POSTs share: the dispatch context and the reply.

`HandshakeExchange` and `ModernExchange` run one JSON-RPC request through the SDK's
single-exchange driver (`serve_one`) with a born-ready connection, as the SDK's own modern
entry does, and write the one JSON reply.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import anyio
from mcp.server.connection import Connection
from mcp.server.lowlevel import Server
from mcp.server.runner import serve_one
from mcp.shared.dispatcher import CallOptions
from mcp.shared.exceptions import NoBackChannelError
from mcp.shared.message import ServerMessageMetadata
from mcp.shared.transport_context import TransportContext
from mcp_types import (
    ErrorData,
    JSONRPCError,
    JSONRPCRequest,
    JSONRPCResponse,
    ProgressToken,
    RequestId,
)

__all__ = ["Exchange", "reply_to"]


@dataclass
class Exchange:
    """The `DispatchContext` of one POST: no back-channel (stateless), notifications dropped.

    In JSON-response mode a POST's answer is its reply alone: progress and other notifications
    have no wire, and server-initiated requests are refused.
    """

    transport: TransportContext
    request_id: RequestId
    message_metadata: ServerMessageMetadata
    progress_token: ProgressToken | None = None
    cancel_requested: anyio.Event = field(default_factory=anyio.Event)
    can_send_request: bool = field(default=False, init=False)

    async def send_raw_request(
        self, method: str, params: Mapping[str, Any] | None, opts: CallOptions | None = None
    ) -> dict[str, Any]:
        raise NoBackChannelError(method)

    async def notify(
        self, method: str, params: Mapping[str, Any] | None, opts: CallOptions | None = None
    ) -> None:
        return None

    async def progress(
        self, progress: float, total: float | None = None, message: str | None = None
    ) -> None:
        return None


async def reply_to(
    message: JSONRPCRequest,
    exchange: Exchange,
    connection: Connection,
    server: Server[Any],
    lifespan_state: Any,
    error_data: Callable[[Exception], ErrorData],
) -> JSONRPCResponse | JSONRPCError:
    """The JSON-RPC reply to `message`: its result, or what `error_data` makes of the failure
    (each era maps handler failures its own way)."""
    try:
        result = await serve_one(
            server,
            exchange,
            message.method,
            message.params,
            connection=connection,
            lifespan_state=lifespan_state,
        )
    except Exception as exc:
        return JSONRPCError(jsonrpc="2.0", id=message.id, error=error_data(exc))
    return JSONRPCResponse(jsonrpc="2.0", id=message.id, result=result)
