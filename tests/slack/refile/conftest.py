"""Re-filing tests: the form counts days on the sandbox's clock (SANDBOX_START), U123 is the
porting admin, and what the bot asks Twilio to create and cancel is recorded."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Bot
from tests.slack.refile.flow import ADMIN


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
