"""Test support: keys, token minting and small local servers shared by the suites."""
