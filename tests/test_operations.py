"""docs/OPERATIONS.md's alerts: a valid Prometheus rule file whose every metric is one that
``/metrics`` exports, with the alerts the operations team asked for."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import Bot

DOC = Path(__file__).resolve().parent.parent / "docs" / "OPERATIONS.md"
# PromQL words that are not metric names.
KEYWORDS = {"and", "or", "unless", "by", "without", "on", "ignoring", "offset", "bool"}
KEYWORDS |= {"group_left", "group_right", "inf", "nan"}
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum")}


def rules() -> list[dict[str, Any]]:
    alerts = DOC.read_text().split("## Alerts", 1)[1]
    (block,) = re.findall(r"```yaml\n(.*?)```", alerts, re.S)
    (group,) = yaml.safe_load(block)["groups"]
    return list(group["rules"])


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression reads (label matchers, ranges, groupings,
    strings and function names taken out first)."""
    bare = re.sub(r'"[^"]*"', "", expr)
    bare = re.sub(r"\{[^}]*\}", "", bare)
    bare = re.sub(r"\[[^\]]*\]", "", bare)
    bare = re.sub(r"\b(by|without|on|ignoring)\s*\([^)]*\)", "", bare)
    bare = re.sub(r"\boffset\s+\w+", "", bare)
    names = set()
    for match in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*(\s*\()?", bare):
        word = match.group(0).rstrip("( \n")
        if match.group(1) or word.lower() in KEYWORDS:
            continue  # a function, or an operator
        names.add(word)
    return names


async def exported(bot: Bot) -> set[str]:
    text = (await bot.http.get("/metrics")).text
    names = set()
    for family in text_string_to_metric_families(text):
        suffixes = SUFFIXES.get(family.type, ("",))
        names |= {family.name + suffix for suffix in suffixes}
    return names


def test_the_expression_reader_finds_metrics_only() -> None:
    expr = (
        'histogram_quantile(0.99, sum by (instance, le) (rate(a_bucket{x="y z"}[5m])))'
        " > 2 * max(b) and c_total offset 1d unless on (job) d"
    )
    assert metric_names(expr) == {"a_bucket", "b", "c_total", "d"}


async def test_every_metric_the_alerts_use_is_exported(bot: Bot) -> None:
    names = await exported(bot)
    used: set[str] = set()
    for rule in rules():
        assert set(rule) <= {"alert", "expr", "for", "labels", "annotations"}, rule
        assert rule["labels"]["severity"] in ("page", "warning")
        assert rule["annotations"]["summary"]
        found = metric_names(str(rule["expr"]))
        assert found, rule["alert"]
        assert found <= names, f"{rule['alert']} uses {found - names}, not on /metrics"
        used |= found
    assert {
        "porting_slack_work_oldest_seconds",  # Slack work older than 5 minutes
        "porting_twilio_requests_total",  # Twilio 401s
        "porting_reconcile_lag_seconds",  # reconcile lag over two intervals
        "porting_webhooks_total",  # webhook refusals rising
    } <= used


def test_the_asked_for_alerts_say_what_they_were_asked_to() -> None:
    by_name = {rule["alert"]: str(rule["expr"]) for rule in rules()}
    assert "> 300" in by_name["PortingSlackWorkStuck"]
    assert 'code="401"' in by_name["PortingTwilioUnauthorized"]
    lag = by_name["PortingReconcileLagging"]
    assert "2 * max(porting_reconcile_interval_seconds)" in lag
    assert 'result="refused"' in by_name["PortingWebhookRefusalsRising"]
