"""Header parameters use the simple style; cookie parameters the form style in one header."""

from __future__ import annotations

from typing import Any

import pytest

from domain.execution import ArgumentError, build_request
from domain.openapi.tools import Routing
from tests.unit.execution.routes import ARRAY, BASE, OBJECT, STRING, build_one, route

HEADER_TABLE = [
    (False, STRING, "blue"),
    (False, ARRAY, "blue,black,brown"),
    (False, OBJECT, "R,100,G,200,B,150"),
    (True, STRING, "blue"),
    (True, ARRAY, "blue,black,brown"),
    (True, OBJECT, "R=100,G=200,B=150"),
]

COOKIE_TABLE = [
    (False, STRING, "color=blue"),
    (False, ARRAY, "color=blue,black,brown"),
    (False, OBJECT, "color=R,100,G,200,B,150"),
    (True, STRING, "color=blue"),
    (True, ARRAY, "color=blue; color=black; color=brown"),
    (True, OBJECT, "R=100; G=200; B=150"),
]


@pytest.mark.parametrize(("explode", "value", "expected"), HEADER_TABLE)
def test_header_parameter_matches_the_simple_style(
    explode: bool, value: Any, expected: str
) -> None:
    argument = route("header", "simple", explode, name="color", wire_name="X-Color")
    assert build_one(argument, value).headers == (("X-Color", expected),)


@pytest.mark.parametrize(("explode", "value", "expected"), COOKIE_TABLE)
def test_cookie_parameter_matches_the_form_style(explode: bool, value: Any, expected: str) -> None:
    assert build_one(route("cookie", "form", explode), value).headers == (("Cookie", expected),)


def test_header_values_are_not_percent_encoded() -> None:
    argument = route("header", "simple", False, wire_name="X-Query")
    assert build_one(argument, "a b/c?d").headers == (("X-Query", "a b/c?d"),)


@pytest.mark.parametrize("value", ["a\r\nX-Injected: 1", "a\nb", "café", "\x00"])
def test_header_values_cannot_inject_or_carry_non_ascii(value: str) -> None:
    with pytest.raises(ArgumentError) as caught:
        build_one(route("header", "simple", False), value)
    assert caught.value.problems[0].path == ("color",)


def test_json_content_headers_escape_non_ascii() -> None:
    argument = route("header", "simple", False, content_type="application/json")
    assert build_one(argument, {"n": "é"}).headers == (("color", '{"n":"\\u00e9"}'),)


def test_every_cookie_goes_into_one_cookie_header() -> None:
    routing = Routing(
        method="GET",
        path="/x",
        arguments=(
            route("cookie", "form", True, name="a"),
            route("cookie", "form", True, name="b"),
            route("header", "simple", False, name="h", wire_name="X-H"),
        ),
    )
    request = build_request(routing, {"a": 1, "b": "two words", "h": True}, BASE)
    assert request.headers == (("X-H", "true"), ("Cookie", "a=1; b=two%20words"))


def test_cookie_values_with_separators_are_encoded() -> None:
    assert build_one(route("cookie", "form", True), "x; y=z").headers == (
        ("Cookie", "color=x%3B%20y%3Dz"),
    )
