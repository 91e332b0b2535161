"""Query parameters follow the OpenAPI style examples table and RFC 3986 query encoding."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.execution.routes import ARRAY, BASE, OBJECT, STRING, build_one, route

TABLE = [
    ("form", False, STRING, "color=blue"),
    ("form", False, ARRAY, "color=blue,black,brown"),
    ("form", False, OBJECT, "color=R,100,G,200,B,150"),
    ("form", True, STRING, "color=blue"),
    ("form", True, ARRAY, "color=blue&color=black&color=brown"),
    ("form", True, OBJECT, "R=100&G=200&B=150"),
    ("spaceDelimited", False, ARRAY, "color=blue%20black%20brown"),
    ("spaceDelimited", False, OBJECT, "color=R%20100%20G%20200%20B%20150"),
    ("pipeDelimited", False, ARRAY, "color=blue%7Cblack%7Cbrown"),
    ("pipeDelimited", False, OBJECT, "color=R%7C100%7CG%7C200%7CB%7C150"),
    ("deepObject", True, OBJECT, "color%5BR%5D=100&color%5BG%5D=200&color%5BB%5D=150"),
]


def query_of(argument: Any, value: Any) -> str:
    url = build_one(argument, value).url
    assert url.startswith(f"{BASE}/items")
    return url.partition("?")[2]


@pytest.mark.parametrize(("style", "explode", "value", "expected"), TABLE)
def test_query_parameter_matches_the_style_table(
    style: str, explode: bool, value: Any, expected: str
) -> None:
    assert query_of(route("query", style, explode), value) == expected


def test_empty_string_is_sent_as_an_empty_value() -> None:
    assert query_of(route("query", "form", True), "") == "color="


def test_null_and_missing_optional_parameters_are_left_out() -> None:
    assert build_one(route("query", "form", True), None).url == f"{BASE}/items"


def test_empty_arrays_and_objects_are_left_out() -> None:
    assert query_of(route("query", "form", False), []) == ""
    assert query_of(route("query", "form", True), {}) == ""


def test_booleans_are_true_and_false() -> None:
    assert query_of(route("query", "form", True), [True, False]) == "color=true&color=false"


def test_deep_object_nests_objects_and_repeats_array_keys() -> None:
    value = {"name": "x", "size": {"min": 1}, "tags": ["a", "b"]}
    assert query_of(route("query", "deepObject", True, name="filter"), value) == (
        "filter%5Bname%5D=x&filter%5Bsize%5D%5Bmin%5D=1&filter%5Btags%5D=a&filter%5Btags%5D=b"
    )


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        ("a b", "a%20b"),
        ("a&b=c", "a%26b%3Dc"),
        ("1+1", "1%2B1"),
        ("x/y?z#w", "x%2Fy%3Fz%23w"),
        ("100%", "100%25"),
        ("naïve", "na%C3%AFve"),
        ("a,b", "a%2Cb"),
    ],
)
def test_values_are_percent_encoded(value: str, encoded: str) -> None:
    assert query_of(route("query", "form", True), value) == f"color={encoded}"


def test_commas_inside_values_stay_distinct_from_the_delimiter() -> None:
    assert query_of(route("query", "form", False), ["a,b", "c"]) == "color=a%2Cb,c"


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        ("a/b:c@d", "a/b:c@d"),
        ("$!'()*,;?", "$!'()*,;?"),
        ("keep%20triples", "keep%20triples"),
        ("lone % sign", "lone%20%25%20sign"),
        ("a&b=c+d#e[f]", "a%26b%3Dc%2Bd%23e%5Bf%5D"),
    ],
)
def test_allow_reserved_lets_reserved_characters_through(value: str, encoded: str) -> None:
    assert query_of(route("query", "form", True, allow_reserved=True), value) == (
        f"color={encoded}"
    )


def test_wire_name_is_restored_and_encoded() -> None:
    argument = route("query", "form", True, name="query_page_size", wire_name="page[size]")
    assert query_of(argument, 5) == "page%5Bsize%5D=5"


def test_content_parameters_are_json_text() -> None:
    argument = route("query", "form", True, name="coordinates", content_type="application/json")
    assert query_of(argument, {"lat": 1.5, "long": 2}) == (
        "coordinates=%7B%22lat%22%3A1.5%2C%22long%22%3A2%7D"
    )


def test_non_json_content_parameters_send_strings_as_they_are() -> None:
    argument = route("query", "form", True, name="q", content_type="text/plain")
    assert query_of(argument, "a b") == "q=a%20b"
