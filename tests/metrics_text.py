"""Reading ``GET /metrics``'s Prometheus text in tests."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def samples(text: str) -> Samples:
    """Every sample: (name, its labels) → value (counters under their ``_total`` name)."""
    found: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return found


def value(found: Samples, name: str, **labels: str) -> float:
    """One sample's value (0 when absent: a counter not incremented yet)."""
    return found.get((name, frozenset(labels.items())), 0.0)


def names(text: str) -> set[str]:
    """The metric names a rule may use: every sample's name (``_total``, ``_bucket``…)."""
    return {name for name, _ in samples(text)}
