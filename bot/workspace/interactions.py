"""What people do on the page, sent to the app as Slack sends it: each click, command,
submission and shortcut becomes the signed request Slack would POST to the app's
``/slack/events`` (:mod:`bot.workspace.payloads`), and the app's answer (the ack) is applied
as Slack applies it: a command's reply shows privately, a submission's ``response_action``
shows errors on their fields, updates, pushes or closes the modal.

The same Bolt app and listeners answer as in production; nothing here is local-only to them.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

import httpx

from bot import errors
from bot.workspace import payloads, responses
from bot.workspace.api_chat import bot_message, content_error
from bot.workspace.api_files import file_object
from bot.workspace.identity import Identity
from bot.workspace.state import Answering, ResponseTarget, public

if TYPE_CHECKING:
    from bot.workspace.local import LocalWorkspace

log = logging.getLogger(__name__)

JSON = dict[str, Any]
ACK_SECONDS = 3.0  # Slack gives an app 3 s to answer
EVENTS_PATH = "/slack/events"


class Refused(errors.Refused):
    """What the page asked cannot be done (shown to the person as Slack would show it)."""


class Sender:
    """Sends Slack's requests to the app (``client`` reaches its ``/slack/events``)."""

    def __init__(self, ws: LocalWorkspace, signing_secret: str, client: httpx.AsyncClient) -> None:
        self.ws = ws
        self.secret = signing_secret
        self.client = client

    @property
    def me(self) -> Identity:
        return self.ws.identity

    # -- sending ----------------------------------------------------------------------------

    async def _send(self, request: payloads.SlackRequest) -> httpx.Response | str:
        """POST to the app; its response, or Slack's name for what went wrong."""
        try:
            response = await self.client.post(
                EVENTS_PATH, content=request.body, headers=request.headers, timeout=ACK_SECONDS
            )
        except httpx.TimeoutException:
            return "operation_timeout"
        except httpx.HTTPError as error:
            log.warning("workspace: the app did not answer (%s)", type(error).__name__)
            return "dispatch_failed"
        if response.status_code != 200:
            return "dispatch_failed" if response.status_code >= 500 else "http_client_error"
        return response

    def _slackbot(self, user: str, channel: str, text: str, thread_ts: str | None) -> None:
        message = {
            "type": "message",
            "user": "USLACKBOT",
            "text": text,
            "ts": self.ws.state.next_ts(),
        }
        if thread_ts:
            message["thread_ts"] = thread_ts
        self.ws.state.add_ephemeral(channel, user, message)


