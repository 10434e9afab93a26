"""Portability checks (/port-check, the /port-in re-check) and the check runs kept so the person
who asked can share them or start a port-in from them."""

from __future__ import annotations

import asyncio
import json
import random
import uuid
from collections.abc import Awaitable, Callable, Sequence

from bot import metrics
from bot.desk.types import CheckResult, Progress
from bot.porting.client import TwilioPortingClient
from bot.porting.errors import TwilioError
from bot.store import check_runs
from bot.store.db import Database
from bot.store.models import CheckRun


class Checks:
    def __init__(
        self,
        twilio: TwilioPortingClient,
        db: Database,
        *,
        concurrency: int = 40,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.twilio = twilio
        self.db = db
        self.concurrency = concurrency
        self._sleep = sleep

    async def check_portability(
        self, numbers: Sequence[str], on_progress: Progress | None = None
    ) -> list[CheckResult]:
        """Check every number with bounded concurrency; results keep the input order."""
        semaphore = asyncio.Semaphore(self.concurrency)
        results: list[CheckResult | None] = [None] * len(numbers)
        done = 0

        async def one(index: int, number: str) -> None:
            nonlocal done
            async with semaphore:
                results[index] = result = await self._check_one(number)
            metrics.PORTABILITY_CHECKS.labels(result.outcome).inc()
            done += 1
            if on_progress is not None:
                await on_progress(done, len(numbers))

        await asyncio.gather(*(one(i, n) for i, n in enumerate(numbers)))
        return [r for r in results if r is not None]

    async def _check_one(self, number: str) -> CheckResult:
        # The client already retries 429s; if Twilio keeps throttling, this batch slows down
        # further instead of failing the number.
        for attempt in range(12):
            try:
                portability = await self.twilio.check_portability(number)
                return CheckResult.from_portability(portability)
            except TwilioError as error:
                if error.status != 429 and not (error.retryable and attempt < 2):
                    return CheckResult.from_error(number, error)
                await self._sleep(min(30.0, 1.0 * 2**attempt) * random.uniform(0.5, 1.0))
        return CheckResult.from_error(
            number, TwilioError(429, 20429, "Twilio kept rate-limiting this check")
        )

    # -- check runs (kept so the person who asked can share them) ---------------------------

    async def save_check(
        self,
        user_id: str,
        channel_id: str | None,
        results: Sequence[CheckResult],
        invalid: Sequence[str],
    ) -> str:
        run = CheckRun(
            id=uuid.uuid4().hex,
            user_id=user_id,
            channel_id=channel_id,
            results=json.dumps([r.model_dump(mode="json") for r in results]),
            invalid=json.dumps(list(invalid)),
        )
        await check_runs.save(self.db, run)
        return run.id

    async def load_check(self, check_id: str) -> tuple[CheckRun, list[CheckResult], list[str]]:
        run = await check_runs.get(self.db, check_id)
        if run is None:
            raise LookupError(f"No check with id {check_id}")
        results = [CheckResult.model_validate(r) for r in json.loads(run.results)]
        return run, results, json.loads(run.invalid)
