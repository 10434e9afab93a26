"""The app's manifest (``manifest.yml``) as the workspace needs it: which slash commands and
shortcuts exist (the composer suggests them, and a command Slack does not know is refused),
and whether the App Home tab and the Messages tab are on."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

log = logging.getLogger(__name__)

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "manifest.yml"


@dataclass(frozen=True)
class SlashCommand:
    command: str
    description: str = ""
    usage_hint: str = ""


@dataclass(frozen=True)
class Shortcut:
    name: str
    type: str  # "message" or "global"
    callback_id: str
    description: str = ""


@dataclass(frozen=True)
class Manifest:
    name: str = "App"
    bot_name: str = "App"
    commands: tuple[SlashCommand, ...] = ()
    shortcuts: tuple[Shortcut, ...] = ()
    home_tab: bool = False
    messages_tab: bool = True
    messages_read_only: bool = False
    bot_events: tuple[str, ...] = field(default=())
    bot_scopes: tuple[str, ...] = field(default=())  # oauth_config.scopes.bot

    def command(self, name: str) -> SlashCommand | None:
        return next((c for c in self.commands if c.command == name), None)

    def shortcut(self, callback_id: str) -> Shortcut | None:
        return next((s for s in self.shortcuts if s.callback_id == callback_id), None)

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "bot_name": self.bot_name,
            "commands": [c.__dict__ for c in self.commands],
            "shortcuts": [s.__dict__ for s in self.shortcuts],
            "home_tab": self.home_tab,
            "messages_tab": self.messages_tab,
            "messages_read_only": self.messages_read_only,
        }


def parse(text: str) -> Manifest:
    data = yaml.safe_load(text) or {}
    features = data.get("features") or {}
    home = features.get("app_home") or {}
    events = ((data.get("settings") or {}).get("event_subscriptions") or {}).get("bot_events")
    return Manifest(
        name=str((data.get("display_information") or {}).get("name") or "App"),
        bot_name=str((features.get("bot_user") or {}).get("display_name") or "App"),
        commands=tuple(
            SlashCommand(
                str(c["command"]), str(c.get("description", "")), str(c.get("usage_hint", ""))
            )
            for c in features.get("slash_commands") or []
        ),
        shortcuts=tuple(
            Shortcut(
                str(s["name"]), str(s["type"]), str(s["callback_id"]), str(s.get("description", ""))
            )
            for s in features.get("shortcuts") or []
        ),
        home_tab=bool(home.get("home_tab_enabled", False)),
        messages_tab=bool(home.get("messages_tab_enabled", True)),
        messages_read_only=bool(home.get("messages_tab_read_only_enabled", False)),
        bot_events=tuple(str(e) for e in events or []),
        bot_scopes=tuple(
            str(s) for s in ((data.get("oauth_config") or {}).get("scopes") or {}).get("bot") or []
        ),
    )


def load(path: Path | None = None) -> Manifest:
    """The manifest at ``path`` (default: the repository's ``manifest.yml``, else the one in
    the current directory)."""
    candidates = [path] if path else [DEFAULT_PATH, Path.cwd() / "manifest.yml"]
    for candidate in candidates:
        if candidate.is_file():
            return parse(candidate.read_text(encoding="utf-8"))
    log.warning("no manifest.yml: the local workspace knows no slash commands")
    return Manifest()


@functools.cache
def default_scopes() -> tuple[str, ...]:
    """The bot scopes ``manifest.yml`` asks for: what a workspace grants its token unless told
    otherwise (read once per process)."""
    return load().bot_scopes
