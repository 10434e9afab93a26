"""The Re-file… buttons (a rejection reply's, for its numbers; a board's, for every rejected
number): the /port-in form, prefilled with the old request's details and only the rejected
numbers. Its two steps and the filing are the form's own (``bot.slack.port_in``), which
cancels the numbers in the old request before filing them again."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.desk.refile.types import RefiledAs, RefileSource
from bot.porting.errors import TwilioError
from bot.slack.carried import NumbersValue, PortInMeta
from bot.slack.deps import SlackDeps
from bot.slack.ids import Action
from bot.slack.messages import permalink
from bot.slack.permissions import Permissions
from bot.slack.press import Press, on_press
from bot.slack.ui.errors import twilio_error_text
from bot.slack.ui.fmt import number_list, plural
from bot.slack.ui.port_in import refile_form
from bot.slack.ui.port_in.details import prefill

log = logging.getLogger(__name__)

Payload = dict[str, Any]
DOING = "re-file port-ins"


class RefileListeners:
    """The listener of the Re-file… buttons."""

    def __init__(self, deps: SlackDeps, permissions: Permissions) -> None:
        self.deps = deps
        self.permissions = permissions

    def register(self, app: AsyncApp) -> None:
        on_press(app, self.deps, Action.REFILE, NumbersValue.read, self._open, name="refile-open")

    async def _open(self, press: Press, value: NumbersValue) -> None:
        # The trigger_id lives about 3 s: the prefill is read from the store, not Twilio
        # (Twilio is asked only for a request the bot never stored).
        if await self.permissions.refuses(press, DOING):
            return
        sid = value.request_sid
        try:
            source = await self.deps.refiles.source(sid, value.numbers, value.code)
        except TwilioError as error:
            await press.tell(twilio_error_text(error, f"look up {sid}"))
            return
        if source.refiled_as is not None:
            await press.tell(await _refiled_text(press, sid, source.refiled_as))
            return
        if not source.numbers:
            await press.tell(_nothing_text(sid, value))
            return
        await press.open(self.form(source, value))

    def form(self, source: RefileSource, value: NumbersValue) -> dict[str, Any]:
        fits = prefill(source.numbers) is not None
        meta = PortInMeta(
            refile_of=source.request_sid,
            refile_count=0 if fits else len(source.numbers),
            refile_code=None if fits else value.code,
        )
        return refile_form.refile_view(
            meta,
            source,
            today=self.deps.today(),
            porting_channel=self.deps.porting_channel or None,
            profiles=self.deps.profiles.names,
            default_profile=self.deps.profiles.default,
        )


async def _refiled_text(press: Press, sid: str, refiled: RefiledAs) -> str:
    """A stale Re-file… button: the numbers already went into another request."""
    new = refiled.request_sid
    link = None
    if refiled.channel_id and refiled.thread_ts:
        link = await permalink(press.client, refiled.channel_id, refiled.thread_ts)
    where = f" (<{link}|its thread>)" if link else ""
    return (
        f"These numbers of `{sid}` were already re-filed as `{new}`{where}: "
        f"`/port-status {new}` shows where they stand."
    )


def _nothing_text(sid: str, value: NumbersValue) -> str:
    if value.numbers:
        verb = plural(len(value.numbers), "is", "are", bare=True)
        what = f"{number_list(value.numbers)} {verb} no longer rejected in `{sid}`"
    else:
        what = f"No number is rejected in `{sid}` any more"
    return (
        f"{what}: nothing to re-file. `/port-status {sid}` shows where its numbers stand; "
        "/port-in files new ones."
    )


def register(app: AsyncApp, deps: SlackDeps, permissions: Permissions) -> None:
    RefileListeners(deps, permissions).register(app)
