"""A 1,000-number port-in through its whole lifecycle: how many Slack messages, and nothing lost.
The driver (``tests/lifecycle.py``) is shared with ``tests/test_big_request.py``.

Run: python bench/lifecycle.py [numbers]
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.lifecycle import report, run


async def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    result = await run(count)
    print(report(result))
    assert result.webhooks >= 4 * count, "the lifecycle sends at least 4 webhooks per number"
    assert result.messages <= 40, f"{result.messages} Slack messages (target ≤ 40)"
    assert not result.lost and not result.announced_twice and not result.unannounced
    assert not result.regressions and result.busiest_second <= 1


if __name__ == "__main__":
    asyncio.run(main())
