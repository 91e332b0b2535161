"""Billing: subscriptions, the events that change them, and what is owed to the provider."""
