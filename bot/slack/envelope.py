"""What a request to ``/slack/events`` must look like before Bolt sees it.

Bolt parses the body and builds its context before anything can catch an error, and its
matchers index into the payload (``body["view"]["type"]``, ``body["actions"][0]``): a body that
is not JSON, a JSON array, or a payload missing a field Slack always sends raised out of the
adapter (HTTP 500, a traceback). :func:`read` parses the body the way Bolt does and checks it
against the shapes Slack sends, for every field Bolt or a listener reads; anything else raises
:class:`Malformed`, which the HTTP door answers with 400.

The models only check (the listeners keep reading Bolt's dicts), so they are strict: a field's
JSON type must be what Slack sends, nothing is coerced. Unknown fields are allowed.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal
from urllib.parse import parse_qsl

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from bot.errors import Invalid

# Interactive payload types this bot serves (Bolt reads others, e.g. legacy dialogs and
# workflow steps, through fields this bot never checks).
INTERACTIVE_TYPES = (
    "block_actions",
    "block_suggestion",
    "message_action",
    "shortcut",
    "view_closed",
    "view_submission",
)
EVENT_TYPES = ("app_rate_limited", "event_callback", "url_verification")


class Malformed(Invalid):
    """A request that is not shaped like anything Slack sends; ``reason`` names the first
    problem without quoting the request (it may carry PINs typed into a form)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Shape(BaseModel):
    model_config = ConfigDict(strict=True, extra="allow")


Url = Annotated[str, StringConstraints(pattern=r"^https?://\S+$")]
SlackId = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{1,32}$")]  # U…, C…, D…, W…


class Ref(_Shape):
    """``{"id": …}``: a user or channel as interactive payloads carry them."""

    id: SlackId
    team_id: str | None = None


class Org(_Shape):
    """A team or enterprise: Bolt takes its ``id`` for the request's context."""

    id: str | None = None


IdOrName = Org | str | None


class Authorization(_Shape):
    enterprise_id: str | None = None
    team_id: str | None = None
    user_id: str | None = None
    is_enterprise_install: bool | None = None


class ResponseUrl(_Shape):
    response_url: Url


class Option(_Shape):
    value: str


class FileRef(_Shape):
    """A file in a message or a file input (the fields the bot reads)."""

    id: str | None = None
    name: str | None = None
    title: str | None = None
    filetype: str | None = None
    mimetype: str | None = None
    size: int | None = None
    url_private: str | None = None
    url_private_download: str | None = None


class StateValue(_Shape):
    """One input element's value in a view's state."""

    type: str | None = None
    value: str | None = None
    selected_option: Option | None = None
    selected_options: list[Option] | None = None
    selected_date: str | None = None
    selected_time: str | None = None
    selected_conversation: str | None = None
    selected_channel: str | None = None
    selected_user: str | None = None
    selected_conversations: list[str] | None = None
    selected_channels: list[str] | None = None
    selected_users: list[str] | None = None
    files: list[FileRef] | None = None


class State(_Shape):
    values: dict[str, dict[str, StateValue]]


class View(_Shape):
    id: str
    team_id: str | None = None
    app_installed_team_id: str | None = None
    type: Literal["modal", "home"]
    callback_id: str = ""
    private_metadata: str = ""
    state: State
    blocks: list[dict[str, Any]] = Field(default_factory=list)


class Message(_Shape):
    ts: str
    text: str | None = None
    thread_ts: str | None = None
    files: list[FileRef] | None = None


class Container(_Shape):
    type: str
    is_ephemeral: bool | None = None
    channel_id: str | None = None
    message_ts: str | None = None
    view_id: str | None = None


class ActionItem(_Shape):
    action_id: str
    block_id: str | None = None
    type: str | None = None
    value: str | None = None
    selected_option: Option | None = None


class _Payload(_Shape):
    """Fields Bolt reads from every payload to build its context."""

    team: IdOrName = None
    enterprise: IdOrName = None
    team_id: str | None = None
    enterprise_id: str | None = None
    is_enterprise_install: bool | None = None
    authorizations: list[Authorization] | None = None
    response_url: Url | None = None
    response_urls: list[ResponseUrl] = Field(default_factory=list)


class BlockActions(_Payload):
    type: Literal["block_actions"]
    user: Ref
    trigger_id: str
    actions: list[ActionItem] = Field(min_length=1)
    container: Container | None = None
    channel: Ref | None = None
    message: Message | None = None
    view: View | None = None
    state: State | None = None

    @model_validator(mode="after")
    def _answerable(self) -> BlockActions:
        # A message's button is answered through its response_url, a modal's through the view.
        if self.response_url is None and self.view is None:
            raise ValueError("an action needs a response_url or a view")
        return self


class BlockSuggestion(_Payload):
    type: Literal["block_suggestion"]
    user: Ref
    action_id: str
    view: View | None = None


