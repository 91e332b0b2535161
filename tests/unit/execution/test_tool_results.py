"""Upstream answers become MCP tool results."""

from __future__ import annotations

from domain.execution import tool_result
from domain.execution.tool_results import ERROR_BODY_LIMIT


def test_json_object_is_text_and_structured() -> None:
    result = tool_result(200, "application/json", b'{"a": 1}', False, True, False)
    assert (result.is_error, result.text, result.structured) == (False, '{"a": 1}', {"a": 1})


def test_non_object_json_is_wrapped_in_result() -> None:
    result = tool_result(200, "application/problem+json", b"[1,2]", False, False, False)
    assert result.structured == {"result": [1, 2]}


def test_output_wrapped_wraps_even_objects() -> None:
    result = tool_result(201, "application/json", b'{"a":1}', False, True, True)
    assert result.structured == {"result": {"a": 1}}


def test_error_statuses_name_the_status_and_include_the_body() -> None:
    result = tool_result(404, "application/json", b'{"error":"nope"}', False, True, False)
    assert result.is_error and result.structured is None
    assert "404 Not Found" in result.text and '{"error":"nope"}' in result.text


def test_error_bodies_are_capped() -> None:
    result = tool_result(500, "text/plain", b"x" * (ERROR_BODY_LIMIT * 2), False, False, False)
    assert result.is_error and len(result.text) < ERROR_BODY_LIMIT + 200


def test_non_json_is_text_only() -> None:
    result = tool_result(200, "text/html", b"<p>hi</p>", False, False, False)
    assert (result.is_error, result.text, result.structured) == (False, "<p>hi</p>", None)


def test_invalid_utf8_is_replaced() -> None:
    result = tool_result(200, "text/plain", b"a\xffb", False, False, False)
    assert result.text == "a\ufffdb"


def test_truncation_is_noted() -> None:
    result = tool_result(200, "application/json", b'{"a": [1, 2', True, False, False)
    assert not result.is_error and result.structured is None and "truncated" in result.text


def test_a_promised_json_answer_that_is_not_json_is_an_error() -> None:
    result = tool_result(200, "text/html", b"<html>", False, True, False)
    assert result.is_error and "<html>" in result.text


def test_json_labelled_as_text_is_accepted_when_json_was_promised() -> None:
    result = tool_result(200, "text/plain", b'{"a":1}', False, True, False)
    assert result.structured == {"a": 1}


def test_an_empty_success_says_so() -> None:
    result = tool_result(204, None, b"", False, True, False)
    assert not result.is_error and "204" in result.text and result.structured is None
