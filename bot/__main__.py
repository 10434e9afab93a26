"""``python -m bot`` serves the bot; ``python -m bot migrate`` brings the database schema up to
date; ``python -m bot register-webhook`` points Twilio at it; ``python -m bot doctor`` checks a
configuration before it goes live (:mod:`bot.doctor`)."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys

import httpx
import uvicorn

from bot import doors
from bot.setting_names import read_settings
from bot.settings import Settings, SettingsError

# Libraries that log what passes through them at DEBUG: slack_sdk and slack_bolt whole
# Socket Mode envelopes and request bodies (form submissions carry PINs and account numbers),
# httpx/httpcore and aiohttp the URLs of Slack files, aiosqlite every statement with its
# values (customers' names and addresses). Pinned at WARNING whatever LOG_LEVEL says.
QUIET_LOGGERS = (
    "slack_sdk",
    "slack_bolt",
    "httpx",
    "httpcore",
    "aiohttp",
    "websockets",
    "aiosqlite",
)


def _settings(*, serving: bool = True) -> Settings:
    """The settings, or exit 2 with one line naming what is wrong. ``serving``: the bot will
    take requests, so PORTING_ADMINS must say who may file and cancel."""
    try:
        settings, warnings = read_settings(serving=serving)
    except SettingsError as error:
        print(f"porting-bot: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    for warning in warnings:
        print(f"porting-bot: warning: {warning}", file=sys.stderr)
    return settings


class QuietLibraries(logging.Filter):
    """Drops QUIET_LOGGERS' records below WARNING whatever level their logger was given
    (Bolt copies the root's level onto each logger it makes, so a level on a parent is not
    enough)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING:
            return True
        return not any(
            record.name == name or record.name.startswith(name + ".") for name in QUIET_LOGGERS
        )


def quiet_libraries() -> None:
    """QUIET_LOGGERS never below WARNING, whatever LOG_LEVEL gave the root (call after the
    log handlers are in place)."""
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLogger().level))
    quiet = QuietLibraries()
    for handler in logging.getLogger().handlers:
        handler.addFilter(quiet)


def serve() -> None:
    settings = _settings()
    from bot.logs import configure

    configure(settings.log_format, settings.log_level)
    quiet_libraries()
    if settings.local_mode:
        from bot.workspace.local import fresh_database

        fresh_database(settings.database_url)
        logging.getLogger("bot").info(
            "local mode: no Slack app configured, so the bot serves its own workspace at "
            "http://127.0.0.1:%d/ (Twilio: the built-in sandbox; database: %s). To connect a "
            "real Slack app instead, set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (README: "
            "Creating the Slack app).",
            settings.port,
            settings.database_url,
        )
    elif not settings.porting_channel:
        logging.getLogger("bot").warning(
            "PORTING_CHANNEL is not set: threads open where someone presses Follow, and "
            "requests filed elsewhere wait until someone follows them"
        )
    from bot.server import create_app

    config = uvicorn.Config(
        create_app(settings),
        # Local mode is a demo with no Slack in front: this machine only.
        host="127.0.0.1" if settings.local_mode else "0.0.0.0",
        port=settings.port,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        limit_concurrency=doors.LIMIT_CONCURRENCY,
        timeout_keep_alive=doors.KEEP_ALIVE_SECONDS,
        log_config=None,  # its loggers propagate to bot.logs' handler (LOG_FORMAT)
        log_level=settings.log_level.lower(),
        # Its access lines are INFO: above that level uvicorn would still build each line's
        # arguments (the path quoted again) on every request before the level drops it.
        access_log=logging.getLogger().getEffectiveLevel() <= logging.INFO,
    )
    if settings.local_mode:
        from bot.workspace.local import Server

        Server(config).run()  # ends the page's push streams when told to stop
    else:
        uvicorn.Server(config).run()


async def register_webhook() -> None:
    settings = _settings(serving=False)
    if settings.porting_sandbox:
        print("porting-bot: the sandbox registers its webhook itself at start-up.", file=sys.stderr)
        raise SystemExit(2)
    if not settings.public_url:
        print(
            "porting-bot: PUBLIC_URL is not set: set it to the bot's https:// address.",
            file=sys.stderr,
        )
        raise SystemExit(2)
    from bot.port_out import PATH as PORT_OUT_PATH
    from bot.porting.client import TwilioPortingClient
    from bot.porting.errors import TwilioError
    from bot.porting.registration import register_port_in_webhook

    async with httpx.AsyncClient(timeout=settings.twilio_timeout_seconds) as http:
        client = TwilioPortingClient(http, **settings.twilio_client_options())
        try:
            registration = await register_port_in_webhook(
                client, settings.webhook_url, port_out_url=settings.base_url + PORT_OUT_PATH
            )
            config = await client.fetch_webhook_configuration()
        except TwilioError as error:
            detail = f"({error.code}): {error.message} {error.more_info or ''}"
            print(f"porting-bot: Twilio refused {detail}", file=sys.stderr)
            raise SystemExit(1) from None
    # stdout is the configuration Twilio holds (JSON); what was left out goes to stderr.
    if registration.left_out:
        print(
            f"porting-bot: not subscribed to {', '.join(registration.left_out)}: not an event "
            "Twilio's API reference lists",
            file=sys.stderr,
        )
    for event, refusal in registration.refused:
        print(
            f"porting-bot: Twilio refused {event} ({refusal.code}: {refusal.message}); "
            "subscribed without it",
            file=sys.stderr,
        )
    if registration.left_out or registration.refused:
        print(
            "porting-bot: what those events announce is still seen: every open request is "
            f"fetched every {settings.porting_reconcile_seconds:.0f} s",
            file=sys.stderr,
        )
    print(json.dumps(config.model_dump(mode="json") if config else None, indent=2))


async def migrate_database() -> None:
    """Only DATABASE_URL matters here: a release step runs this without the Slack secrets."""
    from bot.logs import FORMATS, configure
    from bot.store.db import Database, head_revision, migrate
    from bot.store.url import DatabaseUrlError

    settings = Settings()
    configure(settings.log_format if settings.log_format in FORMATS else "text", "INFO")
    try:
        db = Database.from_url(settings.database_url)
    except DatabaseUrlError as error:
        print(f"porting-bot: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    try:
        await migrate(db.engine)
    finally:
        await db.close()
    print(f"database schema is at {head_revision()}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Porting bot")
    parser.add_argument(
        "command",
        nargs="?",
        default="serve",
        choices=["serve", "migrate", "register-webhook", "doctor"],
    )
    args = parser.parse_args(argv)
    if args.command == "doctor":
        from bot.doctor import main as doctor

        raise SystemExit(asyncio.run(doctor()))
    if args.command == "register-webhook":
        asyncio.run(register_webhook())
    elif args.command == "migrate":
        asyncio.run(migrate_database())
    else:
        serve()


if __name__ == "__main__":
    main()
