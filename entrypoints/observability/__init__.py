"""Request ids in context, JSON logs, HTTP metrics and the /metrics route."""
