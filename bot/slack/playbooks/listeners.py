"""The "How to fix" button (on a board while a number is rejected, under a rejection reply or
reminder that only summarises): the playbook of each reason the request's numbers are
rejected for now, answered to whoever pressed it. Everyone may look."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond

from bot.porting.errors import TwilioError
from bot.slack.carried import button_value
from bot.slack.deps import SlackDeps
from bot.slack.ids import Action
from bot.slack.messages import tell
from bot.slack.ui.errors import twilio_error_text
from bot.slack.ui.playbooks import how_to_fix_message

Payload = dict[str, Any]


class PlaybookListeners:
    def __init__(self, deps: SlackDeps) -> None:
        self.deps = deps

    def register(self, app: AsyncApp) -> None:
        app.action(Action.HOW_TO_FIX)(self.how_to_fix)

    async def how_to_fix(self, ack: AsyncAck, action: Payload, respond: AsyncRespond) -> None:
        sid = button_value(action)
        await ack()
        self.deps.after_ack(self._answer(sid, respond), name="how-to-fix")

    async def _answer(self, sid: str, respond: AsyncRespond) -> None:
        # Twilio's copy, not the message's: a number may have been canceled or re-filed since.
        try:
            snapshot = await self.deps.requests.snapshot(sid)
        except TwilioError as error:
            await tell(respond, twilio_error_text(error, f"look up {sid}"))
            return
        message = how_to_fix_message(snapshot)
        await tell(respond, message.text, blocks=message.blocks)


def register(app: AsyncApp, deps: SlackDeps) -> None:
    PlaybookListeners(deps).register(app)
