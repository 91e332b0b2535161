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
from mcp.server.runner import ServerRunner, aclose_shielded
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
    can_send_request: bool = field(default=False, init=False)
    _cancel: anyio.Event | None = field(default=None, init=False, repr=False)

    @property
    def cancel_requested(self) -> anyio.Event:
        """Never set (a POST has no cancellation channel); made when first asked for: an
        anyio Event looks its backend up on creation (~5 us per request otherwise)."""
        if self._cancel is None:
            self._cancel = anyio.Event()
        return self._cancel

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
        result = await _serve_one(server, exchange, message, connection, lifespan_state)
    except Exception as exc:
        return JSONRPCError(jsonrpc="2.0", id=message.id, error=error_data(exc))
    return JSONRPCResponse(jsonrpc="2.0", id=message.id, result=result)


async def _serve_one(
    server: Server[Any],
    exchange: Exchange,
    message: JSONRPCRequest,
    connection: Connection,
    lifespan_state: Any,
) -> dict[str, Any]:
    """The SDK's `serve_one`, without unwinding an exit stack nothing was pushed onto: the
    shielded, time-bounded unwind (an anyio cancel scope) cost ~20 us per request for none."""
    runner = ServerRunner(server, connection, lifespan_state)
    try:
        return await runner.on_request(exchange, message.method, message.params)
    finally:
        # CPython's stack keeps its callbacks in `_exit_callbacks`; unknown: always unwind.
        if getattr(connection.exit_stack, "_exit_callbacks", True):
            await aclose_shielded(connection)
