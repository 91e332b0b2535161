"""UpdateSpec: rename, re-version, or replace the document and re-compile every server's tools."""

from __future__ import annotations

import msgspec

from application.ports.clock import Clock, IdGenerator
from application.ports.unit_of_work import UnitOfWorkFactory
from application.usecases.spec_commands import UpdateSpecCommand
from application.usecases.spec_compilation import SpecCompilation
from application.usecases.spec_documents import SpecDocumentLoader
from application.usecases.tool_sync import ToolChanges, plan_tool_sync
from domain.errors import FieldProblem, InvalidRequest, NotFound
from domain.specs import Spec

__all__ = ["SpecUpdated", "UpdateSpec"]


class SpecUpdated(msgspec.Struct, frozen=True):
    """The updated spec and what happened to the tools of its servers."""

    spec: Spec
    tool_changes: ToolChanges


class UpdateSpec:
    """Partial update of a spec; a new document re-compiles the tools of all its servers."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        loader: SpecDocumentLoader,
        compilation: SpecCompilation,
        clock: Clock,
        ids: IdGenerator,
    ) -> None:
        self._uow = uow
        self._loader = loader
        self._compilation = compilation
        self._clock = clock
        self._ids = ids

    async def __call__(
        self, owner_id: str, spec_id: str, command: UpdateSpecCommand
    ) -> SpecUpdated:
        async with self._uow() as uow:
            current = await uow.specs.get(owner_id, spec_id)
        if current is None:
            raise NotFound("Spec")

        source_url = current.source_url
        if not isinstance(command.source_url, msgspec.UnsetType):
            source_url = command.source_url
        changes: dict[str, object] = {"source_url": source_url}
        if not isinstance(command.name, msgspec.UnsetType):
            changes["name"] = command.name
        if not isinstance(command.version, msgspec.UnsetType):
            changes["version"] = command.version

        compiled = None
        if not isinstance(command.raw_spec, msgspec.UnsetType) or command.refetch:
            if isinstance(command.raw_spec, msgspec.UnsetType) and source_url is None:
                raise InvalidRequest(
                    "There is no sourceUrl to re-fetch the document from.",
                    [FieldProblem(("refetch",), "the spec has no sourceUrl")],
                )
            raw = None if isinstance(command.raw_spec, msgspec.UnsetType) else command.raw_spec
            document, summary = await self._loader.load(raw, source_url)
            compiled = self._compilation.compile(document)
            changes.update(
                raw_spec=document,
                openapi_version=summary.openapi_version,
                title=summary.title,
                operation_count=summary.operation_count,
                tool_count=len(compiled.tools),
                warnings=compiled.warnings,
            )
            if isinstance(command.version, msgspec.UnsetType):
                changes["version"] = summary.version or current.version

        now = self._clock.now()
        total = ToolChanges()
        async with self._uow() as uow:
            spec = await uow.specs.get(owner_id, spec_id)
            if spec is None:
                raise NotFound("Spec")
            spec = msgspec.structs.replace(spec, **changes, updated_at=now)
            await uow.specs.update(spec)
            if compiled is not None:
                for server in await uow.servers.list_for_spec(owner_id, spec_id):
                    existing = await uow.tools.list_all(server.id)
                    plan = plan_tool_sync(server, existing, compiled, self._ids, now)
                    await uow.tools.delete_many(server.id, plan.to_remove)
                    for tool in plan.to_update:
                        await uow.tools.update(tool)
                    await uow.tools.add_many(plan.to_add)
                    await uow.servers.touch(server.id)
                    total = total + plan.changes
            await uow.commit()
        return SpecUpdated(spec=spec, tool_changes=total)
