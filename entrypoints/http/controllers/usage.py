"""GET /api/usage: this period's usage, bill and per-server figures (API.md §7)."""

from __future__ import annotations

from litestar import get
from litestar.di import NamedDependency, Provide

from application.usecases.usage_report import GetUsage
from domain.users import User
from entrypoints.http.billing_views import UsageView, usage_view
from entrypoints.http.dependencies import current_user, use_case
from entrypoints.http.envelope import Envelope
from entrypoints.http.openapi_docs import api_operation

__all__ = ["usage"]


@get(
    "/api/usage",
    tags=["billing"],
    summary="This period's usage and bill",
    operation_class=api_operation(),
    dependencies={
        "user": Provide(current_user, sync_to_thread=False),
        "get_usage": use_case("get_usage"),
    },
)
async def usage(
    user: NamedDependency[User], get_usage: NamedDependency[GetUsage]
) -> Envelope[UsageView]:
    return Envelope(usage_view(await get_usage(user.id)))
