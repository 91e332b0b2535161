"""Path parameters follow the OpenAPI style examples table and percent-encode values."""

from __future__ import annotations

from typing import Any

import pytest

from domain.execution import ArgumentError
from tests.unit.execution.routes import ARRAY, BASE, OBJECT, STRING, build_one, route

TABLE = [
    ("simple", False, STRING, "blue"),
    ("simple", False, ARRAY, "blue,black,brown"),
    ("simple", False, OBJECT, "R,100,G,200,B,150"),
    ("simple", True, STRING, "blue"),
    ("simple", True, ARRAY, "blue,black,brown"),
    ("simple", True, OBJECT, "R=100,G=200,B=150"),
    ("label", False, STRING, ".blue"),
    ("label", False, ARRAY, ".blue,black,brown"),
    ("label", False, OBJECT, ".R,100,G,200,B,150"),
    ("label", True, STRING, ".blue"),
    ("label", True, ARRAY, ".blue.black.brown"),
    ("label", True, OBJECT, ".R=100.G=200.B=150"),
    ("matrix", False, STRING, ";color=blue"),
    ("matrix", False, ARRAY, ";color=blue,black,brown"),
    ("matrix", False, OBJECT, ";color=R,100,G,200,B,150"),
    ("matrix", True, STRING, ";color=blue"),
    ("matrix", True, ARRAY, ";color=blue;color=black;color=brown"),
    ("matrix", True, OBJECT, ";R=100;G=200;B=150"),
]


@pytest.mark.parametrize(("style", "explode", "value", "expected"), TABLE)
def test_path_parameter_matches_the_style_table(
    style: str, explode: bool, value: Any, expected: str
) -> None:
    request = build_one(route("path", style, explode), value, "/paint/{color}")
    assert request.url == f"{BASE}/paint/{expected}"


def test_empty_string_in_label_and_matrix_styles_keeps_the_prefix() -> None:
    assert build_one(route("path", "label", False), "", "/p/x{color}").url.endswith("/p/x.")
    # Alone in its segment, `.` would be a dot segment: it is sent encoded.
    assert build_one(route("path", "label", False), "", "/p/{color}").url.endswith("/p/%2E")
    assert build_one(route("path", "matrix", False), "", "/p/{color}").url.endswith("/p/;color")


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        ("a/b", "a%2Fb"),
        ("a b", "a%20b"),
        ("?#[]@!$&'()*+,;=", "%3F%23%5B%5D%40%21%24%26%27%28%29%2A%2B%2C%3B%3D"),
        ("100%", "100%25"),
        ("café", "caf%C3%A9"),
        ("日本", "%E6%97%A5%E6%9C%AC"),
        ("-._~", "-._~"),
    ],
)
def test_path_values_are_percent_encoded_per_rfc3986(value: str, encoded: str) -> None:
    assert build_one(route("path", "simple", False), value, "/files/{color}").url == (
        f"{BASE}/files/{encoded}"
    )


@pytest.mark.parametrize(("value", "encoded"), [(".", "%2E"), ("..", "%2E%2E")])
def test_dot_segments_cannot_move_the_call_to_another_path(value: str, encoded: str) -> None:
    request = build_one(route("path", "simple", False), value, "/files/{color}/meta")
    assert request.url == f"{BASE}/files/{encoded}/meta"


def test_numbers_and_booleans_are_written_as_json_scalars() -> None:
    assert build_one(route("path", "simple", False), 42, "/n/{color}").url.endswith("/n/42")
    assert build_one(route("path", "simple", False), True, "/n/{color}").url.endswith("/n/true")


def test_wire_name_is_restored_in_the_template() -> None:
    argument = route("path", "simple", False, name="path_id", wire_name="id")
    assert build_one(argument, "7", "/things/{id}").url == f"{BASE}/things/7"


def test_a_missing_path_parameter_is_an_argument_error_naming_it() -> None:
    with pytest.raises(ArgumentError) as caught:
        build_one(route("path", "simple", False), None, "/paint/{color}")
    assert [p.path for p in caught.value.problems] == [("color",)]


def test_an_empty_simple_path_value_is_refused() -> None:
    with pytest.raises(ArgumentError):
        build_one(route("path", "simple", False), "", "/paint/{color}")


def test_content_parameters_in_the_path_are_json_text() -> None:
    argument = route("path", "simple", False, content_type="application/json")
    assert build_one(argument, {"a": 1}, "/q/{color}").url == f"{BASE}/q/%7B%22a%22%3A1%7D"
