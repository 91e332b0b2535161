"""GET /api/servers/{serverId}/logs: a server's request logs, newest first (API.md §6)."""

from __future__ import annotations

from typing import Annotated

from litestar import get
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, QueryParameter

from application.usecases.list_logs import ListLogs
from domain.users import User
from entrypoints.http.dependencies import current_user, parse_id, use_case
from entrypoints.http.envelope import CursorEnvelope, CursorMeta
from entrypoints.http.log_views import LogView, log_filter, log_view
from entrypoints.http.openapi_docs import api_operation

__all__ = ["server_logs"]


@get(
    "/api/servers/{server_id:str}/logs",
    tags=["logs"],
    summary="The server's request logs, newest first (keyset cursor)",
    operation_class=api_operation(limit_max=200),
    dependencies={
        "user": Provide(current_user, sync_to_thread=False),
        "list_logs": use_case("list_logs"),
    },
)
async def server_logs(
    server_id: FromPath[str],
    user: NamedDependency[User],
    list_logs: NamedDependency[ListLogs],
    cursor: Annotated[str | None, QueryParameter(name="cursor")] = None,
    limit: Annotated[int, QueryParameter(name="limit")] = 50,
    method: Annotated[str | None, QueryParameter(name="method")] = None,
    status_code: Annotated[int | None, QueryParameter(name="statusCode")] = None,
    since: Annotated[str | None, QueryParameter(name="from")] = None,
    until: Annotated[str | None, QueryParameter(name="to")] = None,
    tool_name: Annotated[str | None, QueryParameter(name="toolName")] = None,
) -> CursorEnvelope[LogView]:
    sid = parse_id(server_id, "serverId")
    where = log_filter(method, status_code, since, until, tool_name)
    page = await list_logs(user.id, sid, where, cursor, limit)
    return CursorEnvelope(
        data=[log_view(row) for row in page.items],
        meta=CursorMeta(cursor=page.cursor, limit=page.limit, has_more=page.has_more),
    )
