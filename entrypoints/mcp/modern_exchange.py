"""A plain 2026-07-28 POST answered as one exchange, without the SDK entry's per-request setup.

The SDK's modern entry (`handle_modern_request`) builds a transport-security middleware (a
pydantic settings model), a Starlette response and a JSON-RPC reply model per request, which
in the served process cost about as much CPU as the SDK's own dispatch of the call. This runs
the same ladder with the SDK's own functions (envelope and routing-header classification,
`Mcp-Param-*` header validation against `get_tool_input_schema`), the same `serve_one`
dispatch and error mapping (`modern_error_data`, statuses from `ERROR_CODE_HTTP_STATUS`), and
writes the same JSON reply. It only takes requests that pass every rung: anything the SDK
would refuse or answer otherwise (a notification, a batch, malformed JSON, a rejected rung,
`subscriptions/listen`, no JSON accepted, another media type) is left to the SDK's entry,
which owns those answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mcp.server.connection import Connection
from mcp.server.lowlevel import Server
from mcp.server.runner import modern_error_data
from mcp.server.streamable_http import check_accept_headers
from mcp.shared.inbound import (
    ERROR_CODE_HTTP_STATUS,
    MCP_PARAM_HEADER_PREFIX,
    InboundModernRoute,
    classify_inbound_request,
    find_duplicated_routing_header,
    validate_mcp_param_headers,
)
from mcp.shared.jsonrpc_dispatcher import progress_token_from_params
from mcp.shared.message import ServerMessageMetadata
from mcp.shared.transport_context import TransportContext
from mcp_types import JSONRPCError, JSONRPCRequest
from pydantic import ValidationError
from starlette.datastructures import Headers
from starlette.requests import Request

from entrypoints.mcp.http_replies import send_json
from entrypoints.mcp.single_exchange import Exchange, reply_to

__all__ = ["ModernExchange"]

_PARAM_PREFIX = MCP_PARAM_HEADER_PREFIX.lower()


def _request(decoded: Any) -> tuple[dict[str, Any], JSONRPCRequest] | None:
    """The body's one JSON-RPC request (with an id), validated, or None when the SDK must
    answer (also for a body that is not JSON)."""
    if not isinstance(decoded, dict) or "id" not in decoded:
        return None
    try:
        return decoded, JSONRPCRequest.model_validate(decoded)
    except ValidationError:
        return None


def _first_values(headers: Headers) -> dict[str, str]:
    """`dict(headers)` (each name's first value) in one pass: `dict()` of Starlette headers
    looks every name up again in the whole list."""
    values: dict[str, str] = {}
    for name, value in headers.items():
        values.setdefault(name, value)
    return values


def _params_accepted(server: Server[Any], message: JSONRPCRequest, headers: Headers) -> bool:
    """Whether the SDK's `Mcp-Param-*` check would pass (our server sets the schema lookup)."""
    if message.method != "tools/call":
        return True
    lookup = server.get_tool_input_schema
    if lookup is None:
        return False  # the SDK would look the schema up in a tools/list walk
    params = message.params or {}
    name = params.get("name")
    arguments = params.get("arguments")
    if not isinstance(name, str) or (arguments is not None and not isinstance(arguments, Mapping)):
        return True
    arguments = arguments or {}
    if not arguments and not any(header.startswith(_PARAM_PREFIX) for header in headers):
        return True
    try:
        schema = lookup(name)
    except Exception:
        return False  # the SDK logs it and skips the check: its path says so
    return schema is None or validate_mcp_param_headers(schema, arguments, headers) is None


class ModernExchange:
    """Answers plain 2026-07-28 POSTs with `serve_one`; `serve` says whether it did."""

    def __init__(self, server: Server[Any], lifespan_state: Any) -> None:
        self._server = server
        self._lifespan_state = lifespan_state

    async def serve(self, scope: Any, document: Any, receive: Any, send: Any) -> bool:
        """Answer the POST whose body decodes to `document` (`request_body.json_document`),
        or return False (nothing sent)."""
        request = Request(scope, receive)
        headers = request.headers
        if not headers.get("content-type", "").lower().startswith("application/json"):
            return False
        if not check_accept_headers(request)[0]:
            return False
        parsed = _request(document)
        if parsed is None or parsed[1].method == "subscriptions/listen":
            return False
        decoded, message = parsed
        if find_duplicated_routing_header(headers.items()) is not None:
            return False
        verdict = classify_inbound_request(decoded, headers=_first_values(headers))
        if not isinstance(verdict, InboundModernRoute):
            return False
        if not _params_accepted(self._server, message, headers):
            return False
        exchange = Exchange(
            transport=TransportContext(
                kind="streamable-http", can_send_request=False, headers=headers
            ),
            request_id=message.id,
            message_metadata=ServerMessageMetadata(request_context=request),
            progress_token=progress_token_from_params(message.params),
        )
        connection = Connection.from_envelope(
            verdict.protocol_version, verdict.client_info, verdict.client_capabilities
        )
        reply = await reply_to(
            message, exchange, connection, self._server, self._lifespan_state, modern_error_data
        )
        status = 200
        if isinstance(reply, JSONRPCError):
            status = ERROR_CODE_HTTP_STATUS.get(reply.error.code, 200)
        await send_json(
            send, status, reply.model_dump_json(by_alias=True, exclude_none=True).encode()
        )
        return True
