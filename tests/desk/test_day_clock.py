"""Which clock the desk's day runs on, and how often it looks, as the runtime builds it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from asgi_lifespan import LifespanManager

from bot.server import create_app
from tests.conftest import make_settings
from tests.fakes.slack_api import FakeSlack


async def test_the_demo_sandbox_drives_the_day_and_it_looks_every_simulated_half_hour(
    fake_slack: FakeSlack, tmp_path, clean_slack_env
) -> None:
    settings = make_settings(
        fake_slack, tmp_path, porting_desk_day_seconds=30.0, porting_sandbox_speed=3600.0
    )
    app = create_app(settings)  # no sandbox given: the demo's own, its clock running fast
    async with LifespanManager(app):
        runtime = app.runtime
        assert runtime.sandbox is not None
        assert runtime.desk.day.poll_seconds == 0.5  # 1,800 simulated seconds at 3,600×
        assert abs(runtime.desk.clock() - runtime.sandbox.now) < timedelta(seconds=5)


async def test_porting_desk_clock_starts_the_day_at_a_given_moment(
    fake_slack: FakeSlack, tmp_path, clean_slack_env
) -> None:
    monday = datetime(2026, 11, 9, 8, 59, tzinfo=UTC)
    settings = make_settings(
        fake_slack, tmp_path, porting_desk_clock=monday, porting_desk_day_seconds=30.0
    )
    app = create_app(settings)
    async with LifespanManager(app):
        runtime = app.runtime
        assert timedelta(0) <= runtime.desk.clock() - monday < timedelta(seconds=5)
        assert runtime.desk.day.poll_seconds == 30.0, "a given clock runs at real speed"
