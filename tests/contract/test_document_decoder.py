"""The DocumentDecoder contract, run against every adapter."""

from __future__ import annotations

import pytest

from adapters.documents.json_yaml_decoder import JsonYamlDocumentDecoder
from application.ports.documents import DocumentDecoder
from domain.errors import InvalidSpecDocument


@pytest.fixture(params=[JsonYamlDocumentDecoder], ids=["json_yaml"])
def decoder(request: pytest.FixtureRequest) -> DocumentDecoder:
    return request.param()


def test_decodes_json_text_and_bytes(decoder: DocumentDecoder) -> None:
    expected = {"openapi": "3.1.0", "n": [1, 2.5]}
    assert decoder.decode('{"openapi": "3.1.0", "n": [1, 2.5]}') == expected
    assert decoder.decode(b'\xef\xbb\xbf{"a": "\xc3\xa9"}') == {"a": "é"}


def test_reads_yaml_as_yaml_1_2(decoder: DocumentDecoder) -> None:
    doc = decoder.decode("on: yes\nno: off\ny: n\ndate: 2024-01-01\nv: 1.10\n")
    assert doc == {"on": "yes", "no": "off", "y": "n", "date": "2024-01-01", "v": 1.1}


def test_keeps_the_written_text_of_versions(decoder: DocumentDecoder) -> None:
    doc = decoder.decode("openapi: 3.0.0\ninfo:\n  title: t\n  version: 1.10\npaths: {}\n")
    assert isinstance(doc, dict)
    assert doc["info"]["version"] == "1.10"
    assert decoder.decode("swagger: 2.0\ninfo: {version: 2.0}\n") == {
        "swagger": "2.0",
        "info": {"version": "2.0"},
    }


def test_turns_non_string_keys_into_text(decoder: DocumentDecoder) -> None:
    doc = decoder.decode("responses:\n  200: {description: ok}\n  default: {}\ntrue: 1\n")
    assert doc == {"responses": {"200": {"description": "ok"}, "default": {}}, "true": 1}


def test_invalid_text_names_line_and_column(decoder: DocumentDecoder) -> None:
    with pytest.raises(InvalidSpecDocument) as caught:
        decoder.decode("openapi: 3.0.0\ninfo:\n  title: [unclosed\npaths: x: y\n")
    assert "line" in caught.value.problems[0].message


def test_refuses_bytes_that_are_not_utf8(decoder: DocumentDecoder) -> None:
    with pytest.raises(InvalidSpecDocument):
        decoder.decode(b"openapi: \xff\xfe\n")


def test_refuses_empty_documents(decoder: DocumentDecoder) -> None:
    with pytest.raises(InvalidSpecDocument):
        decoder.decode("  \n")


def test_bounds_alias_expansion(decoder: DocumentDecoder) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    with pytest.raises(InvalidSpecDocument):
        decoder.decode("\n".join(lines) + "\n")
