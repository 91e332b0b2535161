"""POST /api/servers/{serverId}/test: run a tool as an MCP client would (API.md §4)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath

from application.usecases.test_tool_call import TestToolCall
from domain.errors import FieldProblem
from domain.users import User
from entrypoints.http.dependencies import current_user, parse_id, use_case
from entrypoints.http.envelope import Envelope
from entrypoints.http.openapi_docs import api_operation
from entrypoints.http.request_ids import request_id_of
from entrypoints.http.strict_body import decode_strict

__all__ = ["ToolTestController"]


class TestCallBody(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """Which tool to run and its arguments (`input` is accepted as an alias)."""

    __test__ = False

    tool_name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    arguments: dict[str, Any] | None = None
    input: dict[str, Any] | None = None

    @staticmethod
    def check_fields(fields: dict[str, Any]) -> list[FieldProblem]:
        if fields.get("arguments") is not None and fields.get("input") is not None:
            return [FieldProblem(("input",), "give arguments or input, not both")]
        return []


class TimingView(msgspec.Struct, frozen=True, rename="camel"):
    """Where the time went, in milliseconds."""

    total_ms: float
    upstream_ms: float


class RequestView(msgspec.Struct, frozen=True):
    """The upstream request as sent, without any secret."""

    method: str
    url: str


class TestCallView(msgspec.Struct, frozen=True, rename="camel"):
    """The upstream's answer and timing."""

    __test__ = False

    tool_name: str
    is_error: bool
    status: int
    body: Any
    truncated: bool
    duration_ms: float
    timing: TimingView
    request: RequestView


class ToolTestController(Controller):
    """The test route."""

    path = "/api/servers/{server_id:str}/test"
    tags = ["tools"]
    dependencies = {
        "user": Provide(current_user, sync_to_thread=False),
        "test_tool_call": use_case("test_tool_call"),
    }

    @post(
        "/",
        status_code=200,
        summary="Run a tool as an MCP tools/call would",
        operation_class=api_operation(TestCallBody, (400, 401, 404, 429, 500, 502)),
    )
    async def run(
        self,
        request: Request[Any, Any, Any],
        server_id: FromPath[str],
        user: NamedDependency[User],
        test_tool_call: NamedDependency[TestToolCall],
    ) -> Envelope[TestCallView]:
        sid = parse_id(server_id, "serverId")
        body = decode_strict(TestCallBody, await request.body())
        arguments = body.arguments if body.arguments is not None else body.input
        outcome = await test_tool_call(
            user.id, sid, body.tool_name, arguments or {}, request_id_of(request.scope)
        )
        return Envelope(
            TestCallView(
                tool_name=outcome.tool_name,
                is_error=outcome.is_error,
                status=outcome.status,
                body=outcome.body,
                truncated=outcome.truncated,
                duration_ms=outcome.duration_ms,
                timing=TimingView(outcome.duration_ms, outcome.upstream_ms),
                request=RequestView(outcome.request_method, outcome.request_url),
            )
        )
