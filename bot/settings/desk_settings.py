"""The porting desk's settings: how requests are followed (checks, polls, coalescing, board
edits), the desk's day (its time zone, reminders, the digest, its clock) and go-live (profiles,
retries, the inventory sweep), with the parsed values the desk reads."""

from __future__ import annotations

import re
from datetime import time
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AwareDatetime
from pydantic_settings import BaseSettings

from bot.desk.profiles import Profiles, ProfilesError, load_profiles
from bot.settings.rules import SettingsError

_LOA_DAYS = 30  # Twilio cancels a request whose LOA is not signed within 30 days (seed 001)


class DeskSettings(BaseSettings):
    """PORTING_* but the channel, the admins and the sandbox (one group of :class:`Settings`)."""

    porting_check_concurrency: int = 40
    # Every open request is fetched from Twilio this often (webhooks or not), spread out.
    porting_reconcile_seconds: float = 300.0
    # Webhooks for one request this close together become one change set (one thread reply).
    porting_coalesce_seconds: float = 2.0
    # A request's status board is edited at most this often, whatever the event rate.
    porting_board_seconds: float = 5.0
    # The porting desk's day (reminders, the daily digest): its clock and business days.
    porting_timezone: str = "UTC"  # IANA name; working hours 09:00–17:00 there
    porting_loa_remind_days: str = "7,3,1"  # days before the LOA deadline to remind
    porting_stale_days: int = 5  # business days without movement before a nudge
    porting_digest_at: str = "09:00"  # HH:MM local time on business days, or "off"
    # A digest with nothing new since the one before it: "short" (one line saying so) or
    # "skip" (not posted).
    porting_digest_when_quiet: Literal["short", "skip"] = "short"
    # How often each process looks for reminders and digests that fell due (0: never; tests
    # drive the desk's day by hand with their own clock). Exactly once whatever the count.
    porting_desk_day_seconds: float = 30.0
    # Run the desk's day from this moment (ISO 8601, e.g. 2026-11-03T09:05:00Z) instead of
    # now, at real speed: demos of a Monday morning, and tests of several real processes.
    # Unset: the sandbox's clock in sandbox mode, else the system clock.
    porting_desk_clock: AwareDatetime | None = None
    # Go-live profiles (a YAML file, ``bot.desk.profiles``): how arriving numbers are set up.
    # Unset: none (local mode uses the shipped example, examples/profiles.yml).
    porting_profiles: str | None = None
    # A number that completed but is not in the account yet is looked for again this long
    # before it is named as missing.
    porting_golive_retry_seconds: float = 3600.0
    # How often one process sweeps the account's numbers for ones that left (0: never).
    porting_inventory_seconds: float = 900.0

    @property
    def desk_timezone(self) -> ZoneInfo:
        """PORTING_TIMEZONE as a zone (raises SettingsError for a name it does not know)."""
        return _desk_timezone(self.porting_timezone)

    @property
    def loa_remind_days(self) -> tuple[int, ...]:
        """PORTING_LOA_REMIND_DAYS, largest first (empty or ``off``: no LOA reminders)."""
        return _loa_remind_days(self.porting_loa_remind_days)

    @property
    def digest_time(self) -> time | None:
        """PORTING_DIGEST_AT as a local time of day (None: ``off``, no digest)."""
        return _digest_time(self.porting_digest_at)

    def profiles(self) -> Profiles:
        """The go-live profiles PORTING_PROFILES names (raises SettingsError, one line per
        mistake in the file)."""
        try:
            return load_profiles(self.porting_profiles)
        except ProfilesError as error:
            raise SettingsError(
                "PORTING_PROFILES has mistakes:\n"
                + "\n".join(f"  - {line}" for line in error.lines)
            ) from None


def _loa_remind_days(given: str) -> tuple[int, ...]:
    text = given.strip()
    if text.lower() in ("", "off"):
        return ()
    words = [w for w in re.split(r"[\s,;]+", text) if w]
    if not all(w.isascii() and w.isdigit() and int(w) < _LOA_DAYS for w in words):
        raise SettingsError(
            f"PORTING_LOA_REMIND_DAYS {given!r} must be whole days before the LOA deadline, "
            f"0 to {_LOA_DAYS - 1}, separated by commas (such as 7,3,1), or off."
        )
    return tuple(sorted({int(w) for w in words}, reverse=True))


def _digest_time(given: str) -> time | None:
    text = given.strip()
    if text.lower() == "off":
        return None
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", text)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise SettingsError(
            f"PORTING_DIGEST_AT {given!r} must be a time of day as HH:MM (24-hour, in "
            "PORTING_TIMEZONE, such as 09:00), or off."
        )
    return time(int(match[1]), int(match[2]))


def _desk_timezone(given: str) -> ZoneInfo:
    try:
        return ZoneInfo(given.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(
            f"PORTING_TIMEZONE {given!r} is not a time zone: use an IANA name such as "
            "America/New_York, Europe/London or UTC."
        ) from None