class Conversations(Sender):
    """Messages, slash commands, clicks on messages' elements, message shortcuts."""

    def post_message(
        self, user: str, channel: str, text: str, thread_ts: str | None, file_ids: list[str]
    ) -> JSON:
        """A person's message (with files they attached)."""
        state = self.ws.state
        if channel not in state.channels:
            raise Refused("channel_not_found")
        files = [file_object(self.ws, state.files[f]) for f in file_ids if f in state.files]
        if not text.strip() and not files:
            raise Refused("no_text")
        message: JSON = {
            "type": "message",
            "user": user,
            "team": self.me.team_id,
            "text": text,
            "ts": state.next_ts(),
        }
        if files:
            message.update(files=files, upload=True, subtype="file_share")
        if thread_ts:
            message["thread_ts"] = thread_ts
        return public(state.add_message(channel, message))

    async def command(self, user: str, channel: str, line: str, thread_ts: str | None) -> None:
        """A slash command typed in the composer."""
        name, _, text = line.strip().partition(" ")
        if self.ws.manifest.command(name) is None:
            self._slackbot(
                user,
                channel,
                f"`{name}` is not a valid command. In Slack, all messages that start with the "
                '"/" character are interpreted as commands.',
                thread_ts,
            )
            return
        info = self.ws.state.channel(channel)
        target = ResponseTarget(user=user, channel=channel, thread_ts=thread_ts)
        fields = payloads.command_fields(
            self.me,
            name,
            text.strip(),
            user_id=user,
            user_name=self.ws.user_name(user),
            channel_id=channel,
            channel_name=info.get("name", "directmessage"),
            response_url=responses.issue(self.ws, target),
            trigger_id=self.ws.state.issue_trigger(user),
        )
        target.answering = answering = Answering()
        try:
            answer = await self._send(payloads.form(fields, secret=self.secret))
            if isinstance(answer, str):
                self._slackbot(
                    user, channel, f'`{name}` failed with the error "{answer}"', thread_ts
                )
                return
            self._show_ack(user, channel, thread_ts, answer)
        finally:
            target.answering = None
            answering.done()

    def _show_ack(
        self, user: str, channel: str, thread_ts: str | None, answer: httpx.Response
    ) -> None:
        raw = answer.content.strip()
        if not raw:
            return
        try:
            body = json.loads(raw)
        except ValueError:
            body = {"text": raw.decode("utf-8", errors="replace")}
        if not isinstance(body, dict) or content_error(body) is not None:
            return
        content = {k: body[k] for k in ("text", "blocks", "attachments") if k in body}
        message = bot_message(self.ws, {**content, "thread_ts": thread_ts}, self.ws.state.next_ts())
        if body.get("response_type") == "in_channel":
            self.ws.state.add_message(channel, message)
        else:
            self.ws.state.add_ephemeral(channel, user, message)

    # -- clicks -------------------------------------------------------------------------------

    def _element(self, blocks: list[JSON], block_id: str, action_id: str) -> JSON:
        for block in blocks:
            if block.get("block_id", "") != block_id and block_id:
                continue
            candidates = list(block.get("elements") or [])
            for key in ("accessory", "element"):
                if key in block:
                    candidates.append(block[key])
            for element in candidates:
                if isinstance(element, dict) and element.get("action_id") == action_id:
                    return element
        raise Refused("element_not_found")

    def _action(self, element: JSON, block_id: str, chosen: JSON) -> JSON:
        action: JSON = {
            "type": element["type"],
            "action_id": element["action_id"],
            "block_id": block_id,
            "action_ts": payloads.action_ts(),
        }
        for key in ("text", "value", "style", "url"):
            if key in element:
                action[key] = element[key]
        for key in (
            "selected_option",
            "selected_options",
            "selected_date",
            "selected_time",
            "selected_conversation",
            "selected_user",
        ):
            if key in chosen:
                action[key] = chosen[key]
        return action

    async def click(
        self, user: str, where: JSON, block_id: str, action_id: str, chosen: JSON
    ) -> None:
        """An interactive element pressed in a message (``where``: channel, ts, ephemeral) or
        in a view (``where``: view_id, with the view's current ``values``)."""
        state = self.ws.state
        trigger = state.issue_trigger(user)
        if "view_id" in where:
            record = state.views.get(str(where["view_id"]))
            if record is None or not record.open or record.user != user:
                raise Refused("not_found")
            element = self._element(record.view.get("blocks", []), block_id, action_id)
            view = {**record.view, "state": {"values": state_values(self.ws, where.get("values"))}}
            payload = payloads.block_actions(
                self.me,
                self._action(element, block_id, chosen),
                user_id=user,
                trigger_id=trigger,
                user_name=self.ws.user_name(user),
                view=view,
            )
        else:
            channel, ts = str(where.get("channel")), str(where.get("ts"))
            ephemeral = bool(where.get("ephemeral"))
            stored = state.ephemeral(user, ts) if ephemeral else state.message(channel, ts)
            if stored is None:
                raise Refused("message_not_found")
            element = self._element(stored.get("blocks") or [], block_id, action_id)
            message = {k: v for k, v in public(stored).items() if k not in ("user_visible_to",)}
            target = ResponseTarget(
                user, channel, thread_ts=stored.get("thread_ts"), message_ts=ts, ephemeral=ephemeral
            )
            info = state.channel(channel)
            payload = payloads.block_actions(
                self.me,
                self._action(element, block_id, chosen),
                user_id=user,
                trigger_id=trigger,
                user_name=self.ws.user_name(user),
                channel={"id": channel, "name": info.get("name", "directmessage")},
                message=message,
                is_ephemeral=ephemeral,
                response_url=responses.issue(self.ws, target),
            )
        answer = await self._send(payloads.interactive(payload, secret=self.secret))
        if isinstance(answer, str):
            raise Refused(answer)

    async def shortcut(self, user: str, channel: str, ts: str, callback_id: str) -> None:
        """A message shortcut chosen from a message's ⋮ menu."""
        if self.ws.manifest.shortcut(callback_id) is None:
            raise Refused("unknown_shortcut")
        stored = self.ws.state.message(channel, ts)
        if stored is None:
            raise Refused("message_not_found")
        target = ResponseTarget(user, channel, thread_ts=stored.get("thread_ts"))
        payload = payloads.message_action(
            self.me,
            callback_id,
            public(stored),
            channel={"id": channel, "name": self.ws.state.channel(channel).get("name", "")},
            user_id=user,
            user_name=self.ws.user_name(user),
            trigger_id=self.ws.state.issue_trigger(user),
            response_url=responses.issue(self.ws, target),
        )
        answer = await self._send(payloads.interactive(payload, secret=self.secret))
        if isinstance(answer, str):
            self._slackbot(user, channel, f'The shortcut failed with the error "{answer}"', None)


def state_values(ws: LocalWorkspace, values: JSON | None) -> JSON:
    """The page's input values as Slack's ``state.values`` (attached files in full)."""
    out: JSON = {}
    for block_id, actions in (values or {}).items():
        out[block_id] = {}
        for action_id, value in (actions or {}).items():
            value = dict(value)
            if value.get("type") == "file_input":
                files = ws.state.files
                value["files"] = [
                    file_object(ws, files[f]) for f in value.get("files") or [] if f in files
                ]
            out[block_id][action_id] = value
    return out
