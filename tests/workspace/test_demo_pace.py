"""Local mode's demo pace: the sandbox python -m bot builds goes at a person's pace on today's
calendar (PORTING_SANDBOX_SPEED still asks for the fast clock), the desk's day stays on the
real calendar however far a request is fast-forwarded, one digest a real day however fast the
sandbox's clock runs, and the sandbox panel's Send digest now posts today's whatever the hour."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager

from bot.server import PortingApp, create_app
from bot.settings import Settings
from tests.helpers import file_request
from tests.workspace.local_bot import LocalBot, free_port


def _local(tmp_path: Path, **values: object) -> Settings:
    with contextlib.chdir(tmp_path):  # nothing configured: local mode's own database, here
        settings = Settings(_env_file=None, port=free_port(), porting_desk_day_seconds=0, **values)
    assert settings.local_mode
    return settings


@pytest.fixture
async def own(tmp_path: Path, clean_slack_env: None) -> AsyncIterator[PortingApp]:
    app = create_app(_local(tmp_path))
    async with LifespanManager(app):
        yield app


def test_local_mode_paces_the_sandbox_for_a_person_unless_a_speed_is_set(
    tmp_path: Path, clean_slack_env: None
) -> None:
    assert _local(tmp_path).sandbox_person_paced
    assert not _local(tmp_path, porting_sandbox_speed=6720).sandbox_person_paced
    slack_app = Settings(
        _env_file=None, slack_bot_token="xoxb-1", slack_signing_secret="s", porting_sandbox=True
    )
    assert not slack_app.sandbox_person_paced and slack_app.sandbox_speed == 6720


async def test_the_calendar_stays_todays_when_a_request_is_fast_forwarded(
    own: PortingApp,
) -> None:
    runtime = own.runtime
    sandbox = runtime.sandbox
    assert sandbox is not None and sandbox.config.pace == "person" and sandbox.running
    request = await file_request(runtime.twilio, sandbox, ["+14155550100"])
    sid = request.request_sid
    for _ in range(4):  # review, LOA, carrier's answer, the port (10 days out)
        assert await sandbox.fast_forward(sid) is not None
    assert sandbox.request(sid).status.value == "completed"
    real = datetime.now(UTC)
    for clock in (sandbox.now, runtime.desk.clock()):
        assert abs(clock - real) < timedelta(minutes=1), "the calendar is still today's"
    assert runtime.desk.today() == runtime.desk.calendar.local_date(real)


async def test_send_digest_now_posts_todays_digest_whatever_the_hour(local: LocalBot) -> None:
    runtime = local.app.runtime
    request = await file_request(runtime.twilio, local.sandbox, ["+14155550100"])
    await runtime.desk.follow(request.request_sid, local.settings.porting_channel or "")
    await local.settle()
    evening = datetime(2026, 11, 2, 21, 30, tzinfo=UTC)  # after working hours: none by itself
    runtime.desk.day.clock = lambda: evening
    await runtime.desk.day.tick()
    await local.settle()
    assert _digests(local) == []

    async with httpx.AsyncClient(base_url=local.url) as http:
        forged = await http.post("/workspace/ui/digest")
        assert forged.status_code == 403
        for _ in range(2):
            sent = await http.post("/workspace/ui/digest", headers={"X-Workspace": "1"})
            assert sent.json() == {"ok": True, "channels": 1}
            await local.settle()
    digests = _digests(local)
    assert len(digests) == 2, "each press posts one"
    assert "1 open request" in digests[-1]


async def test_local_mode_posts_one_digest_a_real_day_however_fast_the_sandbox_runs(
    local: LocalBot,
) -> None:
    runtime = local.app.runtime
    request = await file_request(runtime.twilio, local.sandbox, ["+14155550100"])
    await runtime.desk.follow(request.request_sid, local.settings.porting_channel or "")
    await local.settle()
    day = runtime.desk.day
    day.real_clock = lambda: datetime(2026, 11, 2, 12, 0, tzinfo=UTC)  # one real day…
    for morning in (2, 3, 4):  # …while the sandbox's clock passes three business mornings
        desk_now = datetime(2026, 11, morning, 9, 5, tzinfo=UTC)
        day.clock = lambda at=desk_now: at
        await day.tick()
        await local.settle()
    assert len(_digests(local)) == 1
    day.real_clock = lambda: datetime(2026, 11, 3, 12, 0, tzinfo=UTC)  # the next real day
    await day.tick()
    await local.settle()
    assert len(_digests(local)) == 2


def _digests(local: LocalBot) -> list[str]:
    channel = local.settings.porting_channel or ""
    return [
        str(m.get("text"))
        for m in local.workspace.state.in_channel(channel)
        if "Porting digest" in str(m.get("text"))
    ]
