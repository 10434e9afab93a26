"""A big request with duplicated and out-of-order webhooks: one thread reply per change set,
each number change announced exactly once and never backwards, nothing lost, Slack paced.

Runs the driver of ``bench/lifecycle.py`` (``tests/lifecycle.py``) with fewer numbers and a faster
clock.
"""

from __future__ import annotations

from tests.lifecycle import report, run


async def test_250_numbers_with_duplicate_and_out_of_order_webhooks() -> None:
    result = await run(
        250, duplicate=0.25, out_of_order=0.25, window=0.3, board=0.6, pace=0.2, step_pause=0.5
    )
    summary = report(result)
    assert result.webhooks >= 1000 and result.duplicates > 100, summary
    assert not result.lost, summary
    assert not result.announced_twice and not result.unannounced, summary
    assert not result.regressions, summary
    assert result.messages <= 40, summary
    assert result.min_gap >= 0.19, f"writes to a channel closer than the pace: {summary}"
