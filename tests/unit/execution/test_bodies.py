"""Request bodies: JSON, form, multipart (parsed back with the email parser) and raw text."""

from __future__ import annotations

import email
import email.policy
from typing import Any, cast
from urllib.parse import parse_qsl

import msgspec
import pytest

from domain.execution import ArgumentError, UpstreamRequest, binary_body_fields, build_request
from domain.openapi.tools import Routing
from tests.unit.execution.routes import BASE, route


def post(media_type: str, body: Any, *, required: bool = False, **options: Any) -> UpstreamRequest:
    routing = Routing(
        method="post",
        path="/things",
        arguments=(route("body", "", False, name="body", content_type=media_type),),
        body_media_type=media_type,
        body_required=required,
    )
    return build_request(routing, {"body": body}, BASE, **options)


def parts_of(request: UpstreamRequest) -> list[Any]:
    assert request.body is not None and request.content_type is not None
    raw = f"Content-Type: {request.content_type}\r\n\r\n".encode() + request.body
    message = email.message_from_bytes(raw, policy=email.policy.HTTP)
    assert message.is_multipart()
    return list(message.iter_parts())


def test_json_body_is_msgspec_json_with_the_declared_type() -> None:
    request = post("application/merge-patch+json", {"name": "é", "n": [1, None]})
    assert msgspec.json.decode(request.body or b"") == {"name": "é", "n": [1, None]}
    assert request.content_type == "application/merge-patch+json"
    assert request.method == "POST"


def test_wildcard_media_types_send_json() -> None:
    assert post("*/*", [1]).content_type == "application/json"


def test_form_body_repeats_array_keys_and_nests_objects_as_json() -> None:
    request = post(
        "application/x-www-form-urlencoded",
        {"name": "a b&c", "tags": ["x", "y"], "meta": {"k": 1}, "flag": True, "skip": None},
    )
    assert request.content_type == "application/x-www-form-urlencoded"
    assert parse_qsl((request.body or b"").decode()) == [
        ("name", "a b&c"),
        ("tags", "x"),
        ("tags", "y"),
        ("meta", '{"k":1}'),
        ("flag", "true"),
    ]


def test_multipart_parts_parse_back() -> None:
    request = post(
        "multipart/form-data",
        {"title": "Hi", "file": "PNG…data", "tags": ["a", "b"], "meta": {"k": [1]}},
        binary_fields=frozenset({"file"}),
        boundary="test-boundary-123",
    )
    assert request.content_type == "multipart/form-data; boundary=test-boundary-123"
    parts = parts_of(request)
    assert [p.get_param("name", header="content-disposition") for p in parts] == [
        "title",
        "file",
        "tags",
        "tags",
        "meta",
    ]
    assert parts[0].get_content() == "Hi"
    assert parts[1].get_filename() == "file"
    assert parts[1].get_content_type() == "application/octet-stream"
    assert parts[1].get_payload(decode=True) == "PNG…data".encode()
    assert [parts[2].get_content(), parts[3].get_content()] == ["a", "b"]
    assert parts[4].get_content_type() == "application/json"
    assert msgspec.json.decode(cast(bytes, parts[4].get_payload(decode=True))) == {"k": [1]}


def test_multipart_boundary_is_derived_from_the_content_when_not_given() -> None:
    first = post("multipart/form-data", {"a": "1"})
    assert first == post("multipart/form-data", {"a": "1"})
    assert first.content_type != post("multipart/form-data", {"a": "2"}).content_type
    assert [p.get_content() for p in parts_of(first)] == ["1"]


def test_binary_body_fields_are_read_from_the_input_schema() -> None:
    schema = {
        "type": "object",
        "properties": {"body": {"$ref": "#/$defs/Upload"}},
        "$defs": {
            "Upload": {
                "type": "object",
                "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "more": {"type": "array", "items": {"type": "string", "format": "base64"}},
                    "note": {"type": "string"},
                },
            }
        },
    }
    assert binary_body_fields(schema) == {"file", "more"}


def test_other_media_types_send_the_string_as_it_is() -> None:
    request = post("text/csv; charset=utf-8", "a,b\n1,2")
    assert (request.body, request.content_type) == (b"a,b\n1,2", "text/csv; charset=utf-8")


@pytest.mark.parametrize(
    ("media_type", "body"),
    [
        ("text/plain", {"not": "text"}),
        ("application/x-www-form-urlencoded", [1]),
        ("multipart/form-data", "x"),
    ],
)
def test_a_body_of_the_wrong_shape_is_an_argument_error(media_type: str, body: Any) -> None:
    with pytest.raises(ArgumentError) as caught:
        post(media_type, body)
    assert caught.value.problems[0].path == ("body",)


def test_a_missing_required_body_is_an_argument_error() -> None:
    with pytest.raises(ArgumentError):
        post("application/json", None, required=True)


def test_a_missing_optional_body_sends_no_body() -> None:
    request = post("application/json", None)
    assert (request.body, request.content_type) == (None, None)
