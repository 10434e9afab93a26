"""``manifest.socket.yml`` is ``manifest.yml`` for Socket Mode, generated from it: the test
fails the moment one is edited without regenerating the other."""

from __future__ import annotations

import yaml

from bot.workspace.socket_manifest import socket_manifest, socket_variant
from tests.procs import ROOT

HTTP = ROOT / "manifest.yml"
SOCKET = ROOT / "manifest.socket.yml"


def test_the_socket_manifest_is_generated_from_manifest_yml() -> None:
    assert SOCKET.read_text(encoding="utf-8") == socket_manifest(HTTP.read_text("utf-8")), (
        "manifest.socket.yml is stale: python -m bot.workspace.socket_manifest > "
        "manifest.socket.yml"
    )


def test_the_socket_variant_has_no_urls_and_socket_mode_on() -> None:
    http = yaml.safe_load(HTTP.read_text(encoding="utf-8"))
    socket = yaml.safe_load(SOCKET.read_text(encoding="utf-8"))
    assert http["settings"]["socket_mode_enabled"] is False
    assert socket["settings"]["socket_mode_enabled"] is True
    assert "url" not in SOCKET.read_text(encoding="utf-8").replace("PUBLIC_URL", "")
    # Everything else is the same app: commands, shortcuts, scopes, events.
    assert [c["command"] for c in socket["features"]["slash_commands"]] == [
        c["command"] for c in http["features"]["slash_commands"]
    ]
    assert socket["oauth_config"] == http["oauth_config"]
    assert socket["features"]["shortcuts"] == http["features"]["shortcuts"]
    assert socket["settings"]["event_subscriptions"] == {
        "bot_events": http["settings"]["event_subscriptions"]["bot_events"]
    }


def test_a_url_added_to_manifest_yml_stays_out_of_the_socket_variant() -> None:
    data = {"features": {"slash_commands": [{"command": "/x", "url": "https://a/slack/events"}]}}
    assert socket_variant(data) == {
        "features": {"slash_commands": [{"command": "/x"}]},
        "settings": {"socket_mode_enabled": True},
    }
