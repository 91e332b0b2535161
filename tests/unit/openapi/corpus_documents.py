"""The shared corpus of real specs: which documents, decoded once per test session."""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

from adapters.documents.json_yaml_decoder import JsonYamlDocumentDecoder
from adapters.documents.local_documents import LocalDocuments
from domain.openapi.compiler import compile_spec
from domain.openapi.tools import CompiledSpec

# shared/ sits beside the repository (locally and in CI); SPECMCP_CORPUS overrides.
_BESIDE = Path(__file__).resolve().parents[4] / "shared" / "corpus" / "specs"
CORPUS = Path(os.environ.get("SPECMCP_CORPUS", str(_BESIDE)))
MULTI_FILE_ROOTS = (
    "digitalocean__specification/DigitalOcean-public.v2.yaml",
    "oai-v2.0__petstore-separate/spec/swagger.yaml",
)
DECODER = JsonYamlDocumentDecoder()


def corpus_entries() -> list[str]:
    """Every single-file document, then the roots of the multi-file ones (relative names).

    Raises:
        RuntimeError: no corpus where expected: the corpus tests must not vanish silently.
    """
    if not CORPUS.is_dir():
        raise RuntimeError(
            f"no corpus at {CORPUS}: put shared/ beside the repository or set SPECMCP_CORPUS"
        )
    singles = sorted(p.name for p in CORPUS.iterdir() if p.is_file())
    return singles + [r for r in MULTI_FILE_ROOTS if (CORPUS / r).is_file()]


@functools.cache
def decoded(entry: str) -> Any:
    """The decoded document (cached for the session: the big ones take a while)."""
    return DECODER.decode((CORPUS / entry).read_bytes())


def compile_entry(entry: str) -> CompiledSpec:
    """Compile a corpus document, loading the other files of a multi-file one from disk."""
    path = CORPUS / entry
    if "/" not in entry:
        return compile_spec(decoded(entry))
    external = LocalDocuments(path.parent, DECODER, confine_to=CORPUS / entry.split("/")[0])
    return compile_spec(decoded(entry), external=external, base_uri=path.name)
