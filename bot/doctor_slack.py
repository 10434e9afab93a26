"""The doctor's Slack checks (:mod:`bot.doctor`): the token works (``auth.test``) and was
granted every bot scope ``manifest.yml`` asks for (Slack lists them in the ``x-oauth-scopes``
response header), the bot is a member of PORTING_CHANNEL, and every PORTING_ADMINS entry is
a live user (``users.info``) or a user group with members (``usergroups.users.list``)."""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.doctor_result import SLACK_TIMEOUT, Result, fail, ok
from bot.settings import EVERYONE, Settings
from bot.workspace import manifest

REINSTALL = "add them under OAuth & Permissions (manifest.yml lists them), then reinstall the app"


async def slack_checks(settings: Settings) -> list[Result]:
    api = f"{settings.slack_api_url}/api/" if settings.slack_api_url else AsyncWebClient.BASE_URL
    client = AsyncWebClient(token=settings.slack_bot_token, timeout=SLACK_TIMEOUT, base_url=api)
    try:
        answer = await client.auth_test()
    except SlackApiError as error:
        code = error.response.get("error", "error")
        fix = (
            "copy the Bot User OAuth Token (xoxb-…) again from OAuth & Permissions"
            if code in ("invalid_auth", "not_authed", "token_revoked", "account_inactive")
            else "see https://api.slack.com/methods/auth.test"
        )
        skipped = [
            Result(n, "skip", "no working token")
            for n in ("slack scopes", "channel", "porting admins")
        ]
        return [fail("slack token", f"auth.test answered {code}", fix), *skipped]
    except Exception as error:  # aiohttp's connection errors, timeouts
        detail = f"could not reach Slack ({type(error).__name__})"
        skipped = [
            Result(n, "skip", "Slack unreachable")
            for n in ("slack scopes", "channel", "porting admins")
        ]
        return [fail("slack token", detail, "check the network path to slack.com"), *skipped]
    who = f"{answer.get('user')} in {answer.get('team')}"
    return [
        ok("slack token", f"works ({who})"),
        scopes(answer.headers),
        await channel(client, settings, str(answer.get("user") or "the bot")),
        await admins(client, settings),
    ]


def scopes(headers: Any) -> Result:
    granted_text = next((v for k, v in dict(headers).items() if k.lower() == "x-oauth-scopes"), "")
    granted = {s.strip() for s in str(granted_text).split(",") if s.strip()}
    wanted = manifest.load().bot_scopes
    if not wanted:
        return Result("slack scopes", "warn", "no manifest.yml here to compare with")
    missing = [s for s in wanted if s not in granted]
    if missing:
        return fail("slack scopes", f"the token lacks {', '.join(missing)}", REINSTALL)
    return ok("slack scopes", f"all {len(wanted)} of manifest.yml's bot scopes granted")


async def channel(client: AsyncWebClient, settings: Settings, bot: str) -> Result:
    name = "channel"
    if not settings.porting_channel:
        return Result(
            name,
            "warn",
            "PORTING_CHANNEL is not set: threads open only where someone presses Follow",
            "set PORTING_CHANNEL to the porting desk's channel ID",
        )
    invite = f"invite the bot: /invite @{bot} in channel {settings.porting_channel}"
    try:
        answer = await client.conversations_info(channel=settings.porting_channel)
    except SlackApiError as error:
        code = error.response.get("error", "error")
        return fail(name, f"conversations.info answered {code}", invite + " (or check the ID)")
    found = answer.get("channel") or {}
    shown = f"#{found.get('name', settings.porting_channel)}"
    if found.get("is_archived"):
        return fail(name, f"{shown} is archived", "unarchive it or set another PORTING_CHANNEL")
    if not found.get("is_member"):
        return fail(name, f"the bot is not a member of {shown}", invite)
    return ok(name, f"the bot is a member of {shown}")


async def admins(client: AsyncWebClient, settings: Settings) -> Result:
    name = "porting admins"
    ids = settings.admin_ids
    if (settings.porting_admins or "").strip() == EVERYONE:
        return ok(name, f"{EVERYONE}: everyone in the workspace may file and cancel")
    if not ids:
        return Result(
            name,
            "warn",
            "PORTING_ADMINS is not set: everyone in the workspace can file and cancel",
            "set PORTING_ADMINS to the user and user-group IDs allowed to",
        )
    problems: list[str] = []
    for admin in ids:
        problem = await _admin_problem(client, admin)
        if problem:
            problems.append(problem)
    if problems:
        fix = "correct PORTING_ADMINS (copy IDs from a profile's ⋮ menu or the group's page)"
        return fail(name, "; ".join(problems), fix)
    return ok(name, f"{len(ids)} resolve ({', '.join(ids)})")


async def _admin_problem(client: AsyncWebClient, admin: str) -> str | None:
    try:
        if admin.startswith("S"):
            answer = await client.usergroups_users_list(usergroup=admin)
            return None if answer.get("users") else f"user group {admin} has no members"
        answer = await client.users_info(user=admin)
    except SlackApiError as error:
        code = error.response.get("error", "error")
        return f"{admin}: {code}"
    user = answer.get("user") or {}
    return f"{admin} is deactivated" if user.get("deleted") else None
