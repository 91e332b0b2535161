"""A mypyc build of the compiler, when present and current, compiles like the Python sources."""

from __future__ import annotations

import ast
import hashlib
import os
import subprocess
import sys
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import msgspec
import pytest

import domain.openapi
from domain.openapi import compiler, schema_convert

from .corpus_documents import compile_entry, corpus_entries

ROOT = Path(__file__).resolve().parents[3]
_PURE_CHILD = """
import hashlib, msgspec, domain.openapi
from tests.unit.openapi.corpus_documents import compile_entry, corpus_entries
assert not domain.openapi.COMPILED
for entry in corpus_entries():
    print(entry, hashlib.sha256(msgspec.json.encode(compile_entry(entry))).hexdigest())
"""

_NO_BUILD = pytest.mark.skipif(not domain.openapi.COMPILED, reason="no current mypyc build")


def _interpreted_modules() -> set[str]:
    """setup.py's INTERPRETED: the modules it does not compile."""
    for node in ast.parse((ROOT / "setup.py").read_text()).body:
        if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == "INTERPRETED":
            return set(ast.literal_eval(node.value))
    raise AssertionError("setup.py has no INTERPRETED")


def test_only_interpreted_modules_define_structs() -> None:
    # mypyc rebuilds a compiled class's __annotations__ (lossily), and msgspec reads them.
    interpreted = _interpreted_modules()
    for path in (ROOT / "domain" / "openapi").glob("*.py"):
        if path.stem in interpreted:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef):
                bases = [ast.unparse(b) for b in node.bases]
                assert not any("Struct" in b for b in bases), (path.name, node.name)


@_NO_BUILD
def test_the_compiled_modules_are_the_ones_imported() -> None:
    for module in (compiler, schema_convert):
        assert any(str(module.__file__).endswith(s) for s in EXTENSION_SUFFIXES)


@_NO_BUILD
def test_every_corpus_document_compiles_byte_for_byte_as_with_the_python_sources() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _PURE_CHILD],
        cwd=ROOT,
        env={**os.environ, "SPECMCP_PURE_PYTHON": "1"},
        capture_output=True,
        text=True,
        check=True,
    )
    pure = dict(line.rsplit(" ", 1) for line in done.stdout.splitlines())
    compiled = {
        entry: hashlib.sha256(msgspec.json.encode(compile_entry(entry))).hexdigest()
        for entry in corpus_entries()
    }
    assert compiled == pure
