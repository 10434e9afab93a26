"""Go-live profiles from PORTING_PROFILES: the shipped example reads; every mistake in a file is
one line naming the profile, the setting and the fix; python -m bot refuses to start with them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.desk.profiles import NONE, ProfilesError, load_profiles, parse_profiles
from bot.porting.account import IncomingNumber

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "bot" / "workspace" / "profiles.yml"
MG = "MG" + "a" * 32


def test_the_shipped_example_reads() -> None:
    profiles = load_profiles(EXAMPLE)
    assert profiles.default == "standard" and profiles.names == [
        "marketing",
        "sip-trunk",
        "standard",
    ]
    standard = profiles.get("standard")
    assert standard is not None and standard.voice == "https://voice.acme.example/incoming"
    assert profiles.get(NONE) is None and profiles.known(NONE) and not profiles.known("other")
    assert load_profiles(None).profiles == {}


def test_settings_say_what_they_would_change() -> None:
    profile = parse_profiles(
        {"profiles": {"p": {"voice_url": "https://v.example", "messaging_service_sid": MG}}}
    ).get("p")
    assert profile is not None and profile.messaging == f"Messaging Service {MG}"
    number = IncomingNumber(sid="PN" + "1" * 32, phone_number="+14155550100")
    assert profile.settings.differs(number)
    assert profile.settings.form() == {"VoiceUrl": "https://v.example"}, "the service is apart"
    done = number.model_copy(update={"voice_url": "https://v.example"})
    assert not profile.settings.differs(done)


def test_every_mistake_is_one_line() -> None:
    data = {
        "default": "missing",
        "extra": 1,
        "profiles": {
            "a": {"voice_url": "ftp://x", "trunk_sid": "TK1", "colour": "red"},
            "none": {"sms_url": "https://s.example"},
            "b": {"sms_url": "https://s.example", "messaging_service_sid": MG},
            "c": {},
            "d": "not a mapping",
        },
    }
    with pytest.raises(ProfilesError) as raised:
        parse_profiles(data, "p.yml")
    assert raised.value.lines == [
        "p.yml: unknown key `extra` (only `default` and `profiles`)",
        "p.yml: profile `a`: unknown setting `colour` (known: voice_url, sms_url, "
        "status_callback, voice_application_sid, trunk_sid, messaging_service_sid, "
        "emergency_address_sid)",
        "p.yml: profile `a`: voice_url must be an http(s):// URL",
        "p.yml: profile `a`: trunk_sid must be TK followed by 32 hex digits",
        "p.yml: profile `a`: give one of voice_url, trunk_sid (calls go one place)",
        "p.yml: profile `none`: a name of letters, digits, - _ . (not `none`), up to 40",
        "p.yml: profile `b`: give sms_url or messaging_service_sid, not both",
        "p.yml: profile `c`: sets nothing (give voice_url or messaging_service_sid, say)",
        "p.yml: profile `d`: expected settings such as voice_url, messaging_service_sid",
        "p.yml: default `missing` is not a profile here (one of: a, none, b, c, d)",
    ]


def test_unreadable_files_are_named(tmp_path: Path) -> None:
    with pytest.raises(ProfilesError, match="cannot read it"):
        load_profiles(tmp_path / "absent.yml")
    broken = tmp_path / "broken.yml"
    broken.write_text("profiles:\n  a: [unclosed\n")
    with pytest.raises(ProfilesError, match=r"broken.yml at line \d+: not valid YAML"):
        load_profiles(broken)


def test_python_m_bot_refuses_a_bad_profile_file(tmp_path: Path) -> None:
    bad = tmp_path / "profiles.yml"
    bad.write_text("default: standard\nprofiles:\n  standard:\n    voice_url: nope\n")
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "SLACK_BOT_TOKEN": "xoxb-1",
        "SLACK_SIGNING_SECRET": "s",
        "PORTING_SANDBOX": "true",
        "PORTING_ADMINS": "*",
        "PORTING_PROFILES": str(bad),
    }
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "porting-bot: PORTING_PROFILES has mistakes:",
        f"  - {bad}: profile `standard`: voice_url must be an http(s):// URL",
    ]
