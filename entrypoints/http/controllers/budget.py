"""GET, PUT and POST /api/billing/budget: the cap on overage spending (API.md §7)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post, put
from litestar.di import NamedDependency, Provide

from application.usecases.budget_cap import GetBudgetCap, SetBudgetCap
from domain.users import User
from entrypoints.http.billing_views import (
    BudgetBody,
    BudgetView,
    budget_cap_from_body,
    budget_view,
)
from entrypoints.http.dependencies import current_user, use_case
from entrypoints.http.envelope import Envelope
from entrypoints.http.openapi_docs import api_operation

__all__ = ["BudgetController"]


class BudgetController(Controller):
    """The user's budget cap; null means no cap."""

    path = "/api/billing/budget"
    tags = ["billing"]
    dependencies = {
        "user": Provide(current_user, sync_to_thread=False),
        "get_budget_cap": use_case("get_budget_cap"),
        "set_budget_cap": use_case("set_budget_cap"),
    }

    @get("/", summary="The budget cap on overage", operation_class=api_operation())
    async def show(
        self, user: NamedDependency[User], get_budget_cap: NamedDependency[GetBudgetCap]
    ) -> Envelope[BudgetView]:
        return Envelope(budget_view(await get_budget_cap(user.id)))

    @put(
        "/",
        summary="Set or remove the budget cap (in force for the next call)",
        operation_class=api_operation(BudgetBody),
    )
    async def replace(
        self,
        request: Request[Any, Any, Any],
        user: NamedDependency[User],
        set_budget_cap: NamedDependency[SetBudgetCap],
    ) -> Envelope[BudgetView]:
        cap = budget_cap_from_body(await request.body())
        return Envelope(budget_view(await set_budget_cap(user.id, cap)))

    @post(
        "/",
        status_code=200,
        summary="Set or remove the budget cap (same as PUT)",
        operation_class=api_operation(BudgetBody),
    )
    async def create(
        self,
        request: Request[Any, Any, Any],
        user: NamedDependency[User],
        set_budget_cap: NamedDependency[SetBudgetCap],
    ) -> Envelope[BudgetView]:
        cap = budget_cap_from_body(await request.body())
        return Envelope(budget_view(await set_budget_cap(user.id, cap)))
