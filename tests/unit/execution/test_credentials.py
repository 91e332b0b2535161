"""Credential injection per auth mode, and secret-free views for logs."""

from __future__ import annotations

import base64

import pytest

from domain.errors import InvalidRequest
from domain.execution import UpstreamRequest, apply_credential, masked_headers, redacted_url

REQUEST = UpstreamRequest(method="GET", url="https://a.test/v1/u?q=1", headers=(("X-Trace", "t"),))


def test_no_auth_leaves_the_request_alone() -> None:
    assert apply_credential(REQUEST, "none", {}, "s") == REQUEST


def test_api_key_defaults_to_the_x_api_key_header() -> None:
    request = apply_credential(REQUEST, "api_key", {}, "k1")
    assert request.headers == (("X-Trace", "t"), ("X-API-Key", "k1"))


def test_api_key_header_replaces_a_header_of_the_same_name() -> None:
    given = UpstreamRequest(method="GET", url="https://a.test", headers=(("x-token", "user"),))
    request = apply_credential(given, "api_key", {"in": "header", "name": "X-Token"}, "k1")
    assert request.headers == (("X-Token", "k1"),)


def test_api_key_in_query_is_encoded_and_replaces_a_same_named_parameter() -> None:
    given = UpstreamRequest(method="GET", url="https://a.test/u?key=user&q=1")
    request = apply_credential(given, "api_key", {"in": "query", "name": "key"}, "a b&c")
    assert request.url == "https://a.test/u?q=1&key=a%20b%26c"


def test_api_key_in_cookie_joins_the_cookie_header() -> None:
    given = UpstreamRequest(method="GET", url="https://a.test", headers=(("Cookie", "a=1"),))
    request = apply_credential(given, "api_key", {"in": "cookie", "name": "sid"}, "k;1")
    assert request.headers == (("Cookie", "a=1; sid=k%3B1"),)


@pytest.mark.parametrize("mode", ["bearer", "oauth2_client_creds"])
def test_bearer_and_oauth2_tokens_go_in_authorization(mode: str) -> None:
    request = apply_credential(REQUEST, mode, {}, "tok")
    assert request.headers[-1] == ("Authorization", "Bearer tok")


def test_basic_encodes_user_and_password() -> None:
    request = apply_credential(REQUEST, "basic", {}, "ann:pä:ss")
    expected = base64.b64encode("ann:pä:ss".encode()).decode()
    assert request.headers[-1] == ("Authorization", f"Basic {expected}")


def test_a_secret_with_a_line_break_is_refused_without_quoting_it() -> None:
    with pytest.raises(InvalidRequest) as caught:
        apply_credential(REQUEST, "bearer", {}, "tok\r\nX-Evil: 1")
    assert "tok" not in caught.value.message


def test_redacted_url_masks_secret_query_values_and_passwords() -> None:
    request = UpstreamRequest(method="GET", url="https://u:pw@a.test/x?q=1&api%5Fkey=s3&k=s")
    assert (
        redacted_url(request, ["api_key", "k"]) == "https://u:***@a.test/x?q=1&api%5Fkey=***&k=***"
    )


def test_masked_headers_hide_credentials_and_key_like_names() -> None:
    headers = (
        ("Authorization", "Bearer x"),
        ("Cookie", "a=1"),
        ("Proxy-Authorization", "p"),
        ("X-API-Key", "k"),
        ("X-Session-Id", "s"),
        ("X-Signature", "g"),
        ("X-Client-Secret", "c"),
        ("Accept", "application/json"),
    )
    assert masked_headers(headers) == (
        ("Authorization", "***"),
        ("Cookie", "***"),
        ("Proxy-Authorization", "***"),
        ("X-API-Key", "***"),
        ("X-Session-Id", "***"),
        ("X-Signature", "***"),
        ("X-Client-Secret", "***"),
        ("Accept", "application/json"),
    )
