"""One place for what goes wrong behind a Slack request.

* A button or form that no longer reads (:class:`bot.slack.carried.Stale`): the person is told what
  to run instead; the log has one info line.
* Anything else a listener raises — before its ack, after it, or in the work it left for after
  the ack (``SlackDeps.after_ack``) — is a bug or an outage: the person gets a short apology with
  a reference such as ``ERR-7F3K2``, and the log one line with that reference and the traceback.

The answer to Slack never waits for that message (it must arrive within 3 s): when the ack is
still due the message is the ack itself where Slack shows one (a command's ephemeral text, a
modal's field error or new view); otherwise it goes out afterwards through the payload's
response_url, else as an ephemeral message in its channel, else as a DM.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.error import BoltUnhandledRequestError
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot import logs
from bot.background import Tasks
from bot.slack.carried import Stale
from bot.slack.ids import Callback
from bot.slack.messages import dm, update_view
from bot.slack.ui.modals import message_view

log = logging.getLogger(__name__)

REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read out loud safely
NOTICE_TITLE = "Porting bot"


def new_reference() -> str:
    """A short id for one failure (``ERR-7F3K2``): the user quotes it, the log has it."""
    return "ERR-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(5))


def apology(reference: str) -> str:
    return (
        "😕 Sorry, something went wrong on my side and I could not finish that. Try again; if "
        f"it keeps happening, tell whoever runs the porting bot and quote {reference}."
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _id(value: object) -> str | None:
    return _text(value.get("id")) if isinstance(value, Mapping) else _text(value)


@dataclass(frozen=True)
class Audience:
    """Who is behind a request and where they can be told something."""

    kind: str = ""  # the payload's type, or "command"
    user_id: str | None = None
    channel_id: str | None = None
    response_url: str | None = None
    view_id: str | None = None
    input_block: str | None = None  # the first input block of the modal, for a field error

    @classmethod
    def of(cls, body: object) -> Audience:
        """Read from any body (Socket Mode payloads are not checked by the HTTP door)."""
        if not isinstance(body, Mapping):
            return cls()
        kind = _text(body.get("type")) or ("command" if "command" in body else "")
        response_url = _text(body.get("response_url"))
        urls = body.get("response_urls")
        if response_url is None and isinstance(urls, list) and urls:
            response_url = _text(urls[0].get("response_url")) if isinstance(urls[0], dict) else None
        view = body.get("view")
        if not isinstance(view, Mapping):
            view = {}
        blocks = view.get("blocks")
        inputs = [
            b["block_id"]
            for b in (blocks if isinstance(blocks, list) else [])
            if isinstance(b, Mapping) and b.get("type") == "input" and _text(b.get("block_id"))
        ]
        return cls(
            kind=kind,
            user_id=_id(body.get("user")) or _text(body.get("user_id")),
            channel_id=_id(body.get("channel")) or _text(body.get("channel_id")),
            response_url=response_url,
            view_id=_text(view.get("id")),
            input_block=inputs[0] if inputs else None,
        )

    def describe(self) -> str:
        return f"{self.kind or 'request'} from {self.user_id or 'an unknown user'}"


# The request being served: set by a global middleware, inherited by the listener's task and
# the tasks it spawns, so work after the ack can still tell the person.
_audience: ContextVar[Audience | None] = ContextVar("slack_audience", default=None)


def _what(body: object) -> str:
    """A request's kind and ids for a log line (no user input)."""
    if not isinstance(body, Mapping):
        return "request"
    parts = [f"type={body.get('type') or ('command' if 'command' in body else None)}"]
    for key in ("command", "callback_id"):
        if isinstance(body.get(key), str):
            parts.append(f"{key}={body[key][:40]}")
    view, actions = body.get("view"), body.get("actions")
    if isinstance(view, Mapping) and isinstance(view.get("callback_id"), str):
        parts.append(f"callback_id={view['callback_id'][:40]}")
    if isinstance(actions, list) and actions and isinstance(actions[0], Mapping):
        parts.append(f"action_id={str(actions[0].get('action_id'))[:40]}")
    return " ".join(parts)


