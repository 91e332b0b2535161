"""Persistence adapters: the repositories and the unit of work, in SQL and in memory."""
