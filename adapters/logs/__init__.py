"""Log sinks: how request log rows leave the hot path."""