class ViewSubmission(_Payload):
    type: Literal["view_submission"]
    user: Ref
    view: View


class ViewClosed(_Payload):
    type: Literal["view_closed"]
    user: Ref
    view: View


class GlobalShortcut(_Payload):
    type: Literal["shortcut"]
    user: Ref
    callback_id: str
    trigger_id: str


class MessageShortcut(_Payload):
    type: Literal["message_action"]
    user: Ref
    callback_id: str
    trigger_id: str
    channel: Ref
    message: Message
    response_url: Url


Interactive = Annotated[
    Annotated[BlockActions, Tag("block_actions")]
    | Annotated[BlockSuggestion, Tag("block_suggestion")]
    | Annotated[MessageShortcut, Tag("message_action")]
    | Annotated[GlobalShortcut, Tag("shortcut")]
    | Annotated[ViewClosed, Tag("view_closed")]
    | Annotated[ViewSubmission, Tag("view_submission")],
    Discriminator("type"),
]


class Command(_Shape):
    """A slash command (form fields, all strings)."""

    command: str
    user_id: SlackId
    channel_id: SlackId | None = None
    trigger_id: str
    response_url: Url
    text: str = ""


PersonOrPlace = Ref | str | None  # Bolt reads an "id" from a dict


class EventBody(_Shape):
    type: str
    team: str | None = None
    user_team: str | None = None
    enterprise_id: str | None = None
    user: PersonOrPlace = None
    channel: PersonOrPlace = None
    item: dict[str, Any] | None = None
    message: dict[str, Any] | None = None
    previous_message: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _no_workflow_steps(self) -> EventBody:
        if self.type == "workflow_step_execute":  # retired by Slack; Bolt indexes into it
            raise ValueError("workflow steps are not served")
        return self


class EventCallback(_Payload):
    type: Literal["event_callback"]
    event: EventBody
    context_team_id: str | None = None
    context_enterprise_id: str | None = None


class UrlVerification(_Shape):
    type: Literal["url_verification"]
    challenge: str


class RateLimited(_Shape):
    type: Literal["app_rate_limited"]


EventsApi = Annotated[
    Annotated[EventCallback, Tag("event_callback")]
    | Annotated[UrlVerification, Tag("url_verification")]
    | Annotated[RateLimited, Tag("app_rate_limited")],
    Discriminator("type"),
]

_COMMAND: TypeAdapter[Any] = TypeAdapter(Command)
_INTERACTIVE: TypeAdapter[Any] = TypeAdapter(Interactive)
_EVENTS: TypeAdapter[Any] = TypeAdapter(EventsApi)


def parse(text: str, content_type: str | None) -> Any:
    """The body as Bolt reads it (``slack_bolt.request.internals.parse_body``), except that a
    form is only an interactive payload when it has a ``payload`` field: Bolt looks for the
    word anywhere, so ``/port-status payload`` reached it as an empty body."""
    if not text:
        return {}
    if content_type == "application/json" or text.startswith("{"):
        return json.loads(text)
    fields = dict(parse_qsl(text, keep_blank_values=True))
    if "payload" in fields:
        return json.loads(fields["payload"])
    return fields


def read(text: str, content_type: str | None) -> dict[str, Any]:
    """The parsed body of a request shaped like one Slack sends; raises :class:`Malformed`."""
    try:
        body = parse(text, content_type)
    except (ValueError, RecursionError) as error:
        raise Malformed("the body or its payload is not JSON") from error
    if not isinstance(body, dict):
        raise Malformed(f"the payload is a JSON {type(body).__name__}, not an object")
    kind = body.get("type")
    if "command" in body and kind is None:
        _check(_COMMAND, body, "command")
    elif "ssl_check" in body and kind is None:
        pass  # Slack checking the certificate: Bolt answers it
    elif kind in INTERACTIVE_TYPES:
        _check(_INTERACTIVE, body, kind)
    elif kind in EVENT_TYPES:
        _check(_EVENTS, body, kind)
    elif kind is None:
        raise Malformed("neither a command nor a payload with a type")
    else:
        shown = kind[:40] if isinstance(kind, str) else type(kind).__name__
        raise Malformed(f"a payload of type {shown!r}, which this bot does not serve")
    return body


def _check(adapter: TypeAdapter[Any], body: dict[str, Any], kind: str) -> None:
    try:
        adapter.validate_python(body)
    except ValidationError as error:
        first = error.errors(include_url=False, include_input=False, include_context=False)[0]
        # Drop the union's tags (the payload type, "dict[str,any]") from the field's path.
        path = [p for p in first["loc"] if isinstance(p, int) or (p != kind and p.isidentifier())]
        where = ".".join(str(part) for part in path) or "body"
        raise Malformed(f"{kind}: {where}: {first['msg']}") from None
