"""parse_url gives the same URL as httpx.URL, and skips httpx's parser for built URLs."""

from __future__ import annotations

import contextlib

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.outbound import plain_urls
from adapters.outbound.plain_urls import parse_url

_TRICKY = "aZ09-._~!$&'()*+,;=:@/?%#[] {}<>\"`|^\\\t\u00e9"
_HOSTS = st.sampled_from(
    [
        "api.example.com",
        "API.example.com",
        "127.0.0.1",
        "127.000.0.1",
        "1.2.3.999",
        "2130706433",
        "0x7f.1",
        "xn--bcher-kva.example",
        "b\u00fccher.example",
        "[::1]",
        "user:pw@example.com",
        "a_b.example",
        "-x.example",
        "",
        "10.0.0.1.",
        "x..y",
    ]
)
_PORTS = st.sampled_from(["", ":80", ":443", ":8080", ":080", ":65535", ":65536", ":0", ":x"])
_TAILS = st.text(alphabet=_TRICKY, max_size=30)


def _same(text: str) -> None:
    try:
        expected = httpx.URL(text)
    except Exception as error:  # httpx.InvalidURL, or idna's own errors for some hosts
        with pytest.raises(type(error)):
            parse_url(text)
        return
    got = parse_url(text)
    assert got == expected
    assert str(got) == str(expected)
    for part in ("scheme", "host", "raw_host", "port", "netloc", "raw_path", "path", "query"):
        assert _read(got, part) == _read(expected, part), part


def _read(url: httpx.URL, part: str) -> object:
    try:
        return getattr(url, part)
    except Exception as error:  # `host` decodes IDNA labels, which may refuse
        return type(error)


@given(st.sampled_from(["http", "https", "HTTP", "ftp"]), _HOSTS, _PORTS, _TAILS)
@settings(max_examples=1500, deadline=None)
def test_same_url_as_httpx(scheme: str, host: str, port: str, tail: str) -> None:
    _same(f"{scheme}://{host}{port}{tail}")


@given(
    st.sampled_from(["http", "https"]),
    st.sampled_from(["api.example.com", "127.0.0.1", "10.1.2.3", "a-b.c0", "localhost"]),
    _PORTS,
    st.text(alphabet="aZ09-._~!$&'()*+,;=:@/?%Ff", max_size=40),
)
@settings(max_examples=1500, deadline=None)
def test_same_url_as_httpx_near_normal_form(scheme: str, host: str, port: str, tail: str) -> None:
    _same(f"{scheme}://{host}{port}/{tail}")


@pytest.mark.parametrize(
    "text",
    [
        "http://127.0.0.1:8000/items/42?verbose=true",
        "https://api.example.com/v1/users/a%2Fb?ids=1,2&deep%5Bx%5D=1",
        "https://api.example.com",
        "https://api.example.com?x=1",
        "http://api.example.com:8080/a/b/",
        "https://api.example.com/files/report.v2.json?q=a:b@c/d?e",
    ],
)
def test_built_urls_skip_httpx_parser(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(_: str) -> httpx.URL:
        raise AssertionError("went through httpx's parser")

    expected = httpx.URL(text)
    monkeypatch.setattr(plain_urls, "_by_httpx", refuse)
    got = parse_url(text)
    assert (got, str(got), got.raw_path, got.port) == (
        expected,
        str(expected),
        expected.raw_path,
        expected.port,
    )


@pytest.mark.parametrize(
    "text",
    [
        "http://example.com:80/a",  # default port dropped by httpx
        "https://example.com/a/./b/../c",  # dot segments removed by httpx
        "https://Example.com/a",
        "https://example.com/a b",
        "http://127.000.0.1/",
    ],
)
def test_other_urls_go_through_httpx(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []

    def by_httpx(value: str) -> httpx.URL:
        seen.append(value)
        return httpx.URL(value)

    monkeypatch.setattr(plain_urls, "_by_httpx", by_httpx)
    with contextlib.suppress(httpx.InvalidURL):
        parse_url(text)
    assert seen == [text]
