"""Pointing Twilio's port-in webhooks at the bot (``python -m bot register-webhook``).

The bot knows more event names than Twilio's API reference lists (``ALL_PORT_IN_EVENTS`` vs
``TWILIO_WEBHOOK_EVENTS``), and Twilio answers 400 for a configuration naming one it does not
accept, which used to make the whole registration fail. So the registration subscribes only
to names Twilio lists, and if Twilio still refuses some (a 400 naming them), registers again
without them; either way the caller is told what was left out. What a left-out event would
have announced is still found: every open request is fetched every reconcile interval.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.porting.client import TwilioPortingClient
from bot.porting.errors import TwilioError
from bot.porting.models import WebhookConfiguration
from bot.porting.statuses import ALL_PORT_IN_EVENTS, TWILIO_WEBHOOK_EVENTS

PORT_OUT_EVENT = "PortOutPhoneNumberCompleted"


@dataclass(frozen=True)
class WebhookRegistration:
    configuration: WebhookConfiguration  # what Twilio answered
    subscribed: tuple[str, ...]
    left_out: tuple[str, ...]  # not in Twilio's list, never sent
    refused: tuple[tuple[str, TwilioError], ...]  # sent, refused by name, then left out


async def register_port_in_webhook(
    client: TwilioPortingClient,
    url: str,
    wanted: Iterable[str] = ALL_PORT_IN_EVENTS,
    accepted: Iterable[str] = TWILIO_WEBHOOK_EVENTS,
    *,
    port_out_url: str | None = None,
) -> WebhookRegistration:
    """Set the port-in webhook to ``url`` for every wanted event Twilio accepts, and with
    ``port_out_url`` the port-out target too (with its event, where Twilio sends it). Raises
    TwilioError when Twilio refuses otherwise than by naming some of the events, and never
    sends an empty list (to Twilio that means every event, port-outs included)."""
    known = set(accepted)
    wanted = list(dict.fromkeys([*wanted, *([PORT_OUT_EVENT] if port_out_url else [])]))
    events = [e for e in wanted if e in known]
    left_out = tuple(e for e in wanted if e not in known)
    refused: list[tuple[str, TwilioError]] = []
    while True:
        if not events:
            raise ValueError(f"none of the webhook events {wanted} is one Twilio accepts")
        try:
            configuration = await client.set_webhook_configuration(
                url, events, port_out_target_url=port_out_url
            )
        except TwilioError as error:
            named = _named_events(error, events)
            if not named or len(named) == len(events):
                raise
            refused.extend((event, error) for event in named)
            events = [e for e in events if e not in named]
            continue
        return WebhookRegistration(configuration, tuple(events), left_out, tuple(refused))


def _named_events(error: TwilioError, events: list[str]) -> list[str]:
    """The events a 400 names as the problem (Twilio's message, or its details)."""
    if error.status != 400:
        return []
    text = f"{error.message} {error.details or ''}"
    return [e for e in events if re.search(rf"(?<![A-Za-z]){re.escape(e)}(?![A-Za-z])", text)]
