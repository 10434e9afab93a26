"""Fixtures for the /port-in tests."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Bot


@pytest.fixture
def sent_bodies(bot: Bot, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Every create body the bot sends to Twilio (kept in test memory only)."""
    twilio = bot.runtime.twilio
    original = twilio.create_port_in
    bodies: list[dict[str, Any]] = []

    async def spy(body):  # type: ignore[no-untyped-def]
        bodies.append(body.to_twilio_json())
        return await original(body)

    monkeypatch.setattr(twilio, "create_port_in", spy)
    return bodies
