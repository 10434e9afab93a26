"""``manifest.socket.yml``: the Socket Mode variant of ``manifest.yml``, generated from it so
the two never drift (``tests/test_manifests.py`` compares them).

    python -m bot.workspace.socket_manifest > manifest.socket.yml
"""

from __future__ import annotations

from typing import Any

import yaml

from bot.workspace.manifest import DEFAULT_PATH

SOCKET_HEADER = """\
# Slack app manifest for the porting bot in Socket Mode (no public URL needed for Slack).
# GENERATED from manifest.yml by `python -m bot.workspace.socket_manifest > manifest.socket.yml`;
# tests/test_manifests.py fails when the two drift. Edit manifest.yml, then regenerate.
# After creating the app: Basic Information → App-Level Tokens → a token with
# connections:write, set as SLACK_APP_TOKEN (Twilio's webhooks still need PUBLIC_URL).
"""


def socket_variant(data: dict[str, Any]) -> dict[str, Any]:
    """``manifest.yml``'s data as the Socket Mode app's: no ``url`` or ``request_url`` (Slack
    sends everything over the socket), ``socket_mode_enabled: true``, the rest as it is."""

    def without_urls(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: without_urls(v) for k, v in value.items() if k not in ("url", "request_url")}
        if isinstance(value, list):
            return [without_urls(v) for v in value]
        return value

    socket: dict[str, Any] = without_urls(data)
    socket.setdefault("settings", {})["socket_mode_enabled"] = True
    return socket


def socket_manifest(text: str) -> str:
    """The text of ``manifest.socket.yml`` for ``manifest.yml``'s ``text``."""
    body = yaml.safe_dump(
        socket_variant(yaml.safe_load(text)), sort_keys=False, allow_unicode=True, width=1000
    )
    return SOCKET_HEADER + body


if __name__ == "__main__":
    print(socket_manifest(DEFAULT_PATH.read_text(encoding="utf-8")), end="")
