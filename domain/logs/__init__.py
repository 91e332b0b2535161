"""Request logs: one row per metered call, their cursor and what they may keep of a call."""
