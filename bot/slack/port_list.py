"""/port-list: the desk's requests, most urgent first, answered privately from the bot's own
store (with how fresh it is); past 20 rows every row goes to the person's DM as a CSV."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.deps import SlackDeps
from bot.slack.ids import Command
from bot.slack.list_filter import FilterError, parse_list_filter
from bot.slack.messages import NoDirectMessage, dm_channel
from bot.slack.ui.finding_answers import held_before_message
from bot.slack.ui.golive_messages import number_status_text
from bot.slack.ui.port_list_answer import filter_error_message, list_csv, list_message
from bot.slack.ui.rows import INLINE_ROWS, Message, with_lines
from bot.slack.workspace_url import WorkspaceUrl

log = logging.getLogger(__name__)

CSV_IN_DM = "every row is in the CSV I am sending to your DM with me."


async def _answer(respond: AsyncRespond, message: Message) -> None:
    await respond(
        text=message.text,
        blocks=message.blocks,
        response_type="ephemeral",
        replace_original=False,
    )


def register(app: AsyncApp, deps: SlackDeps) -> None:
    workspace = WorkspaceUrl()

    @app.command(Command.LIST)
    async def port_list(
        ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        await ack()
        deps.after_ack(
            _list(command.get("text") or "", command["user_id"], client, respond),
            name="port-list",
        )

    async def _with_liveness(numbers: Sequence[str], message: Message) -> Message:
        """``message`` saying too whether each number is in the account now, and its go-live."""
        if not numbers:
            return message
        lives = await deps.liveness(list(numbers))
        return with_lines(message, [number_status_text(lives[n]) for n in numbers])

    async def _list(text: str, user_id: str, client: AsyncWebClient, respond: AsyncRespond) -> None:
        try:
            ask = parse_list_filter(text, user_id)
        except FilterError as error:
            await _answer(respond, filter_error_message(error))
            return
        listing, url = await asyncio.gather(deps.listings.list(ask), workspace.get(client))
        items = listing.items
        if not (items or listing.manual or ask.everything) and ask.numbers and not ask.statuses:
            # No open request holds the number: say which closed one did, if any.
            closed = await deps.listings.list(replace(ask, everything=True))
            if closed.items:
                message = held_before_message(ask.numbers, closed.items, url)
                await _answer(respond, await _with_liveness(ask.numbers, message))
                return
        dm: str | None = None
        note = CSV_IN_DM
        if len(items) > INLINE_ROWS:
            # Open the DM before answering, so the answer says truly where the CSV goes.
            try:
                dm = await dm_channel(client, user_id)
            except NoDirectMessage as error:
                log.warning("/port-list CSV for %s: %s", user_id, error)
                note = (
                    f"I could not open a DM with you for their CSV ({error.reason}); "
                    "narrow the filter to see them here."
                )
        asked = ask.describe()
        message = list_message(
            items,
            asked=asked,
            now=listing.now,
            oldest_sync=listing.oldest_sync,
            poll=listing.poll,
            workspace_url=url,
            with_csv=False,  # the answer goes first; thousands of CSV rows can follow
            csv_note=note,
            manual=listing.manual,
        )
        message = await _with_liveness(ask.numbers, message)
        await _answer(respond, message)
        if dm is None:
            return
        content, filename = list_csv(items, listing.now, url)
        shown = f"`/port-list {text.strip()}`" if text.strip() else "`/port-list`"
        await client.files_upload_v2(
            channel=dm,
            content=content,
            filename=filename,
            title=f"Port-in requests: {len(items):,}",
            initial_comment=f"All {len(items):,} {asked} from {shown}, most urgent first.",
        )
