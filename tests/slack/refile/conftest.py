"""Re-filing tests: the sandbox starts today, U123 is the porting admin, and what the bot
asks Twilio to create and cancel is recorded."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.sandbox import SandboxConfig
from tests.conftest import Bot
from tests.slack.refile.flow import ADMIN


@pytest.fixture
def sandbox_config() -> SandboxConfig:
    # The form reads dates on the calendar (bills within 30 days, targets 7 days out): the
    # sandbox starts today so Twilio's dates and the form's agree.
    return SandboxConfig(start_time=datetime.now(UTC).replace(microsecond=0), seed=7)


@pytest.fixture
def bot_settings() -> dict:
    return {"porting_admins": ADMIN}


@pytest.fixture
def twilio_calls(bot: Bot, monkeypatch: pytest.MonkeyPatch) -> dict[str, list[Any]]:
    """What the bot asks Twilio to create and cancel (kept in test memory only)."""
    twilio = bot.runtime.twilio
    calls: dict[str, list[Any]] = {"create": [], "cancel_number": []}
    create, cancel = twilio.create_port_in, twilio.cancel_number

    async def spy_create(body):  # type: ignore[no-untyped-def]
        calls["create"].append(body.to_twilio_json())
        return await create(body)

    async def spy_cancel(request_sid: str, number_sid: str) -> None:
        calls["cancel_number"].append((request_sid, number_sid))
        await cancel(request_sid, number_sid)

    monkeypatch.setattr(twilio, "create_port_in", spy_create)
    monkeypatch.setattr(twilio, "cancel_number", spy_cancel)
    return calls
