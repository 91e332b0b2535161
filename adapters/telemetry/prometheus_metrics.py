"""PrometheusMetrics: the service's counters and histograms, in the Prometheus text format.

Each instance owns a private registry (several apps in one test process never collide). When
`PROMETHEUS_MULTIPROC_DIR` is set (`specmcp serve --workers N` sets it), prometheus_client
writes every value to files in that directory and `render` sums the files of all workers, so
any worker answers a scrape for the whole server.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

__all__ = ["TOOL_CALL_OUTCOMES", "PrometheusMetrics"]

TOOL_CALL_OUTCOMES = ("ok", "is_error", "blocked", "invalid", "upstream_error")
"""ok: 2xx upstream answer; is_error: another status; blocked: quota, budget or plan limit;
invalid: unknown tool, bad arguments or no usable credential; upstream_error: no answer."""

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
_MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"


class PrometheusMetrics:
    """Everything the service measures; methods are cheap enough for the call path."""

    def __init__(self) -> None:
        self._registry = CollectorRegistry(auto_describe=True)
        r = self._registry
        self._requests = Counter(
            "specmcp_http_requests",
            "HTTP requests answered, by route template and status.",
            ("method", "route", "status"),
            registry=r,
        )
        self._latency = Histogram(
            "specmcp_http_request_duration_seconds",
            "Time to answer an HTTP request, by route template.",
            ("method", "route"),
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self._tool_calls = Counter(
            "specmcp_tool_calls",
            "MCP tool calls by outcome (ok, is_error, blocked, invalid, upstream_error).",
            ("outcome",),
            registry=r,
        )
        self._upstream = Histogram(
            "specmcp_upstream_duration_seconds",
            "Time the upstream API took to answer a tool call.",
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self._refusals = Counter(
            "specmcp_gate_refusals",
            "Requests or calls refused before any work, by gate and reason.",
            ("gate", "reason"),
            registry=r,
        )
        self._backlog = Gauge(
            "specmcp_log_writer_backlog_rows",
            "Request log rows waiting to be written.",
            registry=r,
            multiprocess_mode="livesum",
        )
        self._jobs = Counter(
            "specmcp_job_runs",
            "Runs of periodic jobs in this process (one per period across instances).",
            ("job",),
            registry=r,
        )
        for outcome in TOOL_CALL_OUTCOMES:
            self._tool_calls.labels(outcome)
        # The labelled children, found once: `labels()` validates and looks up on every use.
        # They are as many as prometheus_client's own children (one per label combination).
        self._http_children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}
        self._outcome_children: dict[str, Counter] = {}

    def http_request(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        children = self._http_children.get(key)
        if children is None:
            children = (
                self._requests.labels(method, route, str(status)),
                self._latency.labels(method, route),
            )
            self._http_children[key] = children
        children[0].inc()
        children[1].observe(seconds)

    def tool_call(self, outcome: str, upstream_seconds: float | None = None) -> None:
        child = self._outcome_children.get(outcome)
        if child is None:
            child = self._outcome_children.setdefault(outcome, self._tool_calls.labels(outcome))
        child.inc()
        if upstream_seconds is not None:
            self._upstream.observe(upstream_seconds)

    def refusal(self, gate: str, reason: str) -> None:
        self._refusals.labels(gate, reason).inc()

    def log_backlog(self, rows: int) -> None:
        self._backlog.set(rows)

    def job_run(self, job: str) -> None:
        self._jobs.labels(job).inc()

    def render(self) -> tuple[bytes, str]:
        """The exposition text (all workers' when in multiprocess mode) and its media type."""
        if os.environ.get(_MULTIPROC_DIR):
            registry = CollectorRegistry()
            MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            return generate_latest(registry), CONTENT_TYPE_LATEST
        return generate_latest(self._registry), CONTENT_TYPE_LATEST
