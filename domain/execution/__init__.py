"""Pure tool-call execution: arguments to an upstream request, credentials, results."""

from domain.execution.argument_errors import ArgumentError
from domain.execution.binary_fields import binary_body_fields
from domain.execution.credential_injection import (
    DEFAULT_API_KEY_HEADER,
    api_key_placement,
    apply_credential,
)
from domain.execution.redaction import MASK, is_sensitive_header, masked_headers, redacted_url
from domain.execution.request_builder import build_request
from domain.execution.tool_results import ToolResult, tool_result
from domain.execution.upstream_request import UpstreamRequest

__all__ = [
    "DEFAULT_API_KEY_HEADER",
    "MASK",
    "ArgumentError",
    "ToolResult",
    "UpstreamRequest",
    "api_key_placement",
    "apply_credential",
    "binary_body_fields",
    "build_request",
    "is_sensitive_header",
    "masked_headers",
    "redacted_url",
    "tool_result",
]
