"""The tests' Slack: the product's own stand-in (:class:`bot.workspace.Workspace`, the same one
local mode shows in the browser) served over real HTTP, plus a recorder and scripting.

slack_sdk's ``AsyncWebClient`` talks aiohttp, so transport-level mocks would tie tests to
aiohttp internals. Instead :class:`FakeSlack` serves the workspace under uvicorn on
``127.0.0.1`` (random free port) inside the test's own event loop::

    async with FakeSlack() as slack:
        client = AsyncWebClient(token="xoxb-test", base_url=slack.api_url)
        await client.chat_postMessage(channel="C1", text="hi")
        (call,) = await slack.wait_for("chat.postMessage")
        assert call.args["text"] == "hi"

Every Web API call is recorded as a :class:`Call` (method, decoded args, headers, the status
answered). The workspace answers as Slack would, and refuses what Slack refuses (bad blocks,
a modal title over 24 characters, a thread_ts that is not a string, a sixth post to a
response_url, …); any method it does not implement answers ``{"ok": true}``. Tests can script
failures per method (:meth:`FakeSlack.script`, :func:`ratelimited`, :func:`server_error`,
:func:`slack_error`), replace a method (:meth:`FakeSlack.set_handler`) or simulate an outage
(:meth:`FakeSlack.fail_until`).

Besides ``/api/<method>`` the server serves ``/files-pri/<team>-<file_id>/<name>`` (private
downloads, registered with :meth:`FakeSlack.add_file`), ``/upload/v1/<upload_id>`` (the
``files_upload_v2`` flow; completed uploads land in :attr:`FakeSlack.uploaded_files`) and
``/response/<name>`` (``response_url`` receivers, :meth:`FakeSlack.response_url`, recorded in
:attr:`FakeSlack.responses`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bot.workspace import Workspace, api_chat, api_files, responses
from bot.workspace.identity import APP_ID, BOT_ID, BOT_USER_ID, TEAM_ID
from bot.workspace.records import (
    FILE_DOWNLOAD,
    FILE_UPLOAD,
    RESPONSE_URL,
    Call,
    Download,
    Reply,
    ResponseUrlPost,
    UploadedFile,
    ratelimited,
    server_error,
    slack_error,
)
from bot.workspace.state import ResponseTarget, StoredFile, default_channel
from tests.fakes.recorder import Recorder
from tests.fakes.serving import LocalServer

__all__ = [
    "APP_ID",
    "BOT_ID",
    "BOT_USER_ID",
    "FILE_DOWNLOAD",
    "FILE_UPLOAD",
    "RESPONSE_URL",
    "TEAM_ID",
    "Call",
    "Download",
    "FakeSlack",
    "Reply",
    "ResponseUrlPost",
    "UploadedFile",
    "ratelimited",
    "server_error",
    "slack_error",
]


class FakeSlack(Recorder, Workspace):
    """The workspace on a random local port, recording its traffic (it is its own
    :class:`~bot.workspace.records.Traffic` observer: see :class:`~tests.fakes.recorder.Recorder`).

    Use ``async with FakeSlack() as slack:`` or ``await slack.start()`` / ``await slack.stop()``
    from a running event loop. Point clients at :attr:`api_url`.
    """

    def __init__(self, *, host: str = "127.0.0.1", bot_token_prefix: str = "xoxb-") -> None:
        self.host = host
        self.bot_token_prefix = bot_token_prefix
        Recorder.__init__(self)
        Workspace.__init__(self, traffic=self)
        self.app = self.asgi()
        self._serving = LocalServer(self.app, host=host)

    # ------------------------------------------------------------------ lifecycle

    @property
    def port(self) -> int | None:
        return self._serving.port if self._serving.running else None

    @property  # type: ignore[override]
    def url(self) -> str:
        """Base URL of the running server, e.g. ``http://127.0.0.1:54321`` (no trailing slash)."""
        if self.port is None:
            raise RuntimeError("FakeSlack is not started")
        return f"http://{self.host}:{self.port}"

    @url.setter
    def url(self, value: str) -> None:  # the workspace's own default; the port decides
        return None

    @property
    def api_url(self) -> str:
        """``base_url`` for ``AsyncWebClient`` (``<url>/api/``; the trailing slash matters)."""
        return self.url + "/api/"

    def token_accepted(self, token: str) -> bool:
        return token.startswith(self.bot_token_prefix)

    async def start(self) -> FakeSlack:
        """Bind a free port and serve in the current event loop until :meth:`stop`."""
        await self._serving.start()
        return self

    async def stop(self) -> None:
        """Shut the server down (idempotent)."""
        await self._serving.stop()

    async def __aenter__(self) -> FakeSlack:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # ------------------------------------------------------------------ the workspace's data

    @property
    def messages(self) -> list[dict[str, Any]]:
        """Every message in the workspace, in posting order, each with its ``channel``."""
        return self.state.messages

    @property
    def views(self) -> dict[str, dict[str, Any]]:
        return {view_id: record.view for view_id, record in self.state.views.items()}

    @property
    def users(self) -> dict[str, dict[str, Any]]:
        return self.state.users

    @property
    def channels(self) -> dict[str, dict[str, Any]]:
        return self.state.channels

    @property
    def usergroups(self) -> dict[str, list[str]]:
        return self.state.usergroups

    @property
    def files(self) -> dict[str, StoredFile]:
        return self.state.files

    def _chat_post_message(self, call: Call) -> dict[str, Any] | Reply:
        """The workspace's own chat.postMessage (for handlers that wrap it)."""
        return api_chat.chat_post_message(self, call)

    # ------------------------------------------------------------------ test data

    def add_user(self, user_id: str, **fields: Any) -> dict[str, Any]:
        """Register a user for ``users.info``; ``fields`` override the generated defaults
        (e.g. ``real_name``, ``tz``, ``is_admin``, ``profile={...}``)."""
        user = self.state.user(user_id)
        profile = {**user["profile"], **fields.pop("profile", {})}
        user.update(fields)
        user["profile"] = profile
        self.state.users[user_id] = user
        return user

    def add_channel(self, channel_id: str, name: str | None = None, **fields: Any) -> None:
        """Register a channel (e.g. ``is_private=True``, ``is_member=False``). Channels never
        registered get public defaults the first time they are named."""
        channel = default_channel(channel_id)
        if name is not None:
            channel["name"] = name
        channel.update(fields)
        self.state.channels[channel_id] = channel

    def set_usergroup(self, usergroup_id: str, user_ids: Iterable[str]) -> None:
        """Set the members returned by ``usergroups.users.list`` for ``usergroup_id``."""
        self.state.usergroups[usergroup_id] = list(user_ids)

    def add_file(
        self,
        file_id: str,
        name: str,
        content: bytes,
        mimetype: str = "application/octet-stream",
        filetype: str | None = None,
        *,
        title: str | None = None,
        user: str = "U123",
    ) -> dict[str, Any]:
        """Register a file (as if a user uploaded it) for ``files.info`` and download.

        Returns the Slack file object (with ``url_private_download`` pointing at the fake).
        """
        stored = api_files.add_file(
            self,
            name,
            content,
            user=user,
            file_id=file_id,
            mimetype=mimetype,
            filetype=filetype,
            title=title,
        )
        return api_files.file_object(self, stored)

    def response_url(self, name: str = "default") -> str:
        """A ``response_url`` on the fake; POSTs to it are recorded in :attr:`responses`.
        Like Slack's, it takes five posts."""
        return responses.issue(self, ResponseTarget(user="", channel=None), name)

    def pending_uploads(self) -> list[bytes]:
        return [p.content for p in self.state.pending_uploads.values() if p.content is not None]
