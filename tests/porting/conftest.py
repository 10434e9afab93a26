"""Fixtures for the TwilioPortingClient tests: a client factory on a FakeTwilio, with the
sleeps its retries ask for recorded instead of slept."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from bot.porting.client import TwilioPortingClient
from tests.porting.client_fakes import ACCOUNT, PASSWORD, TIMEOUT, USERNAME, FakeTwilio, MaxJitter


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
async def make(sleeps: list[float]) -> AsyncIterator[Callable[..., TwilioPortingClient]]:
    opened: list[httpx.AsyncClient] = []

    async def fake_sleep(delay: float) -> None:
        sleeps.append(delay)

    def factory(fake: FakeTwilio, **kwargs: Any) -> TwilioPortingClient:
        http = httpx.AsyncClient(transport=httpx.MockTransport(fake))
        opened.append(http)
        options: dict[str, Any] = {
            "credentials": (USERNAME, PASSWORD),
            "account_sid": ACCOUNT,
            "timeout": TIMEOUT,
            "sleep": fake_sleep,
            "rng": MaxJitter(),
        }
        options.update(kwargs)
        return TwilioPortingClient(http, **options)

    yield factory
    for http in opened:
        await http.aclose()
