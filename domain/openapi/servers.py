"""Defaults a server takes from its spec: the upstream base URL and the API key's place."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin

__all__ = ["default_base_url", "security_defaults"]


def _substitute(url: str, variables: Any) -> str:
    if isinstance(variables, Mapping):
        for name, variable in variables.items():
            if isinstance(variable, Mapping) and "default" in variable:
                url = url.replace("{" + str(name) + "}", str(variable["default"]))
    return url


def _absolute(url: str) -> bool:
    return url.startswith(("http://", "https://")) and "{" not in url


def default_base_url(document: Mapping[str, Any], source_url: str | None = None) -> str | None:
    """The first absolute `servers` URL with its variables' defaults, or Swagger's
    `schemes`+`host`+`basePath`; relative URLs are joined to `source_url` when given.
    """
    servers = document.get("servers")
    if isinstance(servers, list):
        for server in servers:
            if not isinstance(server, Mapping) or not isinstance(server.get("url"), str):
                continue
            url = _substitute(server["url"], server.get("variables"))
            if not _absolute(url) and source_url and source_url.startswith("http"):
                url = urljoin(source_url, url)
            if _absolute(url):
                return url.rstrip("/")
    host = document.get("host")
    if "swagger" in document and isinstance(host, str) and host:
        schemes = document.get("schemes")
        listed = [s for s in schemes if s in ("https", "http")] if isinstance(schemes, list) else []
        scheme = "https" if "https" in listed or not listed else "http"
        base_path = document.get("basePath")
        path = base_path if isinstance(base_path, str) else ""
        return f"{scheme}://{host}{path}".rstrip("/")
    return None


def _api_keys(document: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    components = document.get("components")
    schemes = components.get("securitySchemes") if isinstance(components, Mapping) else None
    if schemes is None:
        schemes = document.get("securityDefinitions")
    found: dict[str, dict[str, str]] = {}
    if isinstance(schemes, Mapping):
        for name, scheme in schemes.items():
            if not isinstance(scheme, Mapping) or scheme.get("type") != "apiKey":
                continue
            where, key = scheme.get("in"), scheme.get("name")
            if where in ("header", "query", "cookie") and isinstance(key, str) and key:
                found[str(name)] = {"in": str(where), "name": key}
    return found


def security_defaults(document: Mapping[str, Any]) -> dict[str, str] | None:
    """`{in, name}` of the API key the document asks for (its top-level security first)."""
    keys = _api_keys(document)
    if not keys:
        return None
    security = document.get("security")
    if isinstance(security, list):
        for requirement in security:
            if isinstance(requirement, Mapping):
                for name in requirement:
                    if str(name) in keys:
                        return keys[str(name)]
    return next(iter(keys.values()))
