"""Shared test helpers: filing a sandbox port-in through the real Twilio client."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.porting.client import TwilioPortingClient
from bot.porting.models import (
    Address,
    LosingCarrierInformation,
    PortInCreate,
    PortInNumberCreate,
    PortInRequest,
)
from bot.sandbox import Sandbox

PIN = "73914"
ACCOUNT_NUMBER = "5550001234"


async def file_request(
    twilio: TwilioPortingClient, sandbox: Sandbox, numbers: list[str], *, pin: str | None = PIN
) -> PortInRequest:
    document = await twilio.upload_document(
        content=b"%PDF-1.4 utility bill", filename="bill.pdf", content_type="application/pdf"
    )
    body = PortInCreate(
        account_sid=sandbox.config.account_sid,
        documents=[document.sid],
        phone_numbers=[
            PortInNumberCreate(phone_number=n, pin=pin if n.startswith("+141555502") else None)
            for n in numbers
        ],
        losing_carrier_information=LosingCarrierInformation(
            customer_name="Acme Plumbing LLC",
            customer_type="Business",
            account_number=ACCOUNT_NUMBER,
            account_telephone_number=numbers[0],
            authorized_representative="Jane Doe",
            authorized_representative_email="jane@acme.example",
            address=Address(
                street="1 Main St", city="San Francisco", state="CA", zip="94105", country="US"
            ),
        ),
        target_port_in_date=(sandbox.now + timedelta(days=10)).date(),
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
