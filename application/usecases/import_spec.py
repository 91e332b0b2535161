"""ImportSpec: parse, recognise and compile a document, then store it."""

from __future__ import annotations

from application.ports.clock import Clock, IdGenerator
from application.ports.unit_of_work import UnitOfWorkFactory
from application.usecases.spec_commands import ImportSpecCommand
from application.usecases.spec_compilation import SpecCompilation
from application.usecases.spec_documents import SpecDocumentLoader
from domain.specs import Spec

__all__ = ["ImportSpec"]


class ImportSpec:
    """Imports one document for its owner; nothing is written unless all of it works."""

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

    async def __call__(self, owner_id: str, command: ImportSpecCommand) -> Spec:
        document, summary = await self._loader.load(command.raw_spec, command.source_url)
        compiled = self._compilation.compile(document)
        now = self._clock.now()
        spec = Spec(
            id=self._ids.new_id(),
            owner_id=owner_id,
            name=command.name,
            version=command.version or summary.version,
            source_url=command.source_url,
            openapi_version=summary.openapi_version,
            title=summary.title,
            operation_count=summary.operation_count,
            tool_count=len(compiled.tools),
            warnings=compiled.warnings,
            raw_spec=document,
            created_at=now,
            updated_at=now,
        )
        async with self._uow() as uow:
            await uow.specs.add(spec)
            await uow.commit()
        return spec
