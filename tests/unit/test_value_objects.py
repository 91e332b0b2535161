"""Value objects keep their invariants for any input."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.pagination import Page, PageRequest
from domain.values import HttpUrl, Slug

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@given(st.text(max_size=60))
def test_a_slug_exists_only_when_the_rule_holds(text: str) -> None:
    valid = 3 <= len(text) <= 50 and SLUG.match(text) is not None
    try:
        Slug(text)
    except ValueError:
        assert not valid
    else:
        assert valid


@given(st.from_regex(r"[a-z0-9]{1,10}(-[a-z0-9]{1,10}){0,3}", fullmatch=True))
def test_well_formed_slugs_are_accepted(text: str) -> None:
    if len(text) >= 3:
        assert Slug(text).value == text


@given(st.text(max_size=100))
def test_an_http_url_is_http_or_https_with_a_host(text: str) -> None:
    try:
        url = HttpUrl(text)
    except ValueError:
        return
    assert url.value.startswith(("http://", "https://"))
    assert len(url.value) <= 2000


@pytest.mark.parametrize(
    "bad",
    [
        "ftp://x.com",
        "http://",
        "https://exa mple.com",
        "javascript:alert(1)",
        "http://x.com:99999",
        "http://x.com:0",
        "https://" + "a" * 2000 + ".com",
    ],
)
def test_rejects_urls_that_cannot_be_fetched(bad: str) -> None:
    with pytest.raises(ValueError):
        HttpUrl(bad)


@given(st.integers(1, 10_000), st.integers(1, 100), st.integers(0, 100_000))
def test_pages_know_whether_more_follow(page: int, limit: int, total: int) -> None:
    request = PageRequest(page, limit)
    result: Page[int] = Page(items=[], total=total, page=page, limit=limit)
    assert result.has_more == (request.offset + limit < total)


@given(st.integers(-5, 0) | st.integers(101, 1000))
def test_out_of_range_limits_are_refused(limit: int) -> None:
    with pytest.raises(ValueError):
        PageRequest(1, limit)
