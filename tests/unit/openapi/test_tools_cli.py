"""`specmcp tools SPEC` prints the compiled tools, or a summary, or a clear error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from entrypoints.cli.main import main

PETSTORE = """
openapi: 3.0.0
info: {title: Pets, version: 1.10}
paths:
  /pets/{id}:
    get:
      operationId: showPet
      summary: One pet
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        200:
          description: ok
          content: {application/json: {schema: {type: object}}}
"""


def test_prints_tools_as_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "pets.yaml"
    spec.write_text(PETSTORE)
    assert main(["tools", str(spec)]) == 0
    (tool,) = json.loads(capsys.readouterr().out)
    assert tool["name"] == "showPet" and tool["method"] == "GET" and tool["path"] == "/pets/{id}"
    assert tool["annotations"]["readOnlyHint"] is True
    assert tool["inputSchema"]["required"] == ["id"]
    assert tool["outputSchema"] == {"type": "object"}


def test_prints_a_summary_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "pets.yaml"
    spec.write_text(PETSTORE)
    assert main(["tools", str(spec), "--summary", "--description-limit", "5"]) == 0
    out, err = capsys.readouterr()
    assert "showPet" in out and "/pets/{id}" in out
    assert "0 warnings" in err


def test_refuses_an_invalid_document(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text("swagger: 1.2\n")
    assert main(["tools", str(spec)]) == 1
    assert "error:" in capsys.readouterr().err
