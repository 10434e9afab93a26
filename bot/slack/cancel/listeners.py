"""/port-cancel, the board's Cancel buttons and a rejection reply's Cancel number: a
confirmation naming exactly what goes, then the cancel at Twilio, one outcome message per
person. Listeners parse, call the desk, render."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.desk.types import CancelBusy
from bot.porting.errors import TwilioError
from bot.porting.phone import parse_numbers
from bot.slack.carried import CancelMeta, NumbersValue, button_value
from bot.slack.deps import SlackDeps
from bot.slack.ids import Action, Callback, CancelField, Command
from bot.slack.messages import update_view
from bot.slack.permissions import Permissions
from bot.slack.press import Press, on_press
from bot.slack.request_sids import parse_request_sids
from bot.slack.ui import cancel
from bot.slack.ui.errors import twilio_error_text
from bot.slack.ui.fmt import number_list
from bot.slack.view_state import selected_options
from bot.slack.view_state import text as field_text

log = logging.getLogger(__name__)

USAGE = (
    "Usage: `/port-cancel KW…` cancels a whole port-in request; "
    "`/port-cancel KW… +14155550100 (415) 555-0101` cancels only those numbers. "
    "You confirm before anything is canceled."
)
Payload = dict[str, Any]
DOING = "cancel port-ins"


class CancelListeners:
    """The listeners of /port-cancel and of the boards' Cancel buttons."""

    def __init__(self, deps: SlackDeps, permissions: Permissions) -> None:
        self.deps = deps
        self.permissions = permissions

    def register(self, app: AsyncApp) -> None:
        app.command(Command.CANCEL)(self.port_cancel)
        for action_id, read in (
            (Action.CANCEL_REQUEST, _request),
            (Action.CANCEL_NUMBERS, _choose_numbers),
            (Action.CANCEL_REJECTED, _rejected),
        ):
            on_press(app, self.deps, action_id, read, self._open_loading, name="port-cancel-open")
        app.view(Callback.CANCEL_CHOOSE)(self.numbers_chosen)
        app.view(Callback.CANCEL_CONFIRM)(self.confirmed)

    async def _open_loading(self, press: Press, chosen: tuple[CancelMeta, bool]) -> None:
        """Right after the ack: permission, then a loading modal (the trigger_id lives ~3 s),
        then the request is fetched and the modal updated (``choose``: the numbers first)."""
        meta, choose = chosen
        if await self.permissions.refuses(press, DOING):
            return
        opened = await press.open(cancel.loading_view(meta))
        view_id = opened["view"]["id"]
        self.deps.after_ack(
            self._load(press.client, view_id, meta, choose), name="port-cancel-load"
        )

    async def _load(
        self, client: AsyncWebClient, view_id: str, meta: CancelMeta, choose: bool
    ) -> None:
        try:
            snapshot = await self.deps.requests.snapshot(meta.request_sid)
        except TwilioError as error:
            text = twilio_error_text(error, f"look up {meta.request_sid}")
            await update_view(client, view_id, cancel.status_view(text))
            return
        await update_view(client, view_id, cancel.loaded_view(snapshot, meta, choose=choose))

    async def port_cancel(
        self, ack: AsyncAck, command: Payload, client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        sids, rest = parse_request_sids(command.get("text") or "")
        if len(sids) != 1:
            await ack(text=USAGE)
            return
        parsed = parse_numbers(" ".join(rest))
        if parsed.invalid:
            shown = ", ".join(f'"{w[:30]}"' for w in parsed.invalid[:5])
            await ack(text=f"{shown}: not a request SID or a phone number. {USAGE}")
            return
        if len(parsed.numbers) > cancel.MAX_NUMBERS_PER_CANCEL:
            await ack(
                text=f"Cancel at most {cancel.MAX_NUMBERS_PER_CANCEL} numbers at a time, or the "
                "whole request."
            )
            return
        await ack()
        meta = CancelMeta(request_sid=sids[0], numbers=parsed.numbers)
        press = Press(client, command["trigger_id"], command["user_id"], respond)
        self.deps.right_after_ack(self._open_loading(press, (meta, False)), name="port-cancel-open")

    async def numbers_chosen(self, ack: AsyncAck, view: Payload) -> None:
        meta = CancelMeta.load(view.get("private_metadata"))
        values = view["state"]["values"]
        pasted = parse_numbers(field_text(values, CancelField.PASTE))
        if pasted.invalid:
            shown = ", ".join(f"“{w[:30]}”" for w in pasted.invalid[:5])
            await ack(
                response_action="errors",
                errors={CancelField.PASTE: f"I could not read {shown} as phone numbers."},
            )
            return
        numbers = list(
            dict.fromkeys([*selected_options(values, CancelField.NUMBERS), *pasted.numbers])
        )
        if not numbers:
            await ack(
                response_action="errors",
                errors={CancelField.NUMBERS: "Choose at least one number to cancel."},
            )
            return
        if len(numbers) > cancel.MAX_NUMBERS_PER_CANCEL:
            await ack(
                response_action="errors",
                errors={
                    CancelField.NUMBERS: f"That is {len(numbers)} numbers: cancel at most "
                    f"{cancel.MAX_NUMBERS_PER_CANCEL} at a time, or cancel the whole request."
                },
            )
            return
        meta = CancelMeta(request_sid=meta.request_sid, numbers=numbers)
        await ack(response_action="update", view=cancel.confirm_view(meta))

    async def confirmed(
        self, ack: AsyncAck, body: Payload, view: Payload, client: AsyncWebClient
    ) -> None:
        user_id = body["user"]["id"]
        meta = CancelMeta.load(view.get("private_metadata"))  # a valid SID, or Stale
        # private_metadata is not proof of permission: check again.
        if not await self.permissions.allows(user_id):
            await ack(
                response_action="update",
                view=cancel.status_view(self.permissions.refusal(DOING)),
            )
            return
        await ack(response_action="update", view=cancel.canceling_view(meta))
        self.deps.after_ack(self._cancel(client, view["id"], meta, user_id), name="port-cancel")

    async def _cancel(
        self, client: AsyncWebClient, view_id: str, meta: CancelMeta, user_id: str
    ) -> None:
        sid = meta.request_sid
        what = f"{number_list(meta.numbers)} of `{sid}`" if meta.numbers else f"request `{sid}`"
        try:
            if meta.numbers:
                outcome = await self.deps.cancels.cancel_numbers(sid, meta.numbers, user_id)
            else:
                outcome = await self.deps.cancels.cancel_request(sid, user_id)
        except CancelBusy as busy:
            text = cancel.busy_text(busy.claim, what)
        except TwilioError as error:
            text = cancel.refusal_text(error, what)
        else:
            text = cancel.outcome_text(outcome)
        await update_view(client, view_id, cancel.status_view(text))


def _request(action: Payload) -> tuple[CancelMeta, bool]:
    """A board's *Cancel request*: straight to the confirmation."""
    return CancelMeta(request_sid=button_value(action)), False


def _choose_numbers(action: Payload) -> tuple[CancelMeta, bool]:
    """A board's *Cancel numbers…*: choose them first."""
    return CancelMeta(request_sid=button_value(action)), True


def _rejected(action: Payload) -> tuple[CancelMeta, bool]:
    """A rejection reply's *Cancel number*: straight to the confirmation of its numbers
    (those that can still be canceled); without numbers (more than a button holds), choose
    them first."""
    value = NumbersValue.read(action)
    return CancelMeta(request_sid=value.request_sid, numbers=value.numbers), not value.numbers


def register(app: AsyncApp, deps: SlackDeps, permissions: Permissions) -> None:
    CancelListeners(deps, permissions).register(app)
