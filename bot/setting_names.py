"""The names an operator set (environment and ``.env``) held against the bot's own settings.

A name one or two letters away from one of ours (``PORTING_ADMIN``, ``SLACK_SIGNING_SECERT``)
is a typo that would silently leave the setting unset: start-up stops with "did you mean …".
Any other ``SLACK_``/``TWILIO_``/``PORTING_`` name we do not read gets one warning line; an
unknown ``SLACK_``/``TWILIO_`` one (``SLACK_TOKEN``, ``TWILIO_SID``) also means somebody was
configuring a real deployment, so the local demo does not start on top of it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

from bot.settings import Settings, SettingsError

PREFIXES = ("SLACK_", "TWILIO_", "PORTING_")
DEPLOYMENT_PREFIXES = ("SLACK_", "TWILIO_")
NEAR = 2  # edits (a letter added, dropped, changed, or two swapped) that make a typo


def distance(a: str, b: str) -> int:
    """Edits between ``a`` and ``b`` (optimal string alignment: swaps count once)."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            row[j] = min(rows[i - 1][j] + 1, row[j - 1] + 1, rows[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[i - 2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


@dataclass
class Review:
    typos: list[tuple[str, str]] = field(default_factory=list)  # (set, ours)
    unknown: list[str] = field(default_factory=list)

    @property
    def error(self) -> str | None:
        if not self.typos:
            return None
        return "; ".join(
            f"{given} is not a setting: did you mean {ours}?" for given, ours in self.typos
        )

    def warnings(self) -> list[str]:
        return [
            f"{name} is set but is not one of this bot's settings; it is ignored"
            for name in self.unknown
        ]

    @property
    def deployment_names(self) -> list[str]:
        """Unknown names that still say a real deployment was meant."""
        return [n for n in self.unknown if n.startswith(DEPLOYMENT_PREFIXES)]


def review(given: Iterable[str], ours: Iterable[str]) -> Review:
    known = {name.upper() for name in ours}
    result = Review()
    for name in sorted({n.upper() for n in given}):
        if name in known or not name.startswith(PREFIXES):
            continue
        near = sorted((distance(name, k), k) for k in known)
        if near and near[0][0] <= NEAR:
            result.typos.append((name, near[0][1]))
        else:
            result.unknown.append(name)
    return result


def given_names(environ: Mapping[str, str] | None = None, env_file: Path | None = None) -> set[str]:
    """Every name set in the environment and in ``.env`` (where pydantic-settings reads)."""
    names = set(os.environ if environ is None else environ)
    path = Path(".env") if env_file is None else env_file
    if path.is_file():
        names |= {name for name in dotenv_values(path) if name}
    return names


def read_settings(
    make: Callable[[], Settings] = Settings, *, serving: bool = True
) -> tuple[Settings, list[str]]:
    """The settings as start-up takes them, and the warnings to print; raises SettingsError
    with one line naming what is wrong: a near-miss name, a deployment's name over the local
    demo, anything :meth:`Settings.check` refuses. ``serving``: the bot will take requests, so
    PORTING_ADMINS must say who may file and cancel. (``python -m bot`` and ``doctor``.)"""
    names = review(given_names(), Settings.model_fields)
    if names.error:
        raise SettingsError(names.error)
    settings = make()
    if settings.local_mode and names.deployment_names:
        unknown = ", ".join(names.deployment_names)
        raise SettingsError(
            f"{unknown} set, so this looks like a real deployment, but none of the bot's "
            "Slack or Twilio settings are: set SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, "
            "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (README: Settings), or unset "
            f"{unknown} for the local demo."
        )
    settings.check(admins=serving)
    return settings, names.warnings()