class Failures:
    def __init__(self, client: AsyncWebClient, tasks: Tasks) -> None:
        self.client = client
        self.tasks = tasks

    def register(self, app: AsyncApp) -> None:
        """Remember each request's audience, and be Bolt's global error handler."""

        async def remember_audience(
            body: dict[str, Any], next: Callable[[], Awaitable[None]]
        ) -> None:
            audience = Audience.of(body)
            _audience.set(audience)
            # Bolt's next() returns before the listener runs (in this task, or one it starts).
            logs.bind(slack_user=audience.user_id, slack_channel=audience.channel_id)
            await next()

        async def on_error(
            error: Exception, body: dict[str, Any], response: BoltResponse | None
        ) -> BoltResponse | None:
            if isinstance(error, BoltUnhandledRequestError):
                log.warning("no listener for a Slack request (%s)", _what(body))
                return None  # Bolt's 404
            # ``response`` is None when the listener had acked before it raised.
            return self.handle(error, Audience.of(body), acked=response is None)

        app.middleware(remember_audience)
        app.error(on_error)

    def after_ack(self, error: Exception) -> None:
        """What work started by a listener raised after the ack (``SlackDeps.on_failure``)."""
        self.handle(error, _audience.get() or Audience(), acked=True)

    def handle(self, error: Exception, audience: Audience, *, acked: bool) -> BoltResponse | None:
        """Log ``error``, start telling the person, and return the ack if it is still due."""
        if isinstance(error, Stale):
            log.info("stale %s in a %s", error.what, audience.describe())
            return self._answer(audience, error, error.text, acked=acked)
        reference = new_reference()
        with logs.context(
            error_ref=reference, slack_user=audience.user_id, slack_channel=audience.channel_id
        ):
            log.error(
                "Slack %s failed (%s): %s",
                audience.describe(),
                reference,
                type(error).__name__,
                exc_info=error,
            )
            return self._answer(audience, error, apology(reference), acked=acked)

    def _answer(
        self, audience: Audience, error: Exception, text: str, *, acked: bool
    ) -> BoltResponse | None:
        """The ack when it is still due; otherwise start telling the person."""
        if not acked:
            if audience.kind == "command":
                return BoltResponse(status=200, body={"response_type": "ephemeral", "text": text})
            if audience.kind == "view_submission":
                if audience.input_block and not isinstance(error, Stale):  # keeps what they typed
                    errors = {audience.input_block: text}
                    return BoltResponse(
                        status=200, body={"response_action": "errors", "errors": errors}
                    )
                view = message_view(Callback.NOTICE, NOTICE_TITLE, text).to_dict()
                return BoltResponse(status=200, body={"response_action": "update", "view": view})
        self.tasks.spawn(self.tell(audience, text), name="slack-tell")
        return None if acked else BoltResponse(status=200, body="")

    async def tell(self, audience: Audience, text: str) -> bool:
        """Say ``text`` to the person behind a request: in the modal they submitted, through
        the response_url, ephemerally in the channel, or by DM. False when nothing worked."""
        if audience.view_id and audience.kind == "view_submission":
            view = message_view(Callback.NOTICE, NOTICE_TITLE, text)
            if await update_view(self.client, audience.view_id, view):
                return True
        if audience.response_url:
            try:
                answer = await AsyncRespond(response_url=audience.response_url)(
                    text=text, response_type="ephemeral", replace_original=False
                )
                if answer.status_code == 200:
                    return True
                log.info("response_url answered %s", answer.status_code)
            except Exception as error:
                log.info("response_url failed: %s", type(error).__name__)
        if audience.user_id and audience.channel_id:
            try:
                await self.client.chat_postEphemeral(
                    channel=audience.channel_id, user=audience.user_id, text=text
                )
                return True
            except Exception as error:
                log.info("chat.postEphemeral failed: %s", type(error).__name__)
        if audience.user_id and await dm(self.client, audience.user_id, text):
            return True
        log.warning("could not tell the person behind a Slack %s", audience.describe())
        return False
