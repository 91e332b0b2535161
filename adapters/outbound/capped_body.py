"""Reading a response body up to a cap: cut and marked, or refused."""

from __future__ import annotations

import httpx

from domain.errors import UpstreamUnavailable

__all__ = ["read_capped_body"]


async def read_capped_body(
    response: httpx.Response, host: str, body_limit: int, over_limit: str
) -> tuple[bytes, bool]:
    """Read at most `body_limit` decoded bytes, stopping (and dropping the connection) past it.

    The cap counts decoded bytes, so a small compressed body cannot inflate past it.

    Returns:
        The body and whether it was cut.

    Raises:
        UpstreamUnavailable: reason `too_large` past the cap when `over_limit` is "refuse";
            `bad_response` when the content-encoding cannot be decoded.
    """
    body = bytearray()
    try:
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > body_limit:
                if over_limit == "refuse":
                    raise UpstreamUnavailable(
                        f"The answer of {host} is larger than {body_limit} bytes.",
                        reason="too_large",
                    )
                return bytes(body[:body_limit]), True
    except httpx.DecodingError as error:
        raise UpstreamUnavailable(
            f"{host} sent a body that could not be decoded.", reason="bad_response"
        ) from error
    finally:
        await response.aclose()
    return bytes(body), False
