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
from bot.slack.messages import tell, update_view
from bot.slack.permissions import Permissions
from bot.slack.request_sids import parse_request_sids
from bot.slack.ui import cancel as ui
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


class CancelListeners:
    """The listeners of /port-cancel and of the boards' Cancel buttons."""

    def __init__(self, deps: SlackDeps, permissions: Permissions) -> None:
        self.deps = deps
        self.permissions = permissions

    def register(self, app: AsyncApp) -> None:
        app.command(Command.CANCEL)(self.port_cancel)
        app.action(Action.CANCEL_REQUEST)(self.cancel_button)
        app.action(Action.CANCEL_NUMBERS)(self.cancel_button)
        app.action(Action.CANCEL_REJECTED)(self.cancel_rejected)
        app.view(Callback.CANCEL_CHOOSE)(self.numbers_chosen)
        app.view(Callback.CANCEL_CONFIRM)(self.confirmed)

    def open_loading(
        self,
        client: AsyncWebClient,
        trigger_id: str,
        user_id: str,
        respond: AsyncRespond,
        meta: CancelMeta,
        *,
        choose: bool = False,
    ) -> None:
        """Right after the ack: permission, then a loading modal (the trigger_id lives ~3 s),
        then the request is fetched and the modal updated."""
        self.deps.right_after_ack(
            self._open_loading(client, trigger_id, user_id, respond, meta, choose),
            name="port-cancel-open",
        )

    async def _open_loading(
        self,
        client: AsyncWebClient,
        trigger_id: str,
        user_id: str,
        respond: AsyncRespond,
        meta: CancelMeta,
        choose: bool,
    ) -> None:
        if not await self.permissions.allows(user_id):
            await tell(respond, self.permissions.refusal("cancel port-ins"))
            return
        opened = await client.views_open(trigger_id=trigger_id, view=ui.loading_view(meta))
        view_id = opened["view"]["id"]
        self.deps.after_ack(self._load(client, view_id, meta, choose), name="port-cancel-load")

    async def _load(
        self, client: AsyncWebClient, view_id: str, meta: CancelMeta, choose: bool
    ) -> None:
        try:
            snapshot = await self.deps.desk.snapshot(meta.request_sid)
        except TwilioError as error:
            text = twilio_error_text(error, f"look up {meta.request_sid}")
            await update_view(client, view_id, ui.status_view(text))
            return
        await update_view(client, view_id, ui.loaded_view(snapshot, meta, choose=choose))

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
        if len(parsed.numbers) > ui.MAX_NUMBERS_PER_CANCEL:
            await ack(
                text=f"Cancel at most {ui.MAX_NUMBERS_PER_CANCEL} numbers at a time, or the "
                "whole request."
            )
            return
        await ack()
        meta = CancelMeta(request_sid=sids[0], numbers=parsed.numbers)
        self.open_loading(client, command["trigger_id"], command["user_id"], respond, meta)

    async def cancel_button(
        self,
        ack: AsyncAck,
        body: Payload,
        action: Payload,
        client: AsyncWebClient,
        respond: AsyncRespond,
    ) -> None:
        """A board's *Cancel request* (straight to the confirmation) or *Cancel numbers…*
        (choose them first)."""
        meta = CancelMeta(request_sid=button_value(action))
        await ack()
        choose = action.get("action_id") == Action.CANCEL_NUMBERS
        user_id = body["user"]["id"]
        self.open_loading(client, body["trigger_id"], user_id, respond, meta, choose=choose)

    async def cancel_rejected(
        self,
        ack: AsyncAck,
        body: Payload,
        action: Payload,
        client: AsyncWebClient,
        respond: AsyncRespond,
    ) -> None:
        """A rejection reply's *Cancel number*: straight to the confirmation of its numbers
        (those that can still be canceled); without numbers (more than a button holds), choose
        them first."""
        value = NumbersValue.read(action)
        await ack()
        meta = CancelMeta(request_sid=value.request_sid, numbers=value.numbers)
        user_id = body["user"]["id"]
        choose = not value.numbers
        self.open_loading(client, body["trigger_id"], user_id, respond, meta, choose=choose)

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
        if len(numbers) > ui.MAX_NUMBERS_PER_CANCEL:
            await ack(
                response_action="errors",
                errors={
                    CancelField.NUMBERS: f"That is {len(numbers)} numbers: cancel at most "
                    f"{ui.MAX_NUMBERS_PER_CANCEL} at a time, or cancel the whole request."
                },
            )
            return
        meta = CancelMeta(request_sid=meta.request_sid, numbers=numbers)
        await ack(response_action="update", view=ui.confirm_view(meta))

    async def confirmed(
        self, ack: AsyncAck, body: Payload, view: Payload, client: AsyncWebClient
    ) -> None:
        user_id = body["user"]["id"]
        meta = CancelMeta.load(view.get("private_metadata"))  # a valid SID, or Stale
        # private_metadata is not proof of permission: check again.
        if not await self.permissions.allows(user_id):
            await ack(
                response_action="update",
                view=ui.status_view(self.permissions.refusal("cancel port-ins")),
            )
            return
        await ack(response_action="update", view=ui.canceling_view(meta))
        self.deps.after_ack(self._cancel(client, view["id"], meta, user_id), name="port-cancel")

    async def _cancel(
        self, client: AsyncWebClient, view_id: str, meta: CancelMeta, user_id: str
    ) -> None:
        sid = meta.request_sid
        what = f"{number_list(meta.numbers)} of `{sid}`" if meta.numbers else f"request `{sid}`"
        try:
            if meta.numbers:
                outcome = await self.deps.desk.cancel_numbers(sid, meta.numbers, user_id)
            else:
                outcome = await self.deps.desk.cancel_request(sid, user_id)
        except CancelBusy as busy:
            text = ui.busy_text(busy.claim, what)
        except TwilioError as error:
            text = ui.refusal_text(error, what)
        else:
            text = ui.outcome_text(outcome)
        await update_view(client, view_id, ui.status_view(text))


def register(app: AsyncApp, deps: SlackDeps, permissions: Permissions) -> None:
    CancelListeners(deps, permissions).register(app)
