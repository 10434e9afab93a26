"""Start-up settings: a missing or contradictory setting names itself and the fix."""

import subprocess
import sys
from datetime import time

import pytest

from bot.sandbox.config import SANDBOX_ACCOUNT_SID
from bot.settings import Settings, SettingsError

BASE = {
    "slack_bot_token": "xoxb-1",
    "slack_signing_secret": "s",
    "porting_admins": "*",
    "_env_file": None,
}


def test_sandbox_needs_only_slack_tokens() -> None:
    s = Settings(**BASE, porting_sandbox=True)
    s.check()
    assert s.twilio_account_sid == SANDBOX_ACCOUNT_SID
    assert s.webhook_url == "http://127.0.0.1:3000/twilio/porting"
    assert s.database_url.startswith("sqlite:///")


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"slack_bot_token": ""}, "SLACK_BOT_TOKEN"),
        ({"slack_bot_token": "xoxp-1"}, "SLACK_BOT_TOKEN"),
        ({"slack_signing_secret": ""}, "SLACK_SIGNING_SECRET"),
        ({"porting_sandbox": False}, "PORTING_SANDBOX=true"),
        ({"porting_channel": "#porting"}, "PORTING_CHANNEL"),
        ({"twilio_account_sid": "AC123"}, "TWILIO_ACCOUNT_SID"),
        ({"public_url": "bot.example.com"}, "PUBLIC_URL"),
        ({"log_format": "logfmt"}, "LOG_FORMAT must be text or json"),
    ],
)
def test_bad_settings_name_the_setting(overrides: dict, named: str) -> None:
    values = {**BASE, "porting_sandbox": True, **overrides}
    with pytest.raises(SettingsError, match=named):
        Settings(**values).check()


def test_api_key_pair_must_be_complete() -> None:
    s = Settings(
        **BASE,
        twilio_account_sid="AC" + "a" * 32,
        twilio_auth_token="t",
        twilio_api_key_sid="SK" + "b" * 32,
    )
    with pytest.raises(SettingsError, match="TWILIO_API_KEY_SECRET"):
        s.check()


def test_api_key_used_for_rest_when_set() -> None:
    s = Settings(
        **BASE,
        twilio_account_sid="AC" + "a" * 32,
        twilio_auth_token="t",
        twilio_api_key_sid="SK1",
        twilio_api_key_secret="sec",
    )
    assert s.twilio_credentials == ("SK1", "sec")


def test_python_m_bot_exits_with_one_clear_line(tmp_path) -> None:
    env = {"PATH": "/usr/bin:/bin", "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "TWILIO_ACCOUNT_SID" in lines[0] and "PORTING_SANDBOX=true" in lines[0]


def test_porting_admins_are_user_and_group_ids_or_an_explicit_star() -> None:
    def admins(value: str) -> Settings:
        return Settings(**{**BASE, "porting_admins": value}, porting_sandbox=True)

    s = admins("U0123ABC, W0456DEF S0789GHI")
    s.check()
    assert s.admin_ids == ("U0123ABC", "W0456DEF", "S0789GHI")
    everyone = admins(" * ")
    everyone.check()
    assert everyone.admin_ids == ()
    with pytest.raises(SettingsError, match="PORTING_ADMINS has '@maria'"):
        admins("U0123ABC @maria").check()
    with pytest.raises(SettingsError, match=r"PORTING_ADMINS mixes \*"):
        admins("U0123ABC *").check()


def test_desk_day_defaults() -> None:
    s = Settings(**BASE, porting_sandbox=True)
    s.check()
    assert s.desk_timezone.key == "UTC"
    assert s.loa_remind_days == (7, 3, 1)
    assert s.porting_stale_days == 5
    assert s.digest_time == time(9, 0)


def test_desk_day_settings_are_read() -> None:
    s = Settings(
        **BASE,
        porting_sandbox=True,
        porting_timezone="America/New_York",
        porting_loa_remind_days="1, 10;3 3",
        porting_stale_days=3,
        porting_digest_at="8:30",
    )
    s.check()
    assert s.desk_timezone.key == "America/New_York"
    assert s.loa_remind_days == (10, 3, 1)
    assert s.digest_time == time(8, 30)
    off = Settings(
        **BASE, porting_sandbox=True, porting_digest_at="OFF", porting_loa_remind_days=""
    )
    off.check()
    assert off.digest_time is None and off.loa_remind_days == ()


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"porting_timezone": "Mars/Olympus"}, "PORTING_TIMEZONE 'Mars/Olympus' is not a time"),
        ({"porting_timezone": "../etc/passwd"}, "PORTING_TIMEZONE"),
        ({"porting_timezone": ""}, "PORTING_TIMEZONE"),
        ({"porting_loa_remind_days": "7,three"}, "PORTING_LOA_REMIND_DAYS '7,three'"),
        ({"porting_loa_remind_days": "30"}, "PORTING_LOA_REMIND_DAYS"),
        ({"porting_loa_remind_days": "-1"}, "PORTING_LOA_REMIND_DAYS"),
        ({"porting_stale_days": 0}, "PORTING_STALE_DAYS"),
        ({"porting_digest_at": "9am"}, "PORTING_DIGEST_AT '9am'"),
        ({"porting_digest_at": "24:00"}, "PORTING_DIGEST_AT"),
        ({"porting_digest_at": "09:60"}, "PORTING_DIGEST_AT"),
    ],
)
def test_bad_desk_day_settings_name_the_setting(overrides: dict, named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        Settings(**BASE, porting_sandbox=True, **overrides).check()
