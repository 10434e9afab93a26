"""Canned Twilio bodies for the TwilioPortingClient tests: the create the bot sends and the
port-in, phone number and webhook configuration answers Twilio gives (no network)."""

from __future__ import annotations

from typing import Any

from bot.porting.models import PortInCreate
from bot.porting.statuses import ALL_PORT_IN_EVENTS
from tests import bodies
from tests.bodies import PIN
from tests.porting.client_fakes import ACCOUNT, KW, PU, RD


def port_in_create() -> PortInCreate:
    return bodies.port_in_create(
        ACCOUNT,
        [RD],
        [{"phone_number": "+14155550100", "pin": PIN}, {"phone_number": "+14155550101"}],
        target="2026-12-01",
        target_port_in_time_range_start="10:00:00-08:00",
        target_port_in_time_range_end="16:00:00-08:00",
    )


PORT_IN_BODY = {
    "port_in_request_sid": KW,
    "url": f"https://numbers.twilio.com/v1/Porting/PortIn/{KW}",
    "account_sid": ACCOUNT,
    "port_in_request_status": "pending",
    "phone_numbers": [
        {
            "phone_number": "+14155550100",
            "port_in_phone_number_sid": PU,
            "port_in_phone_number_status": "In Review",
            "pin": PIN,  # Twilio has echoed PINs; the model must drop them
        }
    ],
    "documents": [RD],
}

NUMBER_BODY = {
    "port_in_request_sid": KW,
    "phone_number_sid": PU,
    "account_sid": ACCOUNT,
    "phone_number": "+14155550100",
    "phone_number_type": "LOCAL",
    "port_in_phone_number_status": "in_review",
    "port_out_pin": 1234,
    "rejection_reason_code": None,
}

WEBHOOK_BODY = {
    "url": "https://numbers.twilio.com/v1/Porting/Configuration/Webhook",
    "port_in_target_url": "https://bot.example/twilio/porting",
    "port_out_target_url": None,
    "notifications_of": list(ALL_PORT_IN_EVENTS),
    "port_in_target_date_created": "2024-05-14T13:49:04Z",
}


def document_body(mime_type: str | None = "application/pdf") -> dict[str, Any]:
    return {
        "sid": RD,
        "account_sid": ACCOUNT,
        "document_type": "utility_bill",
        "friendly_name": "March bill",
        "mime_type": mime_type,
        "status": "uploaded",
        "version": 1,
    }
