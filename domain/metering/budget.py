"""The budget cap (API.md §7): euros with at most two decimals, 0..10000, kept in micro-euros."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from domain.metering.gate import MICRO_PER_EUR

__all__ = ["MAX_CAP_EUR", "cap_micro_from_text"]

MAX_CAP_EUR = Decimal(10_000)
_CENT = Decimal("0.01")


def cap_micro_from_text(number_text: str) -> int:
    """The cap in micro-euros from the exact text of a JSON number (no float ever involved).

    Raises:
        ValueError: not a number, negative, above 10000, or more than two decimals.
    """
    try:
        amount = Decimal(number_text)
    except InvalidOperation:
        raise ValueError("must be a number") from None
    if not amount.is_finite():
        raise ValueError("must be a number")
    if not Decimal(0) <= amount <= MAX_CAP_EUR:
        raise ValueError("must be between 0 and 10000")
    if amount != amount.quantize(_CENT):
        raise ValueError("must have at most two decimals")
    return int(amount * MICRO_PER_EUR)
