"""Start-up decisions of ``python -m bot``: local mode only with nothing configured at all; a
real deployment with something missing (PORTING_ADMINS included) stops with one line naming
it; a near-miss setting name stops with "did you mean …"; other unknown names warn."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.setting_names import distance, review
from bot.settings import Settings, SettingsError
from tests.procs import bot_env, child_env, free_port, run_bot, sandboxed_env


def _refused(env: dict[str, str], cwd: Path) -> str:
    """The one line a refused start-up prints (exit 2)."""
    done = run_bot(env=env, cwd=cwd)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "local mode" not in done.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("given", "says"),
    [
        (
            {"DATABASE_URL": "postgresql://porting@db.internal/porting"},
            [
                "SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN "
                "and PORTING_ADMINS are not set (DATABASE_URL set, so this is a real deployment",
            ],
        ),
        ({"PORTING_SANDBOX": "false"}, ["PORTING_SANDBOX=false set", "SLACK_BOT_TOKEN"]),
        (
            {"TWILIO_AUTH_TOKEN": "t"},
            ["TWILIO_AUTH_TOKEN set", "TWILIO_ACCOUNT_SID and PORTING_ADMINS are"],
        ),
        # Misspelled secrets are not ours, yet say a deployment was meant: no demo on top.
        ({"SLACK_TOKEN": "xoxb-1", "TWILIO_SID": "AC1"}, ["SLACK_TOKEN, TWILIO_SID set"]),
    ],
)
def test_a_half_configured_deployment_never_becomes_the_local_demo(
    given: dict[str, str], says: list[str], tmp_path: Path
) -> None:
    line = _refused(child_env(**given), tmp_path)
    assert line.startswith("porting-bot: ")
    for words in says:
        assert words in line, line
    assert not (tmp_path / "porting-local.db").exists()


@pytest.mark.parametrize(
    ("typo", "meant"),
    [
        ("PORTING_ADMIN", "PORTING_ADMINS"),
        ("SLACK_SIGNING_SECERT", "SLACK_SIGNING_SECRET"),
        ("TWILIO_AUTH_TOKN", "TWILIO_AUTH_TOKEN"),
        ("porting_chanel", "PORTING_CHANNEL"),
    ],
)
def test_a_setting_name_a_letter_or_two_off_stops_start_up(
    typo: str, meant: str, tmp_path: Path
) -> None:
    line = _refused(sandboxed_env(**{typo: "U0123ABC"}), tmp_path)
    assert line == f"porting-bot: {typo.upper()} is not a setting: did you mean {meant}?"


def test_a_real_deployment_without_porting_admins_does_not_start(tmp_path: Path) -> None:
    env = {k: v for k, v in bot_env(_NoSlack(), free_port()).items() if k != "PORTING_ADMINS"}
    line = _refused(env, tmp_path)
    assert line.startswith("porting-bot: PORTING_ADMINS is not set")
    assert "or * for everyone" in line


class _NoSlack:
    url = "http://127.0.0.1:9"  # never reached: start-up stops before


def test_near_misses_and_unknown_names() -> None:
    ours = Settings.model_fields
    found = review(
        ["PORTING_ADMIN", "SLACK_SIGNING_SECERT", "PORTING_COLOUR", "SLACK_TOKEN", "HOME"], ours
    )
    assert found.typos == [
        ("PORTING_ADMIN", "PORTING_ADMINS"),
        ("SLACK_SIGNING_SECERT", "SLACK_SIGNING_SECRET"),
    ]
    assert found.unknown == ["PORTING_COLOUR", "SLACK_TOKEN"]
    assert found.deployment_names == ["SLACK_TOKEN"]
    assert found.warnings() == [
        "PORTING_COLOUR is set but is not one of this bot's settings; it is ignored",
        "SLACK_TOKEN is set but is not one of this bot's settings; it is ignored",
    ]
    assert review(["PORTING_ADMINS", "port", "PATH"], ours).typos == []
    assert distance("SECERT", "SECRET") == 1 and distance("ADMIN", "ADMINS") == 1


def test_local_mode_only_with_nothing_configured(tmp_path: Path) -> None:
    assert Settings(_env_file=None, porting_sandbox_speed=100).local_mode
    assert Settings(_env_file=None, porting_sandbox=True).local_mode
    for given in (
        {"database_url": f"sqlite:///{tmp_path}/x.db"},
        {"porting_sandbox": False},
        {"twilio_api_key_sid": "SK" + "a" * 32},
    ):
        settings = Settings(_env_file=None, **given)
        assert not settings.local_mode and settings.deployment_signs
        with pytest.raises(SettingsError, match="real deployment, not the local demo"):
            settings.check()


def test_forwarded_headers_are_believed_from_this_machine_only_by_default() -> None:
    assert Settings(_env_file=None).forwarded_allow_ips == "127.0.0.1"


def test_the_refusal_names_what_the_operator_set_not_the_sandbox_defaults() -> None:
    settings = Settings(
        _env_file=None, slack_bot_token="xoxb-1", slack_signing_secret="s", porting_sandbox=True
    )
    assert settings.deployment_signs == ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"]
    with pytest.raises(SettingsError, match=r"^PORTING_ADMINS is not set \(SLACK_BOT_TOKEN, "):
        settings.check()
