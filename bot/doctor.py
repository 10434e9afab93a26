"""``python -m bot doctor``: check a configuration before it goes live.

One line per check, each failure with what to do about it; the exit status is 1 when any check
failed. The checks ask the real services what the bot will need from them: the settings (the
same validation start-up runs, :meth:`bot.settings.Settings.check`), Slack (the token, its
scopes against ``manifest.yml``, the channel, PORTING_ADMINS), Twilio (the credentials, the
porting webhook configuration), the database (reachable, migrated) and PUBLIC_URL's
``/healthz``. Nothing is changed anywhere: the fixes are for the operator to run.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from pydantic import ValidationError

from bot.doctor_result import Result, fail, ok
from bot.settings import Settings, SettingsError

HEALTH_TIMEOUT = 5.0  # seconds, for PUBLIC_URL/healthz


def read_settings(
    make: Callable[[], Settings] = Settings,
) -> tuple[Settings | None, list[Result]]:
    """The settings as ``python -m bot`` reads and checks them (:func:`bot.setting_names.
    read_settings`: near-miss names, a deployment's name over the demo, ``Settings.check``),
    and the lines saying so."""
    from bot.setting_names import read_settings as startup_settings

    try:
        settings, warnings = startup_settings(make)
    except SettingsError as error:
        return None, [fail("settings", str(error), "fix that setting (README: Settings)")]
    except ValidationError as error:
        problem = error.errors(include_url=False)[0]
        name = str(problem["loc"][0]).upper() if problem["loc"] else "a setting"
        return None, [fail("settings", f"{name}: {problem['msg']}", f"correct {name}")]
    if settings.local_mode:
        return None, [
            fail(
                "settings",
                "nothing is configured: this is local mode (the demo workspace and the sandbox)",
                "set SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN), "
                "TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, PORTING_ADMINS, PUBLIC_URL and "
                "DATABASE_URL (README: Deploying)",
            )
        ]
    mode = "Socket Mode" if settings.socket_mode else "HTTP events"
    twilio = "the built-in sandbox" if settings.porting_sandbox else "a Twilio account"
    noted = [Result("settings", "warn", warning) for warning in warnings]
    return settings, [ok("settings", f"valid (Slack over {mode}, {twilio})"), *noted]


async def run(make: Callable[[], Settings] = Settings) -> list[Result]:
    """Every check, in order; with unusable settings, only that one."""
    settings, results = read_settings(make)
    if settings is None:
        return results
    from bot.doctor_slack import slack_checks

    results += await slack_checks(settings)
    results += await twilio_checks(settings)
    results.append(await database_check(settings))
    results.append(await health_check(settings))
    return results


async def twilio_checks(settings: Settings) -> list[Result]:
    """The credentials work, and the porting webhook goes to PUBLIC_URL with the events the
    bot reads (one call: the webhook configuration)."""
    if settings.porting_sandbox:
        note = "PORTING_SANDBOX=true: the built-in simulator, not Twilio"
        fix = "set PORTING_SANDBOX=false with a Twilio account to go live"
        return [Result("twilio", "warn", note, fix), Result("twilio webhook", "skip", note)]
    from bot.porting.client import TwilioPortingClient
    from bot.porting.errors import TwilioError

    async with httpx.AsyncClient(timeout=settings.twilio_timeout_seconds) as http:
        client = TwilioPortingClient(http, **settings.twilio_client_options(), max_retries=1)
        try:
            config = await client.fetch_webhook_configuration()
        except TwilioError as error:
            refused = error.status in (401, 403)
            fix = (
                "copy TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (or the API key pair) again "
                "from the Twilio Console"
                if refused
                else f"see {error.more_info}"
            )
            detail = f"Twilio answered {error.status} ({error.code}): {error.message}"
            return [fail("twilio", detail, fix), Result("twilio webhook", "skip", "no answer")]
        except httpx.HTTPError as error:
            detail = f"could not reach {settings.twilio_numbers_url} ({type(error).__name__})"
            fix = "check the network path to Twilio (and TWILIO_NUMBERS_URL)"
            return [fail("twilio", detail, fix), Result("twilio webhook", "skip", "no answer")]
    return [
        ok("twilio", f"credentials accepted for {settings.account_sid}"),
        webhook(settings, config),
    ]


def webhook(settings: Settings, config: object) -> Result:
    from bot.porting.models import WebhookConfiguration
    from bot.porting.statuses import ALL_PORT_IN_EVENTS, TWILIO_WEBHOOK_EVENTS

    name, fix = "twilio webhook", "run `python -m bot register-webhook`"
    if not settings.public_url:
        return fail(name, "PUBLIC_URL is not set, so Twilio has nowhere to send", "set PUBLIC_URL")
    if not isinstance(config, WebhookConfiguration) or not config.port_in_target_url:
        return fail(name, "no port-in webhook is configured", fix)
    if config.port_in_target_url != settings.webhook_url:
        detail = f"port-ins go to {config.port_in_target_url}, not {settings.webhook_url}"
        return fail(name, detail, fix)
    needed = [e for e in ALL_PORT_IN_EVENTS if e in TWILIO_WEBHOOK_EVENTS]
    missing = [e for e in needed if e not in (config.notifications_of or [])]
    if missing:
        return fail(name, f"not subscribed to {', '.join(missing)}", fix)
    return ok(name, f"{settings.webhook_url}, {len(needed)} events")


async def database_check(settings: Settings) -> Result:
    from bot.store.db import Database, SchemaError, check_schema
    from bot.store.url import DatabaseUrl

    url = DatabaseUrl.parse(settings.database_url)
    fix = "run `python -m bot migrate` (the release step)"
    if url.backend == "sqlite":
        path = url.require_file().sqlite_path
        if not await asyncio.to_thread(Path(path).is_file):  # connecting would create it
            return fail("database", f"no database file at {path}", fix)
    db = Database.from_url(url)
    try:
        await check_schema(db.engine)
    except SchemaError as error:
        return fail("database", str(error).split(":")[0], fix)
    except Exception as error:  # the driver's own errors: unreachable, refused, unknown db
        detail = f"cannot connect ({type(error).__name__}: {str(error).splitlines()[0][:120]})"
        return fail("database", detail, "check DATABASE_URL and that the database accepts it")
    finally:
        await db.close()
    return ok("database", f"{url.backend}, reachable, schema at the latest revision")


async def health_check(settings: Settings) -> Result:
    if not settings.public_url:
        return Result("public url", "skip", "PUBLIC_URL is not set")
    url = f"{settings.public_url}/healthz"
    fix = (
        "start the bot (`python -m bot`) and make PUBLIC_URL reach it: DNS, TLS, the proxy's "
        "route to its PORT"
    )
    try:
        async with httpx.AsyncClient(timeout=HEALTH_TIMEOUT, follow_redirects=False) as http:
            response = await http.get(url)
    except httpx.HTTPError as error:
        return fail("public url", f"{url} did not answer ({type(error).__name__})", fix)
    if response.status_code != 200:
        return fail("public url", f"{url} answered {response.status_code}", fix)
    where = (
        "from this machine only (a private address: Slack and Twilio cannot reach it)"
        if _private(settings.public_url)
        else "from this machine"
    )
    return ok("public url", f"{url} answers 200, {where}")


def _private(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return not ipaddress.ip_address(host).is_global
    except ValueError:
        return False


def report(results: list[Result], echo: Callable[[str], object] = print) -> int:
    """Print one line per check and a summary; the exit status (1 if any failed)."""
    for result in results:
        echo(result.line())
    failed = [r.name for r in results if r.status == "fail"]
    if failed:
        echo(f"{len(failed)} of {len(results)} checks failed: {', '.join(failed)}")
        return 1
    echo(f"all {len(results)} checks passed")
    return 0


async def main(make: Callable[[], Settings] = Settings) -> int:
    return report(await run(make))
