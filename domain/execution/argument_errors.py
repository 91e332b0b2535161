"""The one error request building raises: arguments that cannot become an upstream request."""

from __future__ import annotations

from domain.errors import FieldProblem, InvalidRequest

__all__ = ["ArgumentError", "argument_error"]


class ArgumentError(InvalidRequest):
    """Tool arguments that cannot be sent; each problem names the argument at fault."""


def argument_error(argument: str, message: str) -> ArgumentError:
    """An ArgumentError about a single argument (the message is shown to a model)."""
    return ArgumentError(
        f"Argument {argument!r}: {message}",
        [FieldProblem(path=(argument,), message=message)],
        reason="invalid_arguments",
    )
