"""/port-cancel and the board's Cancel buttons: a confirmation naming exactly what goes, then
the cancel at Twilio, one outcome message per person. Listeners parse, call the desk, render."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.desk import CancelBusy
from bot.porting.errors import TwilioError
from bot.porting.phone import parse_numbers
from bot.slack.context import SlackDeps
from bot.slack.ids import Action, Callback, CancelField, Command
from bot.slack.meta import CancelMeta, button_value
from bot.slack.permissions import Permissions
from bot.slack.port_in_form import selected_options
from bot.slack.port_in_form import text as field_text
from bot.slack.requests import parse_request_sids
from bot.slack.say import tell, update_view
from bot.slack.ui import cancel as ui
from bot.slack.ui.errors import twilio_error_text
from bot.slack.ui.fmt import number_list

log = logging.getLogger(__name__)

USAGE = (
    "Usage: `/port-cancel KW…` cancels a whole port-in request; "
    "`/port-cancel KW… +14155550100 (415) 555-0101` cancels only those numbers. "
    "You confirm before anything is canceled."
)


def register(app: AsyncApp, deps: SlackDeps, permissions: Permissions) -> None:
    def open_loading(
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
        deps.right_after_ack(
            _open_loading(client, trigger_id, user_id, respond, meta, choose),
            name="port-cancel-open",
        )

    async def _open_loading(
        client: AsyncWebClient,
        trigger_id: str,
        user_id: str,
        respond: AsyncRespond,
        meta: CancelMeta,
        choose: bool,
    ) -> None:
        if not await permissions.allows(user_id):
            await tell(respond, permissions.refusal("cancel port-ins"))
            return
        opened = await client.views_open(trigger_id=trigger_id, view=ui.loading_view(meta))
        view_id = opened["view"]["id"]
        deps.after_ack(_load(client, view_id, meta, choose), name="port-cancel-load")

    async def _load(client: AsyncWebClient, view_id: str, meta: CancelMeta, choose: bool) -> None:
        try:
            snapshot = await deps.desk.snapshot(meta.request_sid)
        except TwilioError as error:
            text = twilio_error_text(error, f"look up {meta.request_sid}")
            await update_view(client, view_id, ui.status_view(text))
            return
        await update_view(client, view_id, ui.loaded_view(snapshot, meta, choose=choose))

    @app.command(Command.CANCEL)
    async def port_cancel(
        ack: AsyncAck, command: dict, client: AsyncWebClient, respond: AsyncRespond
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
        open_loading(client, command["trigger_id"], command["user_id"], respond, meta)

    @app.action(Action.CANCEL_REQUEST)
    async def cancel_request_button(
        ack: AsyncAck, body: dict, action: dict, client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        meta = CancelMeta(request_sid=button_value(action))
        await ack()
        open_loading(client, body["trigger_id"], body["user"]["id"], respond, meta)

    @app.action(Action.CANCEL_NUMBERS)
    async def cancel_numbers_button(
        ack: AsyncAck, body: dict, action: dict, client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        meta = CancelMeta(request_sid=button_value(action))
        await ack()
        open_loading(client, body["trigger_id"], body["user"]["id"], respond, meta, choose=True)

    @app.view(Callback.CANCEL_CHOOSE)
    async def numbers_chosen(ack: AsyncAck, view: dict) -> None:
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

    @app.view(Callback.CANCEL_CONFIRM)
    async def confirmed(ack: AsyncAck, body: dict, view: dict, client: AsyncWebClient) -> None:
        user_id = body["user"]["id"]
        meta = CancelMeta.load(view.get("private_metadata"))  # a valid SID, or Stale
        # private_metadata is not proof of permission: check again.
        if not await permissions.allows(user_id):
            await ack(
                response_action="update",
                view=ui.status_view(permissions.refusal("cancel port-ins")),
            )
            return
        await ack(response_action="update", view=ui.canceling_view(meta))
        deps.after_ack(_cancel(client, view["id"], meta, user_id), name="port-cancel")

    async def _cancel(client: AsyncWebClient, view_id: str, meta: CancelMeta, user_id: str) -> None:
        sid = meta.request_sid
        what = f"{number_list(meta.numbers)} of `{sid}`" if meta.numbers else f"request `{sid}`"
        try:
            if meta.numbers:
                outcome = await deps.desk.cancel_numbers(sid, meta.numbers, user_id)
            else:
                outcome = await deps.desk.cancel_request(sid, user_id)
        except CancelBusy as busy:
            text = ui.busy_text(busy.claim, what)
        except TwilioError as error:
            text = ui.refusal_text(error, what)
        else:
            text = ui.outcome_text(outcome)
        await update_view(client, view_id, ui.status_view(text))
