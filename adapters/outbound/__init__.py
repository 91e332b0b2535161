"""The outbound guard: every request to a user-supplied URL goes through it (API.md §8)."""

from adapters.outbound.address_policy import AddressPolicy
from adapters.outbound.document_fetcher import GuardedDocumentFetcher
from adapters.outbound.guarded_client import (
    TOOL_CALL_BODY_LIMIT,
    GuardedHttpClient,
    build_guarded_client,
)
from adapters.outbound.guarded_response import GuardedResponse
from adapters.outbound.guarded_transport import GuardedTransport
from adapters.outbound.host_resolution import Resolver, system_resolver
from adapters.outbound.url_check import check_url_allowed

__all__ = [
    "TOOL_CALL_BODY_LIMIT",
    "AddressPolicy",
    "GuardedDocumentFetcher",
    "GuardedHttpClient",
    "GuardedResponse",
    "GuardedTransport",
    "Resolver",
    "build_guarded_client",
    "check_url_allowed",
    "system_resolver",
]
