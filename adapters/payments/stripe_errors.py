"""Stripe SDK errors translated into domain errors at the adapter's boundary."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import stripe

from domain.errors import InvalidRequest, NotFound, UpstreamUnavailable

__all__ = ["stripe_errors_translated"]


@contextmanager
def stripe_errors_translated(resource: str) -> Iterator[None]:
    """Run a Stripe call; its errors become domain errors.

    Messages are ours, never Stripe's: theirs can echo request details (a masked API key,
    ids of other objects) that a client of this API has no business seeing.

    Args:
        resource: what a `resource_missing` answer means to the caller ("Stripe customer").
    """
    try:
        yield
    except stripe.CardError:
        raise InvalidRequest(
            "The payment method was declined.", reason="payment_declined"
        ) from None
    except stripe.InvalidRequestError as error:
        if error.code == "resource_missing":
            raise NotFound(resource) from None
        # Anything else is a request Stripe found wrong: our configuration, not the user.
        raise UpstreamUnavailable("Stripe refused the request.", reason="bad_response") from error
    except stripe.APIConnectionError as error:
        timed_out = "timed out" in str(error).lower() or "timeout" in str(error).lower()
        raise UpstreamUnavailable(
            "Stripe could not be reached.", reason="timeout" if timed_out else "connect"
        ) from error
    except stripe.StripeError as error:
        # Authentication, permission, rate limit, idempotency and server errors alike.
        raise UpstreamUnavailable(
            "Stripe failed to answer the request.", reason="bad_response"
        ) from error
