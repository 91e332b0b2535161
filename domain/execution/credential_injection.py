"""The server's stored credential added to an upstream request, per its auth mode."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import msgspec

from domain.errors import InvalidRequest
from domain.execution.percent_encoding import encode_query
from domain.execution.upstream_request import UpstreamRequest

__all__ = ["DEFAULT_API_KEY_HEADER", "api_key_placement", "apply_credential"]

DEFAULT_API_KEY_HEADER = "X-API-Key"


def _unusable() -> InvalidRequest:
    # Never quote the secret: this message reaches logs and the model.
    return InvalidRequest(
        "The stored credential contains characters that cannot be sent in a request.",
        reason="invalid_credential",
    )


def _header_safe(secret: str) -> str:
    if not all(" " <= char <= "~" for char in secret):
        raise _unusable()
    return secret


def _with_header(request: UpstreamRequest, name: str, value: str) -> UpstreamRequest:
    # The credential replaces any same-named header an argument may have set.
    kept = tuple((k, v) for k, v in request.headers if k.lower() != name.lower())
    return msgspec.structs.replace(request, headers=(*kept, (name, value)))


def _with_query(request: UpstreamRequest, name: str, secret: str) -> UpstreamRequest:
    parts = urlsplit(request.url)
    wire_name = encode_query(name)
    kept = [p for p in parts.query.split("&") if p and p.split("=", 1)[0] != wire_name]
    query = "&".join([*kept, f"{wire_name}={encode_query(secret)}"])
    return msgspec.structs.replace(request, url=urlunsplit(parts._replace(query=query)))


def _with_cookie(request: UpstreamRequest, name: str, secret: str) -> UpstreamRequest:
    wire_name = encode_query(name)
    cookies = [
        pair.strip()
        for k, v in request.headers
        if k.lower() == "cookie"
        for pair in v.split(";")
        if pair.strip() and pair.strip().split("=", 1)[0] != wire_name
    ]
    cookies.append(f"{wire_name}={encode_query(secret)}")
    return _with_header(request, "Cookie", "; ".join(cookies))


def api_key_placement(auth_config: Mapping[str, Any]) -> tuple[str, str]:
    """Where an api_key goes: (`header`|`query`|`cookie`, name); header X-API-Key by default."""
    location = auth_config.get("in")
    name = auth_config.get("name")
    if location not in ("header", "query", "cookie"):
        location = "header"
    if not isinstance(name, str) or not name:
        name = DEFAULT_API_KEY_HEADER
    return str(location), name


def apply_credential(
    request: UpstreamRequest, auth_mode: str, auth_config: Mapping[str, Any], secret: str | None
) -> UpstreamRequest:
    """The request with the credential added; `none` (or no secret) leaves it unchanged.

    For `basic` the secret is `user:password`; for `oauth2_client_creds` it is the access token
    already obtained from the token endpoint.

    Raises:
        InvalidRequest: (reason `invalid_credential`) the secret cannot be put in a header.
    """
    if auth_mode == "none" or secret is None:
        return request
    if auth_mode == "api_key":
        location, name = api_key_placement(auth_config)
        if location == "query":
            return _with_query(request, name, secret)
        if location == "cookie":
            return _with_cookie(request, name, secret)
        return _with_header(request, name, _header_safe(secret))
    if auth_mode in ("bearer", "oauth2_client_creds"):
        return _with_header(request, "Authorization", f"Bearer {_header_safe(secret)}")
    if auth_mode == "basic":
        token = base64.b64encode(secret.encode("utf-8")).decode("ascii")
        return _with_header(request, "Authorization", f"Basic {token}")
    raise ValueError(f"unknown auth mode {auth_mode!r}")
