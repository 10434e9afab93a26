"""Starting a manual port: the Start manual port button (under /port-check results and
/port-in's answer), /port-in with such numbers, the Console path for US toll-free numbers,
and the form's submission. Only PORTING_ADMINS start one; anyone may read the Console path."""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.desk.manual.types import CountryGroup, ManualDetails, group_by_country
from bot.errors import NotFound
from bot.slack.carried import ManualStart, manual_start
from bot.slack.deps import SlackDeps
from bot.slack.ids import Action, Callback
from bot.slack.manual.form import read_form
from bot.slack.messages import dm, permalink, update_view
from bot.slack.permissions import Permissions
from bot.slack.press import Press, on_press
from bot.slack.ui.check import manual_numbers
from bot.slack.ui.manual import start_offer
from bot.slack.ui.manual.form_modals import DOCUMENT_FIELDS, manual_form, prefill
from bot.slack.ui.manual.step_modals import notice_view
from bot.slack.ui.manual.words import title

log = logging.getLogger(__name__)

Payload = dict[str, Any]
DOING = "start manual ports"
STARTED = "manual.started"  # the audit log's action
GONE = "Those numbers are gone (the check is too old); run /port-check again."


class ManualStartListeners:
    def __init__(self, deps: SlackDeps, permissions: Permissions) -> None:
        self.deps = deps
        self.permissions = permissions

    def register(self, app: AsyncApp) -> None:
        on_press(
            app, self.deps, Action.MANUAL_START, manual_start, self._start, name="manual-start"
        )
        on_press(
            app,
            self.deps,
            Action.MANUAL_CONSOLE,
            manual_start,
            self._console,
            name="manual-console",
            opens=False,
        )
        app.view(Callback.MANUAL_FORM)(self.form_submitted)

    # -- opening the form -------------------------------------------------------------------

    async def open_form(
        self, press: Press, group: CountryGroup | None, note: str | None = None
    ) -> None:
        """The form for ``group``'s numbers (None: empty). Call it right after the ack: the
        trigger_id lives about 3 s."""
        numbers = list(group.numbers) if group else []
        if numbers and prefill(numbers) is None:
            note = "Too many numbers to fill in here: paste them in parts, one port per country."
            numbers = []
        view = manual_form(
            country_name=group.name if group else None,
            numbers=numbers,
            today=self.deps.today(),
            porting_channel=self.deps.porting_channel or None,
            note=note,
            profiles=self.deps.profiles.names,
            profile=self.deps.profiles.default,
        )
        await press.open(view)

    async def _refuses(self, press: Press) -> bool:
        """True (audited, and the presser told why) when they may not start manual ports."""
        audit = functools.partial(self.deps.manual.refused, press.user_id, None, STARTED)
        return await self.permissions.refuses(press, DOING, audit=audit)

    async def _start(self, press: Press, start: ManualStart) -> None:
        """A Start manual port button: the form for the first country's numbers."""
        if await self._refuses(press):
            return
        numbers = await self._numbers(start)
        groups = [g for g in group_by_country(numbers) if not g.console]
        if not groups:
            await press.tell(GONE)
            return
        await self.open_form(press, groups[0])

    async def _numbers(self, start: ManualStart) -> list[str]:
        if start.numbers:
            return list(start.numbers)
        assert start.check_id
        try:
            _, results, _ = await self.deps.checks.load_check(start.check_id)
        except NotFound:
            return []
        found = group_by_country(manual_numbers(results))
        return [n for g in found if g.country == start.country for n in g.numbers]

    async def _console(self, press: Press, start: ManualStart) -> None:
        numbers = [
            n for g in group_by_country(await self._numbers(start)) if g.console for n in g.numbers
        ]
        if not numbers:
            await press.tell(GONE)
            return
        text, blocks = start_offer.console_message(numbers)
        await press.tell(text, blocks=blocks)

    # -- from /port-in ----------------------------------------------------------------------

    async def offer(self, press: Press, groups: Sequence[CountryGroup], *, filing: bool) -> None:
        """/port-in's numbers the API cannot file. With no API numbers (``filing`` False)
        and one country, the manual form opens (on the press's trigger_id); US toll-free
        numbers get the Console path; anything else is offered with Start buttons, beside the
        form."""
        manual = [g for g in groups if not g.console]
        console = [n for g in groups if g.console for n in g.numbers]
        opened = "port-in" if filing else None
        if not filing and manual:
            if await self._refuses(press):
                manual = []
            else:
                await self.open_form(press, manual[0])
                opened = manual[0].name
                manual = manual[1:]
        if console:
            text, blocks = start_offer.console_message(console)
            await press.tell(text, blocks=blocks)
        if manual:
            text, blocks = start_offer.manual_offer(manual, opened=opened)
            await press.tell(text, blocks=blocks)

    # -- the form ---------------------------------------------------------------------------

    async def form_submitted(
        self, ack: AsyncAck, body: Payload, view: Payload, client: AsyncWebClient
    ) -> None:
        user_id = body["user"]["id"]
        details, errors = read_form(
            view["state"]["values"],
            today=self.deps.today(),
            porting_channel=self.deps.porting_channel or None,
        )
        if details is not None:
            errors = self.deps.files.refusals(
                {DOCUMENT_FIELDS[d.kind]: (d.url, d.name) for d in details.documents}
            )
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        assert details is not None
        if not await self.permissions.allows(user_id):
            refusal = self.permissions.refusal(DOING)
            await ack(response_action="update", view=notice_view("Not allowed", refusal))
            await self.deps.manual.refused(user_id, None, STARTED)
            return
        await ack(
            response_action="update",
            view=notice_view("Manual port", "⏳ Starting the manual port and its thread…"),
        )
        self.deps.after_ack(
            self._start_port(client, view["id"], user_id, details), name="manual-port-start"
        )

    async def _start_port(
        self, client: AsyncWebClient, view_id: str, user_id: str, details: ManualDetails
    ) -> None:
        port = await self.deps.manual.start(user_id, details)
        port = await self.deps.manual.wait_for_thread(port)
        link = None
        if port.thread is not None:
            link = await permalink(client, port.thread.channel_id, port.thread.thread_ts)
        where = f"<{link}|its thread>" if link else f"<#{details.channel_id}>"
        missing = port.outstanding
        outstanding = (
            " Outstanding documents: " + ", ".join(k.short for k in missing) + "."
            if missing
            else ""
        )
        text = (
            f"🌍 Started *{title(port)}* (`{port.id}`). The support request is ready to send "
            f"in {where}: paste it into a Twilio support ticket, attach the files, then press "
            f"*Submitted to Twilio* on the board.{outstanding}"
        )
        if not await update_view(client, view_id, notice_view("Manual port", text)):
            await dm(client, user_id, text)
