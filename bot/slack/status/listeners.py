"""/port-status and the buttons on status boards: follow, refresh, numbers as CSV."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.desk.manual.types import is_manual_id
from bot.outbox import DeliveryError
from bot.porting.errors import TwilioError
from bot.slack.carried import button_value
from bot.slack.deps import SlackDeps
from bot.slack.ids import Action, Command
from bot.slack.manual.port_status import manual_status
from bot.slack.messages import NoDirectMessage, dm_channel, permalink, tell
from bot.slack.press import Press, on_press
from bot.slack.status.finding import (
    Holding,
    Named,
    StatusAsk,
    holder,
    parse_status_ask,
)
from bot.slack.ui import board, status
from bot.slack.ui.errors import twilio_error_text
from bot.slack.ui.finding_answers import ACCEPTED, named_answer, not_held_text, unreadable_text
from bot.slack.ui.golive_messages import number_status_text
from bot.slack.workspace_url import WorkspaceUrl

log = logging.getLogger(__name__)

STATUS_USAGE = f"Usage: `/port-status` with {ACCEPTED}."
Payload = dict[str, Any]


class StatusListeners:
    """The listeners of /port-status and of the boards' Follow, Refresh and CSV buttons."""

    def __init__(self, deps: SlackDeps) -> None:
        self.deps = deps
        self.workspace = WorkspaceUrl()

    def register(self, app: AsyncApp) -> None:
        app.command(Command.STATUS)(self.port_status)
        app.action(Action.FOLLOW)(self.follow)
        app.action(Action.REFRESH)(self.refresh)
        app.action(Action.OPEN_LINK)(self.opened_link)
        on_press(
            app,
            self.deps,
            Action.NUMBERS_CSV,
            button_value,
            self._numbers_csv,
            name="numbers-csv",
            opens=False,
        )

    async def port_status(
        self, ack: AsyncAck, command: Payload, client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        ask = parse_status_ask(command.get("text") or "")
        if ask.unreadable is not None:
            await ack(text=unreadable_text(ask.unreadable))
            return
        if not (ask.sids or ask.numbers or ask.name):
            await ack(text=STATUS_USAGE)
            return
        if len(ask.sids) + len(ask.numbers) > 5:
            await ack(text="Look up at most 5 requests or numbers at a time.")
            return
        await ack()
        self.deps.after_ack(self._find(ask, client, respond), name="port-status")

    async def _find(self, ask: StatusAsk, client: AsyncWebClient, respond: AsyncRespond) -> None:
        """Numbers answer with the request that holds them; a name lists its requests."""
        if ask.name is not None:
            listing = await self.deps.listings.list(Named(ask.name))
            url = await self.workspace.get(client)
            await respond(**named_answer(ask.name, listing, url), replace_original=False)
            return
        sids = list(ask.sids)
        lives = await self.deps.liveness(list(ask.numbers)) if ask.numbers else {}
        for number in ask.numbers:
            # In the account now? Its go-live? (When known.) Then the request holding it.
            live = lives[number]
            if live.in_account is not None or live.state is not None:
                await tell(respond, number_status_text(live))
            listing = await self.deps.listings.list(Holding((number,)))
            found = holder(listing.items)
            if found is None:
                await tell(respond, not_held_text(number))
            elif found.request_sid not in sids:
                sids.append(found.request_sid)
        await self._statuses(sids, client, respond)

    async def _statuses(
        self, sids: list[str], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        for sid in sids:
            if is_manual_id(sid):
                await manual_status(self.deps.manual, client, respond, sid)
                continue
            try:
                snapshot = await self.deps.requests.snapshot(sid)
            except TwilioError as error:
                await tell(respond, twilio_error_text(error, f"look up {sid}"))
                continue
            link = None
            if snapshot.thread is not None:
                link = await permalink(
                    client, snapshot.thread.channel_id, snapshot.thread.thread_ts
                )
            history = await self.deps.cancels.history(sid)
            chained = await self.deps.refiles.chain(sid)
            ported = [n.phone_number for n in snapshot.request.phone_numbers if n.phone_number]
            live = await self.deps.liveness(ported)
            blocks = status.status_blocks(
                snapshot,
                permalink=link,
                history=history,
                chain=(chained.before, chained.after),
                live=live,
            )
            await respond(
                text=board.board_text(snapshot),
                blocks=blocks,
                response_type="ephemeral",
                replace_original=False,
            )

    async def follow(
        self, ack: AsyncAck, action: Payload, client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        sid = button_value(action)
        await ack()
        self.deps.after_ack(self._follow(sid, client, respond), name="follow")

    async def _follow(self, sid: str, client: AsyncWebClient, respond: AsyncRespond) -> None:
        try:
            snapshot = await self.deps.requests.follow(sid, self.deps.porting_channel)
        except TwilioError as error:
            await tell(respond, twilio_error_text(error, f"follow {sid}"))
            return
        except (DeliveryError, TimeoutError) as error:
            # The root message stays queued and is retried; say so instead of going silent.
            why = f" (Slack said {error.error})" if isinstance(error, DeliveryError) else ""
            channel = self.deps.porting_channel
            await respond(
                text=f"I could not post the thread for {sid} yet{why}. It will appear in "
                f"<#{channel}> as soon as Slack takes it; is the bot in the channel?",
                response_type="ephemeral",
                replace_original=False,
            )
            return
        assert snapshot.thread is not None
        link = await permalink(client, snapshot.thread.channel_id, snapshot.thread.thread_ts)
        where = f"<{link}|its thread>" if link else f"<#{snapshot.thread.channel_id}>"
        await tell(respond, f"Following {sid} in {where}.")

    async def opened_link(self, ack: AsyncAck) -> None:
        """Slack opened the URL itself; it still sends the click, which wants its ack (else
        the button shows a warning)."""
        await ack()

    async def refresh(
        self, ack: AsyncAck, action: Payload, body: Payload, client: AsyncWebClient
    ) -> None:
        sid = button_value(action)
        await ack()
        self.deps.after_ack(self._refresh(sid, body, client), name="refresh")

    async def _refresh(self, sid: str, body: Payload, client: AsyncWebClient) -> None:
        on_home = (body.get("view") or {}).get("type") == "home"
        try:
            snapshot = await self.deps.requests.snapshot(sid)
        except TwilioError as error:
            if on_home:  # no channel to answer in: the Home tab shows the row as stored
                await self.deps.day.open_home(body["user"]["id"])
            channel = body.get("channel", {}).get("id")
            if channel:
                await client.chat_postEphemeral(
                    channel=channel,
                    user=body["user"]["id"],
                    text=twilio_error_text(error, f"refresh {sid}"),
                )
            return
        # The board redraws through the outbox like every Slack write, now (someone is
        # looking at it), from the request just stored.
        if snapshot.thread is not None:
            await self.deps.requests.redraw_board(sid)
        if on_home:
            await self.deps.day.open_home(body["user"]["id"])

    async def _numbers_csv(self, press: Press, sid: str) -> None:
        """The request's numbers as a CSV, in a DM to whoever pressed."""
        try:
            snapshot = await self.deps.requests.snapshot(sid)
        except TwilioError as error:
            await press.tell(twilio_error_text(error, f"list the numbers of {sid}"))
            return
        try:
            dm = await dm_channel(press.client, press.user_id)
        except NoDirectMessage as error:
            await press.tell(
                f"⚠️ I could not open a DM with you for the CSV of {sid} ({error.reason}). "
                "Check that the app may message you, then press the button again.",
            )
            return
        await press.client.files_upload_v2(
            channel=dm,
            content=status.numbers_csv(snapshot.request),
            filename=f"{sid}-numbers.csv",
            title=f"Numbers of {sid}",
            initial_comment=f"The {len(snapshot.request.phone_numbers):,} numbers of `{sid}`.",
        )


def register(app: AsyncApp, deps: SlackDeps) -> None:
    StatusListeners(deps).register(app)
