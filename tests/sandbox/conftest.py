"""Fixtures: a sandbox on a fixed simulated clock, a client for it, and a webhook receiver."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from bot.sandbox import Sandbox, SandboxConfig

from .helpers import START, Receiver, SandboxFactory, client_for


@pytest.fixture
def receiver() -> Receiver:
    return Receiver()


@pytest.fixture
async def make_sandbox(receiver: Receiver) -> AsyncIterator[SandboxFactory]:
    made: list[Sandbox] = []
    hook_client = httpx.AsyncClient(transport=httpx.ASGITransport(app=receiver.app))

    async def factory(**overrides: Any) -> Sandbox:
        settings: dict[str, Any] = {
            "start_time": START,
            "seed": 7,
            "webhook_retry_backoff_seconds": 0,
        }
        settings.update(overrides)
        sandbox = Sandbox(SandboxConfig(**settings), http_client=hook_client)
        made.append(sandbox)
        return sandbox

    yield factory
    for sandbox in made:
        await sandbox.aclose()
    await hook_client.aclose()


@pytest.fixture
async def sandbox(make_sandbox: SandboxFactory) -> Sandbox:
    return await make_sandbox()


@pytest.fixture
async def client(sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(sandbox) as c:
        yield c
