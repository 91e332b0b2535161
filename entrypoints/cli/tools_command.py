"""`specmcp tools SPEC`: print the MCP tools a spec file or URL compiles to."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import httpx
import msgspec

from adapters.documents.json_yaml_decoder import JsonYamlDocumentDecoder
from adapters.documents.local_documents import LocalDocuments
from domain.errors import InvalidSpecDocument
from domain.openapi.compiler import compile_spec
from domain.openapi.document import inspect_document
from domain.openapi.tools import CompiledSpec, ToolDefinition

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `tools` sub-command."""
    parser = subparsers.add_parser(
        "tools", help="print the MCP tools of an OpenAPI document (file path or http(s) URL)"
    )
    parser.add_argument("spec", metavar="SPEC", help="a file path or an http(s) URL")
    parser.add_argument("--summary", action="store_true", help="a table instead of JSON")
    parser.add_argument("--description-limit", type=int, default=1000, metavar="N")
    parser.set_defaults(handler=_run)


def _document(data: bytes, decoder: JsonYamlDocumentDecoder) -> dict[str, Any]:
    document = decoder.decode(data)
    inspect_document(document)  # a clear error for anything that is not OpenAPI
    assert isinstance(document, dict)
    return document


def _compile(spec: str, description_limit: int) -> CompiledSpec:
    decoder = JsonYamlDocumentDecoder()
    if spec.startswith(("http://", "https://")):
        # The user's own machine fetches the user's own URL: no outbound guard is needed here.
        response = httpx.get(spec, follow_redirects=True, timeout=30)
        response.raise_for_status()
        return compile_spec(
            _document(response.content, decoder), description_limit=description_limit
        )
    path = Path(spec)
    external = LocalDocuments(path.parent, decoder)
    return compile_spec(
        _document(path.read_bytes(), decoder),
        description_limit=description_limit,
        external=external,
        base_uri=path.name,
    )


def _as_json(tool: ToolDefinition) -> dict[str, Any]:
    hints = tool.annotations
    return {
        "name": tool.name,
        "description": tool.description,
        "inputSchema": tool.input_schema,
        "outputSchema": tool.output_schema,
        "annotations": {
            "title": hints.title,
            "readOnlyHint": hints.read_only_hint,
            "destructiveHint": hints.destructive_hint,
            "idempotentHint": hints.idempotent_hint,
            "openWorldHint": hints.open_world_hint,
        },
        "method": tool.routing.method,
        "path": tool.routing.path,
    }


def _print_summary(compiled: CompiledSpec) -> None:
    rows = [
        (t.name, t.routing.method, t.routing.path, str(len(t.routing.arguments)))
        for t in compiled.tools
    ]
    header = ("NAME", "METHOD", "PATH", "PARAMS")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(3)]
    for row in [header, *rows]:
        print(f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:<{widths[2]}}  {row[3]}")


def _run(args: argparse.Namespace) -> int:
    try:
        compiled = _compile(args.spec, args.description_limit)
    except InvalidSpecDocument as exc:
        details = "; ".join(
            f"{'/'.join(map(str, p.path)) or '(document)'}: {p.message}" for p in exc.problems
        )
        print(f"error: {exc.message}" + (f" ({details})" if details else ""), file=sys.stderr)
        return 1
    except (OSError, httpx.HTTPError) as exc:
        print(f"error: cannot read {args.spec}: {exc}", file=sys.stderr)
        return 1
    if args.summary:
        _print_summary(compiled)
    else:
        tools = [_as_json(t) for t in compiled.tools]
        sys.stdout.write(msgspec.json.format(msgspec.json.encode(tools)).decode() + "\n")
    print(
        f"{len(compiled.tools)} tools from {compiled.operation_count} operations, "
        f"{len(compiled.warnings)} warnings",
        file=sys.stderr,
    )
    return 0
