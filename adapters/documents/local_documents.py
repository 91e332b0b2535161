"""LocalDocuments: the other files of a multi-file spec, read from disk when a $ref needs them."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from application.ports.documents import DocumentDecoder

__all__ = ["LocalDocuments"]


class LocalDocuments(Mapping[str, Any]):
    """A lazy mapping from a location relative to the root document's folder to its content.

    Only files inside `confine_to` (default: the root folder's parent tree given) are read;
    anything else is simply missing, so the compiler reports an unresolved $ref.
    """

    def __init__(
        self, root_folder: Path, decoder: DocumentDecoder, confine_to: Path | None = None
    ) -> None:
        self._folder = root_folder.resolve()
        self._confine = (confine_to or self._folder).resolve()
        self._decoder = decoder
        self._loaded: dict[str, Any] = {}

    def __getitem__(self, location: str) -> Any:
        if location in self._loaded:
            return self._loaded[location]
        path = (self._folder / location).resolve()
        if "://" in location or not path.is_relative_to(self._confine) or not path.is_file():
            raise KeyError(location)
        document = self._decoder.decode(path.read_bytes())
        self._loaded[location] = document
        return document

    def __iter__(self) -> Iterator[str]:
        return iter(self._loaded)

    def __len__(self) -> int:
        return len(self._loaded)
