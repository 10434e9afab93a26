"""/port-status and the buttons on status boards: follow, refresh, numbers as CSV."""

from __future__ import annotations

import logging
import re

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.outbox import DeliveryError
from bot.porting.errors import TwilioError
from bot.slack.context import SlackDeps
from bot.slack.ids import Action, Command
from bot.slack.meta import REQUEST_SID_PATTERN, button_value
from bot.slack.say import NoDirectMessage, dm_channel, permalink, tell
from bot.slack.ui import board
from bot.slack.ui.errors import twilio_error_text

log = logging.getLogger(__name__)

REQUEST_SID = re.compile(REQUEST_SID_PATTERN)
STATUS_USAGE = "Usage: `/port-status KW…` with the 34-character port-in request SID."


def parse_request_sids(text: str) -> tuple[list[str], list[str]]:
    """Request SIDs in ``text`` and the words that are not SIDs."""
    sids: list[str] = []
    bad: list[str] = []
    for word in re.split(r"[\s,;]+", text.strip()):
        if not word:
            continue
        if REQUEST_SID.match(word):
            if word not in sids:
                sids.append(word)
        else:
            bad.append(word)
    return sids, bad


def register(app: AsyncApp, deps: SlackDeps) -> None:
    @app.command(Command.STATUS)
    async def port_status(
        ack: AsyncAck, command: dict, client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        sids, bad = parse_request_sids(command.get("text") or "")
        if bad:
            shown = ", ".join(f'"{w[:40]}"' for w in bad[:5])
            await ack(
                text=f"{shown} is not a port-in request SID (KW and 32 hex digits). {STATUS_USAGE}"
            )
            return
        if not sids:
            await ack(text=STATUS_USAGE)
            return
        if len(sids) > 5:
            await ack(text="Look up at most 5 requests at a time.")
            return
        await ack()
        deps.after_ack(_statuses(sids, client, respond), name="port-status")

    async def _statuses(sids: list[str], client: AsyncWebClient, respond: AsyncRespond) -> None:
        for sid in sids:
            try:
                snapshot = await deps.desk.snapshot(sid)
            except TwilioError as error:
                await tell(respond, twilio_error_text(error, f"look up {sid}"))
                continue
            link = None
            if snapshot.thread is not None:
                link = await permalink(
                    client, snapshot.thread.channel_id, snapshot.thread.thread_ts
                )
            history = await deps.desk.history(sid)
            await respond(
                text=board.board_text(snapshot),
                blocks=board.status_blocks(snapshot, permalink=link, history=history),
                response_type="ephemeral",
                replace_original=False,
            )

    @app.action(Action.FOLLOW)
    async def follow(
        ack: AsyncAck, action: dict, client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        sid = button_value(action)
        await ack()
        deps.after_ack(_follow(sid, client, respond), name="follow")

    async def _follow(sid: str, client: AsyncWebClient, respond: AsyncRespond) -> None:
        try:
            snapshot = await deps.desk.follow(sid, deps.porting_channel)
        except TwilioError as error:
            await tell(respond, twilio_error_text(error, f"follow {sid}"))
            return
        except (DeliveryError, TimeoutError) as error:
            # The root message stays queued and is retried; say so instead of going silent.
            why = f" (Slack said {error.error})" if isinstance(error, DeliveryError) else ""
            await respond(
                text=f"I could not post the thread for {sid} yet{why}. It will appear in "
                f"<#{deps.porting_channel}> as soon as Slack takes it; is the bot in the channel?",
                response_type="ephemeral",
                replace_original=False,
            )
            return
        assert snapshot.thread is not None
        link = await permalink(client, snapshot.thread.channel_id, snapshot.thread.thread_ts)
        where = f"<{link}|its thread>" if link else f"<#{snapshot.thread.channel_id}>"
        await tell(respond, f"Following {sid} in {where}.")

    @app.action(Action.REFRESH)
    async def refresh(ack: AsyncAck, action: dict, body: dict, client: AsyncWebClient) -> None:
        sid = button_value(action)
        await ack()
        deps.after_ack(_refresh(sid, body, client), name="refresh")

    async def _refresh(sid: str, body: dict, client: AsyncWebClient) -> None:
        try:
            snapshot = await deps.desk.snapshot(sid)
        except TwilioError as error:
            channel = body.get("channel", {}).get("id")
            if channel:
                await client.chat_postEphemeral(
                    channel=channel,
                    user=body["user"]["id"],
                    text=twilio_error_text(error, f"refresh {sid}"),
                )
            return
        await deps.desk.notifier.update_board(snapshot)

    @app.action(Action.NUMBERS_CSV)
    async def numbers_csv(
        ack: AsyncAck, action: dict, body: dict, client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        sid = button_value(action)
        await ack()
        deps.after_ack(_numbers_csv(sid, body["user"]["id"], client, respond), name="numbers-csv")

    async def _numbers_csv(
        sid: str, user_id: str, client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        try:
            snapshot = await deps.desk.snapshot(sid)
        except TwilioError as error:
            await tell(respond, twilio_error_text(error, f"list the numbers of {sid}"))
            return
        try:
            dm = await dm_channel(client, user_id)
        except NoDirectMessage as error:
            await tell(
                respond,
                f"⚠️ I could not open a DM with you for the CSV of {sid} ({error.reason}). "
                "Check that the app may message you, then press the button again.",
            )
            return
        await client.files_upload_v2(
            channel=dm,
            content=board.numbers_csv(snapshot.request),
            filename=f"{sid}-numbers.csv",
            title=f"Numbers of {sid}",
            initial_comment=f"The {len(snapshot.request.phone_numbers):,} numbers of `{sid}`.",
        )
