"""/port-check's listeners: the command, its modal, the message shortcut and the Share
button. They parse and ack; :class:`~bot.slack.check.runner.CheckRunner` does the rest."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.porting.phone import ParsedNumbers, numbers_in_prose, parse_numbers
from bot.slack import view_state
from bot.slack.carried import button_value
from bot.slack.check.files import add_numbers, numbers_from_files
from bot.slack.check.runner import USAGE, CheckRunner
from bot.slack.deps import SlackDeps
from bot.slack.ids import Action, Block, Callback, Command, Input
from bot.slack.press import Press, on_press
from bot.slack.ui import check as ui

Payload = dict[str, Any]


class CheckListeners:
    """The listeners of /port-check: the command, its modal, the message shortcut, Share."""

    def __init__(self, deps: SlackDeps) -> None:
        self.deps = deps
        self.runner = CheckRunner(self.deps)

    def register(self, app: AsyncApp) -> None:
        app.command(Command.CHECK)(self.port_check)
        app.view(Callback.CHECK_MODAL)(self.check_modal_submitted)
        app.shortcut(Callback.CHECK_SHORTCUT)(self.check_message)
        on_press(
            app,
            self.deps,
            Action.SHARE_CHECK,
            button_value,
            self._share,
            name="share-check",
            opens=False,
        )

    async def port_check(
        self, ack: AsyncAck, command: Payload, client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        text = (command.get("text") or "").strip()
        if not text:
            await ack()
            self.deps.right_after_ack(
                client.views_open(trigger_id=command["trigger_id"], view=ui.check_modal()),
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
        self.deps.after_ack(
            self.runner.run(
                client,
                parsed,
                user_id=command["user_id"],
                channel_id=command.get("channel_id"),
                respond=respond,
            ),
            name="port-check",
        )

    async def check_modal_submitted(
        self, ack: AsyncAck, body: Payload, view: Payload, client: AsyncWebClient
    ) -> None:
        values = view["state"]["values"]
        text = view_state.text(values, Block.CHECK_TEXT, Input.CHECK_TEXT)
        files = view_state.files(values, Block.CHECK_FILE, Input.CHECK_FILE)
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
        self.deps.after_ack(
            self._check_submitted(client, body["user"]["id"], parsed, files),
            name="port-check-modal",
        )

    async def _check_submitted(
        self, client: AsyncWebClient, user_id: str, parsed: ParsedNumbers, files: list[Payload]
    ) -> None:
        if files:
            try:
                from_files = await numbers_from_files(self.deps.download, files)
            except ValueError as error:
                await self.runner.say(client, user_id, None, f"⚠️ {error}")
                return
            add_numbers(parsed, from_files)
        await self.runner.run(client, parsed, user_id=user_id, channel_id=None, respond=None)

    async def check_message(
        self, ack: AsyncAck, shortcut: Payload, client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        await ack()
        self.deps.after_ack(
            self._check_message(shortcut, client, respond), name="port-check-shortcut"
        )

    async def _check_message(
        self, shortcut: Payload, client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        message = shortcut.get("message", {})
        user_id = shortcut["user"]["id"]
        channel_id = shortcut.get("channel", {}).get("id")
        parsed = numbers_in_prose(message.get("text") or "")  # words are not numbers
        try:
            from_files = await numbers_from_files(self.deps.download, message.get("files") or [])
        except ValueError as error:
            await respond(text=f"⚠️ {error}", response_type="ephemeral")
            return
        add_numbers(parsed, from_files)
        await self.runner.run(
            client, parsed, user_id=user_id, channel_id=channel_id, respond=respond
        )

    async def _share(self, press: Press, check_id: str) -> None:
        """Share: the check's results posted in the channel it ran in."""
        user_id = press.user_id
        try:
            run, results, invalid = await self.deps.desk.load_check(check_id)
        except LookupError:
            await press.tell("Those results are gone; run /port-check again.")
            return
        if run.user_id != user_id:
            await press.tell("Only the person who ran this check can share it.")
            return
        if not run.channel_id:
            await press.tell(
                "These results came from a modal; run /port-check in a channel to share."
            )
            return
        await self.runner.share(press.client, run.channel_id, results, invalid, shared_by=user_id)
        if press.ephemeral:
            await press.respond(delete_original=True)


def register(app: AsyncApp, deps: SlackDeps) -> None:
    CheckListeners(deps).register(app)
