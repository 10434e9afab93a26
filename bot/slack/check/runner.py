"""Running a /port-check after the ack and delivering its results privately: inline for a
few numbers, else in a DM message the bot edits as the check progresses, with a CSV."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.desk.types import CheckResult
from bot.porting.phone import ParsedNumbers
from bot.slack.deps import SlackDeps
from bot.slack.messages import NoDirectMessage, dm_channel
from bot.slack.progress import ProgressThrottle
from bot.slack.ui import check

log = logging.getLogger(__name__)

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
            await self.say(client, user_id, respond, check.too_many_text(len(parsed.numbers)))
            return
        if not parsed.numbers:
            text = check.invalid_line(parsed.invalid) if parsed.invalid else "No numbers found."
            await self.say(client, user_id, respond, f"{text}\n{USAGE}")
            return
        if len(parsed.numbers) <= check.INLINE_LIMIT and respond is not None:
            results = await self.deps.checks.check_portability(parsed.numbers)
            check_id = await self.deps.checks.save_check(
                user_id, channel_id, results, parsed.invalid
            )
            await respond(
                text=check.check_text(results, parsed.invalid),
                blocks=check.check_blocks(results, parsed.invalid, check_id=check_id),
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
                await respond(text=check.no_dm_text(total, error.reason), response_type="ephemeral")
            return
        posted = await client.chat_postMessage(
            channel=dm, text=check.progress_text(0, total), blocks=check.progress_blocks(0, total)
        )
        ts = str(posted["ts"])
        if respond is not None:
            await respond(
                text=f"⏳ Checking {total:,} numbers. Progress and the CSV are in your DM with me.",
                response_type="ephemeral",
            )

        async def show(done: int, of: int) -> None:
            await client.chat_update(
                channel=dm,
                ts=ts,
                text=check.progress_text(done, of),
                blocks=check.progress_blocks(done, of),
            )

        progress = ProgressThrottle(show)
        results = await self.deps.checks.check_portability(parsed.numbers, progress)
        check_id = await self.deps.checks.save_check(user_id, channel_id, results, parsed.invalid)
        await progress.settled()
        await client.chat_update(
            channel=dm,
            ts=ts,
            text=check.check_text(results, parsed.invalid),
            blocks=check.check_blocks(
                results, parsed.invalid, check_id=check_id if channel_id else None
            ),
        )
        await _upload_csv(client, dm, ts, results)

    async def share(
        self,
        client: AsyncWebClient,
        channel_id: str,
        results: list[CheckResult],
        invalid: list[str],
        *,
        shared_by: str,
    ) -> None:
        """Post a stored check's results in the channel it was run in (the Share button)."""
        posted = await client.chat_postMessage(
            channel=channel_id,
            text=check.check_text(results, invalid),
            blocks=check.check_blocks(results, invalid, shared_by=shared_by),
        )
        if len(results) > check.INLINE_LIMIT:
            await _upload_csv(client, channel_id, str(posted["ts"]), results)

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


async def _upload_csv(
    client: AsyncWebClient, channel: str, thread_ts: str, results: list[CheckResult]
) -> None:
    """Every number's result as a CSV, in the thread of the message that summarises them."""
    await client.files_upload_v2(
        channel=channel,
        thread_ts=thread_ts,
        content=check.check_csv(results),
        filename="portability.csv",
        title=f"Portability of {len(results):,} numbers",
    )
