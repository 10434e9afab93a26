"""The process's Prometheus metrics: every metric object, and the few calls that update them.

One registry per process (not prometheus_client's multiprocess mode): each ``python -m bot``
is its own server and its own scrape target, so each serves the counters of what it did itself
and Prometheus adds them up across instances (docs/OPERATIONS.md). What is shared by all of
them (the Slack work queued, the reconcile lag) lives in the database and is read at scrape
time by :mod:`bot.scrape`, so any instance answers the same.

This module imports nothing of the bot's own: the Twilio layer, the desk and the Slack side
all count through it. Label values are bounded: kinds, results and methods from fixed sets,
Twilio paths templated (:func:`twilio_endpoint`), never a SID or a phone number.
"""

from __future__ import annotations

import functools
import re

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    disable_created_metrics,
)

# No ``_created`` twin of every series: Prometheus does not need it.
disable_created_metrics()  # type: ignore[no-untyped-call]

REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)  # process_resident_memory_bytes, process_cpu_seconds_total…
PlatformCollector(registry=REGISTRY)

_FAST = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

# -- Slack work (the outbox) -------------------------------------------------------------------

SLACK_DELIVERIES = Counter(
    "porting_slack_deliveries",
    "Attempts to deliver one piece of queued Slack work, by kind and result (sent, failed: "
    "Slack refused or did not answer, deferred: waits for earlier work, lease_lost: another "
    "process holds it, error: a bug while rendering).",
    ["kind", "result"],
    registry=REGISTRY,
)
SLACK_CALLS = Counter(
    "porting_slack_api_calls",
    "Slack Web API calls by method and result (ok, or Slack's error code, or the exception).",
    ["method", "result"],
    registry=REGISTRY,
)
SLACK_RETRIES = Counter(
    "porting_slack_api_retries",
    "Slack Web API calls retried by the client, by method and reason (rate_limited: a 429).",
    ["method", "reason"],
    registry=REGISTRY,
)

# -- Twilio ------------------------------------------------------------------------------------

WEBHOOKS = Counter(
    "porting_webhooks",
    "Twilio porting webhooks answered, by result: accepted (stored), duplicate (stored "
    "before), refused (bad signature or body: 4xx), unavailable (database down: 503).",
    ["result"],
    registry=REGISTRY,
)
WEBHOOK_SECONDS = Histogram(
    "porting_webhook_response_seconds",
    "Time from a webhook's arrival to its 2xx (stored and committed).",
    buckets=_FAST,
    registry=REGISTRY,
)
TWILIO_CALLS = Counter(
    "porting_twilio_requests",
    "HTTP requests to Twilio (every attempt, retries included), by templated endpoint, method "
    "and status code ('unreachable' when no answer came).",
    ["endpoint", "method", "code"],
    registry=REGISTRY,
)
TWILIO_SECONDS = Histogram(
    "porting_twilio_request_seconds",
    "Latency of one HTTP request to Twilio, by templated endpoint and method.",
    ["endpoint", "method"],
    buckets=_FAST,
    registry=REGISTRY,
)
PORTABILITY_CHECKS = Counter(
    "porting_portability_checks",
    "Numbers checked for portability, by outcome (portable, not_portable, error).",
    ["outcome"],
    registry=REGISTRY,
)

# -- this process ------------------------------------------------------------------------------

LOOP_LAG = Histogram(
    "porting_event_loop_lag_seconds",
    "How late the event loop ran a timer due every 100 ms (a blocking call shows here).",
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
    registry=REGISTRY,
)
RECONCILE_INTERVAL = Gauge(
    "porting_reconcile_interval_seconds",
    "PORTING_RECONCILE_SECONDS: how often every open request is fetched from Twilio.",
    registry=REGISTRY,
)

# Children resolved once: the webhook route is the busiest, a label lookup per call adds up.
_WEBHOOK = {r: WEBHOOKS.labels(r) for r in ("accepted", "duplicate", "refused", "unavailable")}


def webhook_answered(result: str, seconds: float) -> None:
    """One webhook answered; ``seconds`` since it arrived (observed for a 2xx only)."""
    _WEBHOOK[result].inc()
    if result in ("accepted", "duplicate"):
        WEBHOOK_SECONDS.observe(seconds)


def twilio_request(method: str, path: str, code: int | str, seconds: float) -> None:
    endpoint = twilio_endpoint(path)
    TWILIO_CALLS.labels(endpoint, method, str(code)).inc()
    TWILIO_SECONDS.labels(endpoint, method).observe(seconds)


_SID = re.compile(r"[A-Z]{2}[0-9a-fA-F]{32}")
_WORD = re.compile(r"[A-Za-z][A-Za-z_-]{0,39}")


@functools.lru_cache(maxsize=512)
def twilio_endpoint(path: str) -> str:
    """``/v1/Porting/PortIn/KW…/PhoneNumber/PU…`` → ``/v1/Porting/PortIn/{KW}/PhoneNumber/{PU}``:
    a SID becomes its type, any other segment that is not a plain word (a phone number, an
    id) becomes ``{id}``: one series per endpoint, never per resource."""
    segments = []
    for segment in path.split("/")[1:9]:
        if _SID.fullmatch(segment):
            segments.append("{" + segment[:2] + "}")
        elif segment.lower() == "v1" or _WORD.fullmatch(segment):
            segments.append(segment)
        else:
            segments.append("{id}")
    return "/" + "/".join(segments)


_SLACK_RESULT = re.compile(r"[a-z_]{1,48}")


def slack_result(error: str | None) -> str:
    """A Slack error code as a label value (anything not shaped like one: ``other``)."""
    if error is None:
        return "ok"
    return error if _SLACK_RESULT.fullmatch(error) else "other"
