"""Build hook: the spec compiler (domain/openapi) compiled with mypyc, or pure Python.

pyproject.toml holds the project's metadata; this file only adds the compiled modules. A build
that cannot compile them (no C compiler or Python headers, a mypyc error, SPECMCP_PURE_PYTHON
set) still succeeds: the package is then pure Python, as it was before. The modules that define
msgspec Structs stay interpreted (see domain/openapi/records.py). The build writes the digest of
the sources it compiled to `domain/openapi/_mypyc_stamp`; `domain/openapi/__init__.py` imports
the `.py` files instead when the sources have changed since (a stale build never runs).
"""

from __future__ import annotations

import os
import runpy
import sys
from pathlib import Path
from typing import Any

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent
PACKAGE = HERE / "domain" / "openapi"
INTERPRETED = {
    "__init__",
    "build_stamp",
    "document",
    "operation_specs",
    "records",
    "tools",
    "warnings",
}
GROUP = "domain_openapi"
_STAMPING = runpy.run_path(str(PACKAGE / "build_stamp.py"))  # the package's own digest
STAMP = _STAMPING["STAMP_NAME"]
sources_digest = _STAMPING["sources_digest"]


def _warn(text: str) -> None:
    print(f"specmcp build: {text}; domain/openapi stays pure Python", file=sys.stderr)


class CompileOrFallBack(build_ext):
    """mypyc at build time only (not for metadata); all the modules or none of them."""

    def finalize_options(self) -> None:
        self.digest = ""
        extensions: list[Any] = []
        if os.environ.get("SPECMCP_PURE_PYTHON"):
            _warn("SPECMCP_PURE_PYTHON is set")
        else:
            try:
                from mypyc.build import mypycify

                modules = sorted(
                    str(p.relative_to(HERE))
                    for p in PACKAGE.glob("*.py")
                    if p.stem not in INTERPRETED
                )
                self.digest = sources_digest(PACKAGE)  # before mypyc reads them
                extensions = mypycify(modules, group_name=GROUP)
            except (Exception, SystemExit) as exc:  # any failure: pure Python
                _warn(f"mypyc failed ({type(exc).__name__}: {exc})")
                self.digest = ""
        self.distribution.ext_modules = extensions
        super().finalize_options()

    def run(self) -> None:
        inplace = bool(self.inplace or getattr(self, "editable_mode", False))
        root = HERE if inplace else Path(self.build_lib)  # where this build puts its modules
        stamp = root / "domain" / "openapi" / STAMP
        stamp.unlink(missing_ok=True)
        if not self.extensions:
            return
        try:
            super().run()
        except (Exception, SystemExit) as exc:  # a compiler or linker error: pure Python
            for ext in self.extensions:
                name = self.get_ext_filename(self.get_ext_fullname(ext.name))
                (root / name).unlink(missing_ok=True)
            self.extensions = []
            _warn(f"compiling the mypyc output failed ({type(exc).__name__}: {exc})")
            return
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text(self.digest + "\n")


def _placeholder() -> list[Any]:
    # Declares the project as having extension modules (a platform wheel) without running mypyc
    # while the build front end only asks for metadata; CompileOrFallBack replaces it.
    return [Extension(f"{GROUP}__mypyc", sources=[])]


setup(ext_modules=_placeholder(), cmdclass={"build_ext": CompileOrFallBack})
