"""GetSpec and ListSpecs: a user's own specs only."""

from __future__ import annotations

from application.ports.unit_of_work import UnitOfWorkFactory
from domain.errors import NotFound
from domain.pagination import Page, PageRequest
from domain.specs import Spec

__all__ = ["GetSpec", "ListSpecs"]


class GetSpec:
    """One spec with its document; another user's spec is not found."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, owner_id: str, spec_id: str) -> Spec:
        async with self._uow(read_only=True) as uow:
            spec = await uow.specs.get(owner_id, spec_id)
        if spec is None:
            raise NotFound("Spec")
        return spec


class ListSpecs:
    """A page of the user's specs, newest first, without documents."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, owner_id: str, page: PageRequest) -> Page[Spec]:
        async with self._uow(read_only=True) as uow:
            return await uow.specs.list(owner_id, page)
