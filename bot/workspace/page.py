"""The page people use the local workspace through, and the routes it calls: the boot data,
a channel's history and a thread, the push stream, and one POST per thing a person does
(send a message or a command, press an element, submit or close a modal, run a shortcut,
attach a file). POSTs must carry ``X-Workspace: 1``: a header another site's page cannot
send without asking first, so nobody else's tab can act here."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from bot.workspace import api_files
from bot.workspace.interactions import Refused
from bot.workspace.state import public

if TYPE_CHECKING:
    from bot.workspace.local import LocalWorkspace

STATIC = Path(__file__).with_name("static")
MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024
JSON = dict[str, Any]
Endpoint = Callable[[Request], Awaitable[Response]]


def _ok(**body: Any) -> JSONResponse:
    return JSONResponse({"ok": True, **body})


def _no(error: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"ok": False, "error": error}, status_code=status)


def boot(ws: LocalWorkspace) -> JSON:
    state, me = ws.state, ws.identity
    sandbox = None
    if ws.sandbox is not None:
        pair = f"{ws.sandbox.account_sid}:{ws.sandbox.auth_token}".encode()
        sandbox = {
            "prefix": ws.sandbox.prefix,
            "authorization": "Basic " + base64.b64encode(pair).decode(),
        }
    visible = [
        c for c in state.channels.values() if not c.get("is_im") or c.get("user") == ws.person
    ]
    home = state.home(ws.person)
    return {
        "team": {"id": me.team_id, "name": me.team_name, "domain": me.team_domain},
        "me": state.user(ws.person),
        "bot": {"user_id": me.bot_user_id, "name": me.bot_display_name},
        "users": state.users,
        "channels": visible,
        "porting_channel": ws.porting_channel,
        "manifest": ws.manifest.as_json(),
        "sandbox": sandbox,
        "modals": state.modal_stack(ws.person),
        "home": home.view if home else None,
    }


def history(ws: LocalWorkspace, channel: str) -> JSON:
    state = ws.state
    top = [public(m) for m in state.in_channel(channel) if m.get("thread_ts") in (None, m["ts"])]
    mine = [
        e for e in state.ephemerals if e["channel"] == channel and e["user_visible_to"] == ws.person
    ]
    return {"messages": top, "ephemerals": mine}


def routes(ws: LocalWorkspace) -> list[BaseRoute]:
    """The page and its reads, then what the person at the page does (sent on as Slack)."""
    return [*_reading_routes(ws), *_acting_routes(ws)]


def _reading_routes(ws: LocalWorkspace) -> list[BaseRoute]:
    index = (STATIC / "index.html").read_text(encoding="utf-8")

    async def page(_: Request) -> Response:
        return Response(index, media_type="text/html", headers={"Cache-Control": "no-store"})

    async def boot_route(_: Request) -> Response:
        return JSONResponse(boot(ws))

    async def history_route(request: Request) -> Response:
        return JSONResponse(history(ws, request.path_params["channel"]))

    async def thread_route(request: Request) -> Response:
        channel, ts = request.path_params["channel"], request.path_params["ts"]
        messages = [public(m) for m in ws.state.thread(channel, ts)]
        mine = [
            e
            for e in ws.state.ephemerals
            if e["channel"] == channel
            and e.get("thread_ts") == ts
            and e["user_visible_to"] == ws.person
        ]
        return JSONResponse({"messages": messages, "ephemerals": mine})

    async def stream(_: Request) -> Response:
        headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
        return StreamingResponse(
            ws.hub.stream(ws.person), media_type="text/event-stream", headers=headers
        )

    async def download(request: Request) -> Response:
        stored = ws.state.files.get(request.path_params["file_id"])
        if stored is None:
            return _no("file_not_found", 404)
        disposition = f"attachment; filename*=UTF-8''{quote(stored.name)}"
        return Response(
            stored.content,
            media_type=stored.mimetype,
            headers={"Content-Disposition": disposition},
        )

    return [
        Route("/", page),
        Route("/archives/{rest:path}", page),
        Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
        Route("/favicon.ico", lambda _: FileResponse(STATIC / "favicon.svg")),
        Route("/ui/boot", boot_route),
        Route("/ui/history/{channel}", history_route),
        Route("/ui/thread/{channel}/{ts}", thread_route),
        Route("/ui/stream", stream),
        Route("/ui/files/{file_id}/{name:path}", download),
    ]


def _acting(ws: LocalWorkspace, handler: Endpoint) -> Endpoint:
    """A page action: only from the page itself, once the app is connected; a refusal Slack
    would give becomes a 400 naming it."""

    async def route(request: Request) -> Response:
        if request.headers.get("x-workspace") != "1":
            return _no("missing X-Workspace header", 403)
        if ws.conversations is None or ws.modals is None:
            return _no("not_connected", 503)
        try:
            return await handler(request)
        except Refused as refusal:
            return _no(str(refusal))

    return route


def _acting_routes(ws: LocalWorkspace) -> list[BaseRoute]:
    async def message(request: Request) -> Response:
        body = await request.json()
        assert ws.conversations is not None
        text = str(body.get("text") or "")
        channel, thread_ts = str(body.get("channel")), body.get("thread_ts") or None
        if text.startswith("/") and not body.get("files"):
            await ws.conversations.command(ws.person, channel, text, thread_ts)
            return _ok()
        posted = ws.conversations.post_message(
            ws.person, channel, text, thread_ts, [str(f) for f in body.get("files") or []]
        )
        return _ok(message=posted)

    async def action(request: Request) -> Response:
        body = await request.json()
        assert ws.conversations is not None
        await ws.conversations.click(
            ws.person,
            body.get("where") or {},
            str(body.get("block_id") or ""),
            str(body.get("action_id") or ""),
            body.get("chosen") or {},
        )
        return _ok()

    async def shortcut(request: Request) -> Response:
        body = await request.json()
        assert ws.conversations is not None
        await ws.conversations.shortcut(
            ws.person, str(body.get("channel")), str(body.get("ts")), str(body.get("callback_id"))
        )
        return _ok()

    async def submit(request: Request) -> Response:
        body = await request.json()
        assert ws.modals is not None
        await ws.modals.submit(ws.person, str(body.get("view_id")), body.get("values") or {})
        return _ok()

    async def close(request: Request) -> Response:
        body = await request.json()
        assert ws.modals is not None
        await ws.modals.close(
            ws.person, str(body.get("view_id")), everything=bool(body.get("everything"))
        )
        return _ok()

    async def home(_: Request) -> Response:
        assert ws.modals is not None
        await ws.modals.open_home(ws.person)
        return _ok()

    async def attach(request: Request) -> Response:
        form = await request.form()
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            return _no("no_file")
        content = await upload.read(MAX_ATTACHMENT_BYTES + 1)
        if len(content) > MAX_ATTACHMENT_BYTES:
            return _no("file_too_large", 413)
        stored = api_files.add_file(ws, upload.filename or "file", content, user=ws.person)
        return _ok(file=api_files.file_object(ws, stored))

    async def digest(_: Request) -> Response:
        if ws.send_digest is None:
            return _no("no_desk", 503)
        return _ok(channels=await ws.send_digest())

    return [
        Route("/ui/digest", _acting(ws, digest), methods=["POST"]),
        Route("/ui/message", _acting(ws, message), methods=["POST"]),
        Route("/ui/action", _acting(ws, action), methods=["POST"]),
        Route("/ui/shortcut", _acting(ws, shortcut), methods=["POST"]),
        Route("/ui/view/submit", _acting(ws, submit), methods=["POST"]),
        Route("/ui/view/close", _acting(ws, close), methods=["POST"]),
        Route("/ui/home", _acting(ws, home), methods=["POST"]),
        Route("/ui/files", _acting(ws, attach), methods=["POST"]),
    ]
