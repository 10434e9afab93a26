"""The start-up rules: what a deployment lacks (every missing setting at once, with where to
find it) and the first setting that is wrong, as a :class:`SettingsError` naming the fix.
``Settings.check`` and ``Settings.missing`` are these; ``python -m bot doctor`` prints them."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.errors import PortingBotError
from bot.settings.slack_settings import EVERYONE
from bot.store.url import DatabaseUrl, DatabaseUrlError

if TYPE_CHECKING:
    from bot.settings.model import Settings

_ADMIN_ID = re.compile(r"^[UWS][A-Z0-9]{2,}$")


class SettingsError(PortingBotError):
    """A missing or contradictory setting; the message names the setting and the fix."""


def missing(settings: Settings, admins: bool) -> list[tuple[str, str]]:
    """What this deployment lacks to start: (setting names, where to find them).
    ``admins``: whether PORTING_ADMINS is needed (to serve, not to register a webhook)."""
    found: list[tuple[str, str]] = []
    if not settings.slack_bot_token:
        found.append(
            (
                "SLACK_BOT_TOKEN",
                "copy the Bot User OAuth Token (xoxb-…) from your Slack app's OAuth & "
                "Permissions page",
            )
        )
    if not settings.socket_mode and not settings.slack_signing_secret:
        found.append(
            (
                "SLACK_SIGNING_SECRET",
                "copy it from your Slack app's Basic Information page (or set "
                "SLACK_APP_TOKEN to use Socket Mode)",
            )
        )
    if not settings.porting_sandbox:
        for name in ("twilio_account_sid", "twilio_auth_token"):
            if not getattr(settings, name):
                found.append(
                    (
                        name.upper(),
                        "copy them from the Twilio Console (the auth token also verifies "
                        "webhook signatures), or set PORTING_SANDBOX=true to use the "
                        "built-in simulator",
                    )
                )
    if admins and not settings.local_mode and not (settings.porting_admins or "").strip():
        found.append(
            (
                "PORTING_ADMINS",
                "list who may file and cancel port-ins (Slack user IDs U…/W…, user-group "
                "IDs S…), or * for everyone in the workspace",
            )
        )
    return found


def _refuse_missing(settings: Settings, admins: bool) -> None:
    """Everything missing at once, in one line, with where to find each."""
    lacking = missing(settings, admins)
    if lacking:
        names = [name for name, _ in lacking]
        listed = ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]
        why = (
            f" ({', '.join(settings.deployment_signs)} set, so this is a real deployment, not "
            "the local demo)"
            if settings.deployment_signs
            else ""
        )
        hints: dict[str, list[str]] = {}
        for name, hint in lacking:
            hints.setdefault(hint, []).append(name)
        how = "; ".join(f"{', '.join(named)}: {hint}" for hint, named in hints.items())
        raise SettingsError(f"{listed} {'are' if len(names) > 1 else 'is'} not set{why}. {how}.")


def check(settings: Settings, admins: bool) -> None:
    """Raise SettingsError naming what stops the bot from working: everything missing at
    once, in one line, then the first setting that is wrong."""
    _refuse_missing(settings, admins)
    if not settings.slack_bot_token.startswith("xoxb-"):
        raise SettingsError("SLACK_BOT_TOKEN must be a bot token starting with xoxb-.")
    if not settings.socket_mode and not settings.slack_signing_secret:
        raise SettingsError(
            "SLACK_SIGNING_SECRET is not set: copy it from your Slack app's Basic Information "
            "page (or set SLACK_APP_TOKEN to use Socket Mode)."
        )
    if settings.slack_app_token and not settings.slack_app_token.startswith("xapp-"):
        raise SettingsError("SLACK_APP_TOKEN must be an app-level token starting with xapp-.")
    if not settings.porting_sandbox:
        if bool(settings.twilio_api_key_sid) != bool(settings.twilio_api_key_secret):
            raise SettingsError(
                "TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET go together: set both or neither."
            )
    if settings.twilio_account_sid and not _is_sid(settings.twilio_account_sid, "AC"):
        raise SettingsError("TWILIO_ACCOUNT_SID must look like AC followed by 32 hex digits.")
    if settings.porting_channel and not settings.porting_channel.startswith(("C", "G")):
        raise SettingsError(
            "PORTING_CHANNEL must be a channel ID such as C0123ABCD (not a #name): open the "
            "channel details in Slack and copy the ID at the bottom."
        )
    if settings.public_url and not settings.public_url.startswith(("http://", "https://")):
        raise SettingsError("PUBLIC_URL must start with https:// (or http:// for local use).")
    try:
        DatabaseUrl.parse(settings.database_url).require_file()
    except DatabaseUrlError as error:
        raise SettingsError(str(error)) from None
    if settings.porting_check_concurrency < 1:
        raise SettingsError("PORTING_CHECK_CONCURRENCY must be at least 1.")
    if settings.porting_reconcile_seconds < 10:
        raise SettingsError(
            "PORTING_RECONCILE_SECONDS must be at least 10: every open request is fetched "
            "from Twilio that often."
        )
    if settings.porting_coalesce_seconds < 0 or settings.porting_board_seconds < 0:
        raise SettingsError("PORTING_COALESCE_SECONDS and PORTING_BOARD_SECONDS must be ≥ 0.")
    _ = (
        settings.desk_timezone,
        settings.loa_remind_days,
        settings.digest_time,
    )  # each raises if bad
    if settings.porting_stale_days < 1:
        raise SettingsError(
            "PORTING_STALE_DAYS must be at least 1: business days an open request may go "
            "without movement before the desk is nudged."
        )
    if settings.porting_inventory_seconds < 0 or 0 < settings.porting_inventory_seconds < 5:
        raise SettingsError(
            "PORTING_INVENTORY_SECONDS must be 0 (no sweeps) or at least 5: the account's "
            "numbers are swept that often (900, every 15 minutes, suits most accounts)."
        )
    settings.profiles()  # raises SettingsError naming every mistake in the file
    if settings.log_format not in ("text", "json"):
        raise SettingsError(
            f"LOG_FORMAT must be text or json (one JSON object a line), not "
            f"{settings.log_format!r}."
        )
    if EVERYONE in settings.admin_ids:
        raise SettingsError(
            f"PORTING_ADMINS mixes {EVERYONE} with IDs: {EVERYONE} alone means everyone, or "
            "list the IDs only."
        )
    bad = [i for i in settings.admin_ids if not _ADMIN_ID.match(i)]
    if bad:
        raise SettingsError(
            f"PORTING_ADMINS has {bad[0]!r}, which is not a Slack user ID (U…/W…) or "
            "user-group ID (S…): copy IDs from a profile's ⋮ menu → Copy member ID, or from "
            "the user group's page."
        )


def _is_sid(value: str, prefix: str) -> bool:
    rest = value[2:]
    return (
        value.startswith(prefix)
        and len(value) == 34
        and all(c in "0123456789abcdefABCDEF" for c in rest)
    )
