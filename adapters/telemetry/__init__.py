"""Telemetry adapters: Prometheus metrics."""
