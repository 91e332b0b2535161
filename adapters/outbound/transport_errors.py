"""Translate httpcore failures into UpstreamUnavailable, naming the host and nothing else."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from contextlib import contextmanager

import httpcore

from domain.errors import UpstreamUnavailable

__all__ = ["upstream_errors"]


@contextmanager
def upstream_errors(host: str) -> Iterator[None]:
    """Re-raise httpcore errors as UpstreamUnavailable with reason timeout, connect or bad_response.

    The library's own messages are dropped: they may quote URLs, and URLs may hold secrets.
    """
    try:
        yield
    except httpcore.TimeoutException as error:
        raise UpstreamUnavailable(f"{host} did not answer in time.", reason="timeout") from error
    except httpcore.ConnectError as error:
        raise UpstreamUnavailable(_connect_message(host, error), reason="connect") from error
    except httpcore.NetworkError as error:
        raise UpstreamUnavailable(f"The connection to {host} broke.", reason="connect") from error
    except (httpcore.ProtocolError, httpcore.UnsupportedProtocol) as error:
        raise UpstreamUnavailable(
            f"{host} did not answer with valid HTTP.", reason="bad_response"
        ) from error


def _connect_message(host: str, error: httpcore.ConnectError) -> str:
    if isinstance(error.__cause__ or error.__context__, ssl.SSLCertVerificationError):
        return f"The TLS certificate of {host} could not be verified."
    return f"Could not connect to {host}."
