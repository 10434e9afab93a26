"""The Signing link button: Twilio's ``signature_request_url``, fetched fresh through the
desk and shown ephemerally to the person who filed the request; anyone else is told who can.

The link signs the LOA, so it is a credential. It goes out only in the ephemeral answer to
the button's ``response_url``, posted with a logger that never writes request bodies (the
Slack SDK logs what it sends at DEBUG), and it is never stored or posted in a channel.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.desk import SigningLink
from bot.porting.errors import TwilioError
from bot.slack.carried import button_value
from bot.slack.deps import SlackDeps
from bot.slack.ids import Action
from bot.slack.press import Press, on_press
from bot.slack.ui.deadlines import (
    signature_link_text,
    signature_not_waiting_text,
    signature_refused_text,
    signer_name,
)
from bot.slack.ui.errors import twilio_error_text

log = logging.getLogger(__name__)
# Handed to the webhook client that carries the link: its own level (not the root's) decides
# whether it logs the body it sends, and WARNING keeps the link out of every log.
_QUIET = logging.getLogger("bot.slack.signature.quiet")
_QUIET.setLevel(logging.WARNING)

Payload = dict[str, Any]


def answer_text(link: SigningLink) -> str:
    if not link.allowed:
        return signature_refused_text(link.filed_by)
    if not link.waiting:
        return signature_not_waiting_text(link.status_label)
    return signature_link_text(link.url, signer_name(link.signer, link.signer_email))


class SignatureListeners:
    def __init__(self, deps: SlackDeps) -> None:
        self.deps = deps

    def register(self, app: AsyncApp) -> None:
        on_press(
            app,
            self.deps,
            Action.SIGNATURE_LINK,
            button_value,
            self._answer,
            name="signing-link",
            opens=False,
        )

    async def _answer(self, press: Press, sid: str) -> None:
        user_id, respond = press.user_id, press.respond
        if not respond.response_url:
            # Only a response_url answers privately without the SDK logging the body.
            if press.channel_id:
                await press.client.chat_postEphemeral(
                    channel=press.channel_id,
                    user=user_id,
                    text="Press *Signing link* on the request's status board or thread reply.",
                )
            return
        try:
            link = await self.deps.signing.signing_link(sid, user_id)
        except TwilioError as error:
            await press.tell(twilio_error_text(error, f"get the signing link of {sid}"))
            return
        if not link.allowed:
            log.info("signing link of %s refused to %s (not its filer)", sid, user_id)
        quiet = AsyncWebhookClient(url=respond.response_url, logger=_QUIET)
        await quiet.send_dict(
            {
                "text": answer_text(link),
                "response_type": "ephemeral",
                "replace_original": False,
                "unfurl_links": False,
            }
        )


def register(app: AsyncApp, deps: SlackDeps) -> None:
    SignatureListeners(deps).register(app)
