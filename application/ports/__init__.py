"""Ports: small protocols named by role; adapters implement them."""
