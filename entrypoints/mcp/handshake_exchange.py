"""One stateless handshake-era POST (2025 revisions) answered as one exchange with the SDK.

In stateless mode the SDK serves a handshake-era request by building, per POST, a transport
with memory streams, a JSON-RPC dispatcher and a task that runs a whole connection loop for one
message: about 0.5 ms of CPU per request (840 against 330 us for a `tools/call` measured in
one process without HTTP), as much as the rest of a call. The SDK's single-exchange driver
(`serve_one`, which it uses for the 2026-07-28 revision) with a born-ready connection of the
header's version, which is also what that loop builds, gives the same answer: so a plain
request (JSON body, one JSON-RPC request other than `initialize`, a known handshake version,
JSON accepted) is run through `serve_one` here and written as the SDK's transport writes it:
the same JSON-RPC reply, the same error mapping, status 200, `application/json`. Anything else
(initialize, notifications, batches, malformed bodies, other media types) is left to the SDK's
own path, which owns those answers.
"""

from __future__ import annotations

import logging
from typing import Any

import pydantic_core
from mcp.server.connection import Connection
from mcp.server.lowlevel import Server
from mcp.server.streamable_http import check_accept_headers
from mcp.shared.jsonrpc_dispatcher import (
    handler_exception_to_error_data,
    progress_token_from_params,
)
from mcp.shared.message import ServerMessageMetadata
from mcp.shared.transport_context import TransportContext
from mcp_types import ErrorData, JSONRPCRequest, jsonrpc_message_adapter
from pydantic import ValidationError
from starlette.requests import Request

from entrypoints.mcp.http_replies import send_json
from entrypoints.mcp.single_exchange import Exchange, reply_to

__all__ = ["HandshakeExchange"]

log = logging.getLogger("specmcp.mcp")


def _plain_request(body: bytes) -> JSONRPCRequest | None:
    """The body's one JSON-RPC request, or None when the SDK's path must answer it."""
    try:
        message = jsonrpc_message_adapter.validate_python(
            pydantic_core.from_json(body), by_name=False
        )
    except (ValueError, ValidationError, RecursionError):
        return None
    if not isinstance(message, JSONRPCRequest) or message.method == "initialize":
        return None
    return message


def _error_data(exc: Exception, method: str) -> ErrorData:
    # The handshake dispatcher's mapping: MCPError and ValidationError as they say, anything
    # else code 0 with its text (our handlers turn every other failure into an MCPError).
    error = handler_exception_to_error_data(exc)
    if error is None:
        log.error("handler for %r raised", method, exc_info=exc)
        error = ErrorData(code=0, message=str(exc))
    return error


class HandshakeExchange:
    """Answers plain handshake-era POSTs with `serve_one`; `serve` says whether it did."""

    def __init__(self, server: Server[Any], lifespan_state: Any) -> None:
        self._server = server
        self._lifespan_state = lifespan_state

    async def serve(self, scope: Any, version: str, body: bytes, receive: Any, send: Any) -> bool:
        """Answer the POST of handshake revision `version` whose body is `body`, or return
        False (nothing sent)."""
        request = Request(scope, receive)
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return False
        if not check_accept_headers(request)[0]:
            return False
        message = _plain_request(body)
        if message is None:
            return False
        exchange = Exchange(
            transport=TransportContext(kind="streamable-http", can_send_request=False),
            request_id=message.id,
            message_metadata=ServerMessageMetadata(request_context=request, can_send_request=False),
            progress_token=progress_token_from_params(message.params),
        )
        connection = Connection.from_envelope(version, None, None)
        reply = await reply_to(
            message,
            exchange,
            connection,
            self._server,
            self._lifespan_state,
            lambda exc: _error_data(exc, message.method),
        )
        # As the SDK's transport writes it (status 200 for errors too in this era).
        await send_json(
            send, 200, reply.model_dump_json(by_alias=True, exclude_unset=True).encode()
        )
        return True
