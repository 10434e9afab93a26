"""Pytest fixtures for the Slack fakes; enable with ``pytest_plugins = ["tests.fakes.fixtures"]``.

* ``clean_slack_env``: removes ``SLACK_*`` variables that change Bolt's behaviour (with
  ``SLACK_CLIENT_ID``/``SLACK_CLIENT_SECRET`` set, ``AsyncApp`` silently switches to OAuth).
* ``fake_slack``: a started :class:`~tests.fakes.slack_api.FakeSlack` per test.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fakes.slack_api import FakeSlack

SLACK_ENV_VARS = (
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
    "SLACK_SCOPES",
    "SLACK_USER_SCOPES",
    "SLACK_REDIRECT_URI",
    "SLACK_INSTALL_PATH",
    "SLACK_REDIRECT_URI_PATH",
    "SLACK_STATE_S3_BUCKET_NAME",
    "SLACK_INSTALLATION_S3_BUCKET_NAME",
    "SLACK_BOT_TOKEN",
    "SLACK_APP_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_API_URL",
)
"""Environment variables read by slack_bolt/slack_sdk (or by samples) that tests must not see."""


@pytest.fixture
def clean_slack_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Remove Slack-related environment variables for the duration of a test."""
    for name in SLACK_ENV_VARS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    """A running fake Slack Web API (new port and empty records for each test)."""
    async with FakeSlack() as slack:
        yield slack
