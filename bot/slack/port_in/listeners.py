"""/port-in and the Start port-in button: open the form (its two steps' submissions are
``details_step`` and ``account_step``: filing, and telling the submitter). Listeners parse, call
the desk and render; slow work runs after the ack."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.desk.manual.types import group_by_country
from bot.errors import NotFound
from bot.porting.phone import api_can_file, parse_numbers
from bot.slack.carried import PortInMeta, button_value
from bot.slack.deps import SlackDeps
from bot.slack.ids import Action, Callback, Command
from bot.slack.manual import ManualStartListeners
from bot.slack.permissions import Permissions
from bot.slack.port_in.account_step import AccountStep
from bot.slack.port_in.details_step import DetailsStep
from bot.slack.port_in.form_step import DOING
from bot.slack.press import Press, on_press
from bot.slack.ui.check import invalid_line, too_many_text
from bot.slack.ui.port_in.details import details_view, prefill

Payload = dict[str, Any]


class PortInListeners:
    """The listeners of /port-in and of Start port-in: the form, its two steps, the filing."""

    def __init__(
        self, deps: SlackDeps, permissions: Permissions, manual: ManualStartListeners
    ) -> None:
        self.deps = deps
        self.permissions = permissions
        self.manual = manual  # numbers the API cannot file go to a manual port
        self.details = DetailsStep(deps, permissions)
        self.account = AccountStep(deps, permissions)

    def register(self, app: AsyncApp) -> None:
        app.command(Command.PORT_IN)(self.port_in)
        on_press(
            app, self.deps, Action.START_PORT_IN, button_value, self._start, name="port-in-start"
        )
        app.view(Callback.PORT_IN_DETAILS)(self.details.details_submitted)
        app.view(Callback.PORT_IN_ACCOUNT)(self.account.account_submitted)

    def form(self, meta: PortInMeta, numbers: list[str], note: str | None = None) -> Payload:
        return details_view(
            meta,
            today=self.deps.today(),
            numbers=numbers,
            note=note,
            porting_channel=self.deps.porting_channel or None,
            profiles=self.deps.profiles.names,
            profile=self.deps.profiles.default,
        )

    async def port_in(
        self, ack: AsyncAck, command: Payload, client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        parsed = parse_numbers(command.get("text") or "")
        if parsed.too_many:
            await ack(text=too_many_text(len(parsed.numbers)))
            return
        numbers = [n for n in parsed.numbers if api_can_file(n)]
        manual = group_by_country([n for n in parsed.numbers if not api_can_file(n)])
        if numbers and prefill(numbers) is None:
            await ack(
                text="That is more numbers than the form can hold. Run /port-check with a CSV "
                "of them, then press *Start port-in* under the results."
            )
            return
        await ack()
        press = Press(client, command["trigger_id"], command["user_id"], respond)
        if manual and not numbers:  # only numbers the API cannot file: the manual flow
            self.deps.right_after_ack(
                self.manual.offer(press, manual, filing=False),
                name="port-in-manual",
            )
            return
        notes = [f"Left out: {invalid_line(parsed.invalid)}"] if parsed.invalid else []
        if manual:
            count = sum(len(g.numbers) for g in manual)
            notes.append(
                f"Left out: {count:,} numbers the Porting API cannot file (toll-free or outside "
                "the US); my message in the channel offers them as a manual port."
            )
        self.deps.right_after_ack(
            self._open(press, numbers, " ".join(notes) or None),
            name="port-in-open",
        )
        if manual:
            self.deps.after_ack(
                self.manual.offer(press, manual, filing=True),
                name="port-in-manual-offer",
            )

    async def _open(self, press: Press, numbers: list[str], note: str | None) -> None:
        # The trigger_id lives about 3 s: nothing slow before views.open.
        if await self.permissions.refuses(press, DOING):
            return
        await press.open(self.form(PortInMeta(), numbers, note))

    async def _start(self, press: Press, check_id: str) -> None:
        """Start port-in under /port-check's results: the form with its portable numbers."""
        if await self.permissions.refuses(press, DOING):
            return
        try:
            _, results, _ = await self.deps.checks.load_check(check_id)
        except NotFound:
            await press.tell("Those results are gone; run /port-check again.")
            return
        portable = [r.number for r in results if r.portable]
        if prefill(portable) is not None:
            view = self.form(PortInMeta(), portable)
        else:  # too many for the paste area: the form reads them from the stored check
            view = self.form(PortInMeta(check_id=check_id, check_count=len(portable)), [])
        await press.open(view)


def register(
    app: AsyncApp, deps: SlackDeps, permissions: Permissions, manual: ManualStartListeners
) -> None:
    PortInListeners(deps, permissions, manual).register(app)
