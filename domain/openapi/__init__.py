"""OpenAPI documents: recognition, structure checks and the spec compiler (pure functions).

The compiler's logic modules may be built with mypyc (see setup.py): an extension module beside
its `.py` file is then imported in its place. It is used only when it was built from the sources
as they are now (the build writes their digest to `_mypyc_stamp`); otherwise, or when
SPECMCP_PURE_PYTHON is set, this package imports its `.py` files. A stale build never runs.
"""

from __future__ import annotations

import os
import sys
import warnings
from importlib.machinery import SOURCE_SUFFIXES, FileFinder, SourceFileLoader
from pathlib import Path

from domain.openapi.build_stamp import STAMP_NAME, sources_digest

__all__ = ["COMPILED"]


def _build_is_current(package: Path) -> bool:
    if os.environ.get("SPECMCP_PURE_PYTHON"):
        return False
    try:
        stamp = (package / STAMP_NAME).read_text().strip()
    except OSError:
        return False  # never built, or the build fell back to pure Python
    if stamp == sources_digest(package):
        return True
    warnings.warn(
        "domain/openapi changed since its mypyc build: importing its Python sources "
        "(`uv run ...` rebuilds it; `uv sync --reinstall-package specmcp` forces it)",
        RuntimeWarning,
        stacklevel=2,
    )
    return False


COMPILED = _build_is_current(Path(__file__).resolve().parent)
"""True when this package's compiler modules come from a current mypyc build."""

if not COMPILED:
    # This directory's finder without the extension-module loader: the `.py` files win.
    sys.path_importer_cache[__path__[0]] = FileFinder(
        __path__[0], (SourceFileLoader, SOURCE_SUFFIXES)
    )
