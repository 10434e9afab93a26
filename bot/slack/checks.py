"""/port-check: the command, its modal, the message shortcut and the Share button."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.porting.phone import ParsedNumbers, parse_csv, parse_numbers
from bot.slack.context import SlackDeps
from bot.slack.ids import Action, Block, Callback, Command, Input
from bot.slack.meta import button_value
from bot.slack.say import NoDirectMessage, dm_channel, tell
from bot.slack.ui import check as ui
from bot.slack.ui.modals import check_modal

log = logging.getLogger(__name__)

MAX_CSV_BYTES = 2 * 1024 * 1024
PROGRESS_EVERY_SECONDS = 2.0
USAGE = (
    "Usage: `/port-check (415) 555-0100, 415.555.0101` — or `/port-check` alone to paste a long "
    "list or upload a CSV."
)


class CheckRunner:
    """Runs a check after the ack and delivers the results privately to the person who asked."""

    def __init__(self, deps: SlackDeps) -> None:
        self.deps = deps

    async def run(
        self,
        client: AsyncWebClient,
        parsed: ParsedNumbers,
        *,
        user_id: str,
        channel_id: str | None,
        respond: AsyncRespond | None,
    ) -> None:
        if parsed.too_many:
            await self.say(client, user_id, respond, ui.too_many_text(len(parsed.numbers)))
            return
        if not parsed.numbers:
            text = ui.invalid_line(parsed.invalid) if parsed.invalid else "No numbers found."
            await self.say(client, user_id, respond, f"{text}\n{USAGE}")
            return
        if len(parsed.numbers) <= ui.INLINE_LIMIT and respond is not None:
            results = await self.deps.desk.check_portability(parsed.numbers)
            check_id = await self.deps.desk.save_check(user_id, channel_id, results, parsed.invalid)
            await respond(
                text=ui.check_text(results, parsed.invalid),
                blocks=ui.check_blocks(results, parsed.invalid, check_id=check_id),
                response_type="ephemeral",
                replace_original=False,
            )
            return
        await self._bulk(client, parsed, user_id=user_id, channel_id=channel_id, respond=respond)

    async def _bulk(
        self,
        client: AsyncWebClient,
        parsed: ParsedNumbers,
        *,
        user_id: str,
        channel_id: str | None,
        respond: AsyncRespond | None,
    ) -> None:
        # Long work lives in a DM message the bot can edit (an ephemeral cannot be edited and a
        # response_url takes only 5 posts).
        total = len(parsed.numbers)
        try:
            dm = await dm_channel(client, user_id)
        except NoDirectMessage as error:
            log.warning("bulk check of %d numbers: %s", total, error)
            if respond is not None:
                await respond(text=ui.no_dm_text(total, error.reason), response_type="ephemeral")
            return
        progress = await client.chat_postMessage(
            channel=dm, text=ui.progress_text(0, total), blocks=ui.progress_blocks(0, total)
        )
        ts = str(progress["ts"])
        if respond is not None:
            await respond(
                text=f"⏳ Checking {total:,} numbers. Progress and the CSV are in your DM with me.",
                response_type="ephemeral",
            )
        last = time.monotonic()
        edit_lock = asyncio.Lock()

        async def on_progress(done: int, of: int) -> None:
            nonlocal last
            now = time.monotonic()
            if done == of or now - last < PROGRESS_EVERY_SECONDS or edit_lock.locked():
                return
            last = now
            async with edit_lock:
                await client.chat_update(
                    channel=dm,
                    ts=ts,
                    text=ui.progress_text(done, of),
                    blocks=ui.progress_blocks(done, of),
                )

        results = await self.deps.desk.check_portability(parsed.numbers, on_progress)
        check_id = await self.deps.desk.save_check(user_id, channel_id, results, parsed.invalid)
        async with edit_lock:
            await client.chat_update(
                channel=dm,
                ts=ts,
                text=ui.check_text(results, parsed.invalid),
                blocks=ui.check_blocks(
                    results, parsed.invalid, check_id=check_id if channel_id else None
                ),
            )
        await client.files_upload_v2(
            channel=dm,
            thread_ts=ts,
            content=ui.check_csv(results),
            filename="portability.csv",
            title=f"Portability of {total:,} numbers",
        )

    async def say(
        self, client: AsyncWebClient, user_id: str, respond: AsyncRespond | None, text: str
    ) -> None:
        if respond is not None:
            await respond(text=text, response_type="ephemeral")
            return
        try:
            dm = await dm_channel(client, user_id)
        except NoDirectMessage as error:  # a modal's check: there is nowhere else to say it
            log.warning("could not tell %s about their check: %s", user_id, error)
            return
        await client.chat_postMessage(channel=dm, text=text)


def _file_urls(files: list[dict[str, Any]]) -> list[tuple[str, str, int]]:
    out = []
    for f in files or []:
        url = f.get("url_private_download") or f.get("url_private")
        if url and (
            f.get("filetype") in ("csv", "text", "txt")
            or str(f.get("name", "")).endswith((".csv", ".txt"))
        ):
            out.append((url, f.get("name", "file"), int(f.get("size") or 0)))
    return out


async def _numbers_from_files(deps: SlackDeps, files: list[dict[str, Any]]) -> ParsedNumbers:
    merged = ParsedNumbers()
    seen: set[str] = set()
    for url, name, size in _file_urls(files):
        if size > MAX_CSV_BYTES:
            raise ValueError(f"{name} is larger than 2 MB; split it into smaller files.")
        content = (await deps.download(url, MAX_CSV_BYTES)).decode("utf-8-sig", errors="replace")
        parsed = parse_csv(content)
        merged.invalid += parsed.invalid
        merged.duplicates += parsed.duplicates
        for n in parsed.numbers:
            if n in seen:
                merged.duplicates += 1
            else:
                seen.add(n)
                merged.numbers.append(n)
    return merged


def register(app: AsyncApp, deps: SlackDeps) -> None:
    runner = CheckRunner(deps)

    @app.command(Command.CHECK)
    async def port_check(
        ack: AsyncAck, command: dict, client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        text = (command.get("text") or "").strip()
        if not text:
            await ack()
            deps.right_after_ack(
                client.views_open(trigger_id=command["trigger_id"], view=check_modal()),
                name="port-check-open",
            )
            return
        parsed = parse_numbers(text)
        if parsed.too_many:
            await ack(text=ui.too_many_text(len(parsed.numbers)))
            return
        if not parsed.numbers:
            await ack(text=f"{ui.invalid_line(parsed.invalid)}\n{USAGE}")
            return
        await ack()
        deps.after_ack(
            runner.run(
                client,
                parsed,
                user_id=command["user_id"],
                channel_id=command.get("channel_id"),
                respond=respond,
            ),
            name="port-check",
        )

    @app.view(Callback.CHECK_MODAL)
    async def check_modal_submitted(
        ack: AsyncAck, body: dict, view: dict, client: AsyncWebClient
    ) -> None:
        values = view["state"]["values"]
        text = (
            values.get(Block.CHECK_TEXT, {}).get(Input.CHECK_TEXT, {}).get("value") or ""
        ).strip()
        files = values.get(Block.CHECK_FILE, {}).get(Input.CHECK_FILE, {}).get("files") or []
        if not text and not files:
            await ack(
                response_action="errors",
                errors={Block.CHECK_TEXT: "Paste at least one number here, or attach a CSV below."},
            )
            return
        parsed = parse_numbers(text)
        if text and not files and not parsed.numbers:
            await ack(
                response_action="errors", errors={Block.CHECK_TEXT: ui.invalid_line(parsed.invalid)}
            )
            return
        if parsed.too_many:
            await ack(
                response_action="errors",
                errors={Block.CHECK_TEXT: ui.too_many_text(len(parsed.numbers))},
            )
            return
        await ack()
        deps.after_ack(
            _check_submitted(client, body["user"]["id"], parsed, files), name="port-check-modal"
        )

    async def _check_submitted(
        client: AsyncWebClient, user_id: str, parsed: ParsedNumbers, files: list[dict[str, Any]]
    ) -> None:
        if files:
            try:
                from_files = await _numbers_from_files(deps, files)
            except ValueError as error:
                await runner.say(client, user_id, None, f"⚠️ {error}")
                return
            seen = set(parsed.numbers)
            parsed.numbers += [n for n in from_files.numbers if n not in seen]
            parsed.invalid += from_files.invalid
        await runner.run(client, parsed, user_id=user_id, channel_id=None, respond=None)

    @app.shortcut(Callback.CHECK_SHORTCUT)
    async def check_message(
        ack: AsyncAck, shortcut: dict, client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        await ack()
        deps.after_ack(_check_message(shortcut, client, respond), name="port-check-shortcut")

    async def _check_message(shortcut: dict, client: AsyncWebClient, respond: AsyncRespond) -> None:
        message = shortcut.get("message", {})
        user_id = shortcut["user"]["id"]
        channel_id = shortcut.get("channel", {}).get("id")
        parsed = parse_numbers(message.get("text") or "")
        try:
            from_files = await _numbers_from_files(deps, message.get("files") or [])
        except ValueError as error:
            await respond(text=f"⚠️ {error}", response_type="ephemeral")
            return
        seen = set(parsed.numbers)
        parsed.numbers += [n for n in from_files.numbers if n not in seen]
        parsed.invalid += from_files.invalid
        await runner.run(client, parsed, user_id=user_id, channel_id=channel_id, respond=respond)

    @app.action(Action.SHARE_CHECK)
    async def share_check(
        ack: AsyncAck, body: dict, action: dict, client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        check_id = button_value(action)
        await ack()
        deps.after_ack(_share(body, check_id, client, respond), name="share-check")

    async def _share(
        body: dict, check_id: str, client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        user_id = body["user"]["id"]
        try:
            run, results, invalid = await deps.desk.load_check(check_id)
        except LookupError:
            await tell(respond, "Those results are gone; run /port-check again.")
            return
        if run.user_id != user_id:
            await tell(respond, "Only the person who ran this check can share it.")
            return
        if not run.channel_id:
            await tell(
                respond, "These results came from a modal; run /port-check in a channel to share."
            )
            return
        posted = await client.chat_postMessage(
            channel=run.channel_id,
            text=ui.check_text(results, invalid),
            blocks=ui.check_blocks(results, invalid, shared_by=user_id),
        )
        if len(results) > ui.INLINE_LIMIT:
            await client.files_upload_v2(
                channel=run.channel_id,
                thread_ts=str(posted["ts"]),
                content=ui.check_csv(results),
                filename="portability.csv",
                title=f"Portability of {len(results):,} numbers",
            )
        if body.get("container", {}).get("is_ephemeral"):
            await respond(delete_original=True)
