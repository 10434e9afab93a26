"""``GET /metrics``: this process's counters (``bot.metrics``) and, read from the database at
scrape time, what every instance shares: the Slack work waiting by kind and state, the age of
the oldest, and the reconcile lag. ``METRICS_TOKEN`` set: a Bearer token is required (compared
in constant time); a missing or wrong one is a 401 that says nothing else."""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING

from fastapi import Request, Response
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from bot import metrics
from bot.store import gauges

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

READ_TIMEOUT = 2.0  # a scrape never waits longer on the database
# The classic text format, which every Prometheus reads (the names are all plain ASCII).
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def authorized(expected: str | None, header: str | None) -> bool:
    if not expected:
        return True
    scheme, _, token = (header or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        token.strip().encode(), expected.encode()
    )


class Shared(Collector):
    """The database's gauges as this scrape read them (None: not read)."""

    def __init__(self, read: gauges.Gauges | None) -> None:
        self.read = read

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "porting_database_up", "1 when this scrape could read the database's gauges."
        )
        up.add_metric([], 1 if self.read is not None else 0)
        yield up
        if self.read is None:
            return
        work = GaugeMetricFamily(
            "porting_slack_work",
            "Slack work not yet confirmed by Slack, by kind and state (queued: waiting for a "
            "worker; in_flight: leased to one; failing: those of either with 3+ attempts, still "
            "retried). Shared by every instance: aggregate with max, not sum.",
            labels=["kind", "state"],
        )
        oldest = GaugeMetricFamily(
            "porting_slack_work_oldest_seconds",
            "Age of the oldest pending Slack work of each kind (a post: since it was queued; "
            "a board or Home edit: how overdue it is). Shared by every instance.",
            labels=["kind"],
        )
        for kind, g in self.read.slack_work.items():
            work.add_metric([kind, "queued"], g.queued)
            work.add_metric([kind, "in_flight"], g.in_flight)
            work.add_metric([kind, "failing"], g.failing)
            oldest.add_metric([kind], g.oldest_seconds)
        yield work
        yield oldest
        yield GaugeMetricFamily(
            "porting_reconcile_lag_seconds",
            "Since the least recently fetched followed request was last read from Twilio. "
            "Shared by every instance.",
            value=self.read.reconcile_lag_seconds,
        )
        yield GaugeMetricFamily(
            "porting_requests_followed",
            "Port-in requests the reconciler follows. Shared by every instance.",
            value=self.read.followed,
        )


class _Process(Collector):
    def collect(self) -> Iterator[Metric]:
        yield from metrics.REGISTRY.collect()


async def exposition(runtime: Runtime) -> bytes:
    """The Prometheus text: this process's metrics, then the database's as read now."""
    try:
        read: gauges.Gauges | None = await asyncio.wait_for(gauges.read(runtime.db), READ_TIMEOUT)
    except Exception as error:
        log.warning("metrics: the database's gauges were not read (%s)", type(error).__name__)
        read = None
    scrape = CollectorRegistry(auto_describe=False)
    scrape.register(_Process())
    scrape.register(Shared(read))
    return generate_latest(scrape)


async def serve(runtime: Runtime, request: Request) -> Response:
    if not authorized(runtime.settings.metrics_token, request.headers.get("authorization")):
        return Response(
            "unauthorized",
            status_code=401,
            media_type="text/plain; charset=utf-8",
            headers={"www-authenticate": "Bearer"},
        )
    return Response(await exposition(runtime), media_type=CONTENT_TYPE)
