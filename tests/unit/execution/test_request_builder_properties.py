"""Whatever the arguments, building a request succeeds or raises the domain error only."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.execution import ArgumentError, build_request
from domain.openapi.tools import ArgumentLocation, ArgumentRoute, Routing

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=12,
)
LOCATIONS: list[ArgumentLocation] = ["path", "query", "header", "cookie"]
STYLES = {
    "path": ["simple", "label", "matrix"],
    "query": ["form", "spaceDelimited", "pipeDelimited", "deepObject"],
    "header": ["simple"],
    "cookie": ["form"],
}


@st.composite
def routes(draw: st.DrawFn) -> ArgumentRoute:
    location = draw(st.sampled_from(LOCATIONS))
    name = draw(st.sampled_from(["a", "b", "c", "d"]))
    return ArgumentRoute(
        name=f"{location}_{name}",
        location=location,
        wire_name=name,
        style=draw(st.sampled_from(STYLES[location])),
        explode=draw(st.booleans()),
        allow_reserved=draw(st.booleans()),
        content_type=draw(st.sampled_from([None, None, "application/json", "text/plain"])),
    )


@st.composite
def routings(draw: st.DrawFn) -> Routing:
    arguments = draw(st.lists(routes(), max_size=5, unique_by=lambda r: r.name))
    media_type = draw(
        st.sampled_from(
            [
                None,
                "application/json",
                "application/x-www-form-urlencoded",
                "multipart/form-data",
                "text/plain",
            ]
        )
    )
    if media_type is not None:
        body = ArgumentRoute("body", "body", "body", "", False, content_type=media_type)
        arguments.append(body)
    path = "/x/" + "/".join(f"{{{r.wire_name}}}" for r in arguments if r.location == "path")
    return Routing(
        method="POST",
        path=path,
        arguments=tuple(arguments),
        body_media_type=media_type,
        body_required=draw(st.booleans()),
    )


@settings(max_examples=400, deadline=None)
@given(routing=routings(), data=st.data())
def test_any_arguments_build_or_raise_the_domain_error(routing: Routing, data: Any) -> None:
    names = [r.name for r in routing.arguments] + ["extra"]
    arguments = data.draw(st.dictionaries(st.sampled_from(names), JSON))
    try:
        request = build_request(routing, arguments, "https://api.test/v1?k=1")
    except ArgumentError as error:
        assert error.problems
        return
    assert request.url.startswith("https://api.test/v1/x/")
    assert all("\r" not in v and "\n" not in v for _, v in request.headers)
