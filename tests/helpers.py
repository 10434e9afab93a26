"""Shared test helpers: filing a sandbox port-in through the real Twilio client."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.porting.client import TwilioPortingClient
from bot.porting.models import PortInRequest
from bot.sandbox import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN, Sandbox
from tests.bodies import BILL_PDF, PIN, port_in_create, with_pins


def sandbox_twilio(http: httpx.AsyncClient, **options: Any) -> TwilioPortingClient:
    """The real Twilio client on ``http`` (a transport to the sandbox), every host at it."""
    return TwilioPortingClient(
        http,
        numbers_url="http://sandbox.local",
        upload_url="http://sandbox.local",
        api_url="http://sandbox.local",
        messaging_url="http://sandbox.local",
        credentials=(SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN),
        account_sid=SANDBOX_ACCOUNT_SID,
        **options,
    )


async def file_request(
    twilio: TwilioPortingClient, sandbox: Sandbox, numbers: list[str], *, pin: str | None = PIN
) -> PortInRequest:
    document = await twilio.upload_document(
        content=BILL_PDF, filename="bill.pdf", content_type="application/pdf"
    )
    mobiles = {n: pin for n in numbers if pin is not None and n.startswith("+141555502")}
    body = port_in_create(
        sandbox.config.account_sid,
        [document.sid],
        with_pins(numbers, mobiles),
        account_telephone_number=numbers[0],
        target=(sandbox.now + timedelta(days=10)).date(),
        notification_emails=None,
    )
    return await twilio.create_port_in(body)


async def refuse_schedule_rows(engine: AsyncEngine) -> None:
    """A real database failure for fault tests: a trigger refuses new ``request_sync`` rows
    (so a webhook's transaction fails after its receipt went in). Undo with
    :func:`allow_schedule_rows`."""
    async with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            await conn.execute(
                text(
                    "CREATE TRIGGER refuse BEFORE INSERT ON request_sync "
                    "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END"
                )
            )
            return
        await conn.execute(
            text(
                "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'disk I/O error'; END $$ LANGUAGE plpgsql"
            )
        )
        await conn.execute(
            text(
                "CREATE TRIGGER refuse BEFORE INSERT ON request_sync "
                "FOR EACH ROW EXECUTE FUNCTION refuse()"
            )
        )


async def allow_schedule_rows(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        on_table = " ON request_sync" if conn.dialect.name == "postgresql" else ""
        await conn.execute(text("DROP TRIGGER refuse" + on_table))
