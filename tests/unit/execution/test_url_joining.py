"""The base URL's path and query survive joining, without double slashes."""

from __future__ import annotations

import pytest

from domain.execution import build_request
from domain.openapi.tools import Routing
from tests.unit.execution.routes import route


@pytest.mark.parametrize(
    ("base", "path", "expected"),
    [
        ("https://api.x.com", "/users", "https://api.x.com/users"),
        ("https://api.x.com/", "/users", "https://api.x.com/users"),
        ("https://api.x.com/v1", "/users", "https://api.x.com/v1/users"),
        ("https://api.x.com/v1/", "/users", "https://api.x.com/v1/users"),
        ("https://api.x.com/v1", "users", "https://api.x.com/v1/users"),
        ("https://api.x.com/v1", "/", "https://api.x.com/v1/"),
        ("https://api.x.com:8443/v1#frag", "/u", "https://api.x.com:8443/v1/u"),
    ],
)
def test_paths_join_under_the_base_path(base: str, path: str, expected: str) -> None:
    assert build_request(Routing(method="GET", path=path, arguments=()), {}, base).url == expected


def test_the_base_query_comes_first_and_arguments_follow() -> None:
    routing = Routing(method="GET", path="/u", arguments=(route("query", "form", True, name="q"),))
    assert build_request(routing, {"q": "x"}, "https://a.test/v1?tenant=7").url == (
        "https://a.test/v1/u?tenant=7&q=x"
    )
    assert build_request(routing, {}, "https://a.test/v1?tenant=7").url == (
        "https://a.test/v1/u?tenant=7"
    )
