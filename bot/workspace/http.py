"""The workspace over HTTP: Slack's Web API (``/api/<method>``), private file downloads, the
upload URLs of ``files_upload_v2`` and ``response_url``s, as a Starlette app. The page's own
routes are added by :mod:`bot.workspace.page`."""

from __future__ import annotations

import contextlib
import json
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.workspace import api_files, responses
from bot.workspace.records import (
    FILE_DOWNLOAD,
    FILE_UPLOAD,
    JSON,
    RESPONSE_URL,
    Call,
    Download,
    Reply,
    ResponseUrlPost,
)

if TYPE_CHECKING:
    from bot.workspace.core import Workspace

# Args that slack_sdk (or a form post) sends as JSON-encoded strings.
_JSON_STRING_FIELDS = frozenset(
    {"attachments", "blocks", "files", "metadata", "outputs", "unfurls", "user_auth_blocks", "view"}
)


QUERY_TOKEN_REFUSED = {
    "ok": False,
    "error": "invalid_auth",
    "detail": "tokens go in the Authorization header or the POST body, never the query string",
}


def to_response(reply: Reply) -> Response:
    if isinstance(reply.body, dict):
        return JSONResponse(reply.body, status_code=reply.status, headers=reply.headers)
    media = reply.headers.get("content-type", "text/plain")
    headers = {k: v for k, v in reply.headers.items() if k != "content-type"}
    return Response(reply.body, status_code=reply.status, headers=headers, media_type=media)


async def decode_args(request: Request) -> JSON:
    """Merge query string and body (form, multipart or JSON) into one args dict."""
    args: JSON = dict(request.query_params)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        form = await request.form()
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                args[key] = {"filename": value.filename, "content": await value.read()}
            else:
                args[key] = value
    else:
        raw = await request.body()
        if raw:
            if content_type == "application/json":
                decoded = json.loads(raw)
                if isinstance(decoded, dict):
                    args.update(decoded)
            else:
                args.update(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
    for key in _JSON_STRING_FIELDS & args.keys():
        value = args[key]
        if isinstance(value, str) and value[:1] in ("[", "{"):
            with contextlib.suppress(ValueError):
                args[key] = json.loads(value)
    return args


async def _upload_body(request: Request) -> bytes:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        form = await request.form()
        for _key, value in form.multi_items():
            if isinstance(value, UploadFile):
                return await value.read()
        return b""
    return await request.body()


def _headers(request: Request) -> dict[str, str]:
    return {k.lower(): v for k, v in request.headers.items()}


def api_routes(ws: Workspace) -> list[BaseRoute]:
    async def api(request: Request) -> Response:
        method = request.path_params["method"].strip("/")
        if "token" in request.query_params:
            # As Slack: a token in a URL ends up in logs and browser history.
            return JSONResponse(QUERY_TOKEN_REFUSED, status_code=400)
        call = Call(
            method=method,
            args=await decode_args(request),
            headers=_headers(request),
            http_method=request.method,
        )
        ws.traffic.on_call(call)
        reply = ws.traffic.intercept(method, call)
        if reply is None:
            await ws.ordered(call)
            reply = ws.answer(call)
        call.response_status = reply.status
        call.response_body = reply.body
        call.response_headers = dict(reply.headers)
        return to_response(reply)

    async def download(request: Request) -> Response:
        file_id = request.path_params["team_file"].split("-", 1)[-1]
        headers = _headers(request)
        auth = headers.get("authorization", "")
        reply = ws.traffic.intercept(FILE_DOWNLOAD) or api_files.download(ws, file_id, auth)
        response = to_response(reply)
        authorized = auth.startswith("Bearer ") and ws.token_accepted(auth[7:])
        ws.traffic.on_download(Download(file_id, headers, authorized, response.status_code))
        return response

    async def upload(request: Request) -> Response:
        content = await _upload_body(request)
        reply = ws.traffic.intercept(FILE_UPLOAD)
        if reply is None:
            reply = api_files.receive_upload(ws, request.path_params["upload_id"], content)
        return to_response(reply)

    async def response_url(request: Request) -> Response:
        raw = await request.body()
        body: Any
        try:
            body = json.loads(raw)
        except ValueError:
            form = dict(parse_qsl(raw.decode("utf-8", errors="replace")))
            body = json.loads(form["payload"]) if "payload" in form else form
        name = request.path_params["name"]
        reply = ws.traffic.intercept(RESPONSE_URL)
        target = ws.state.response_targets.get(name)
        if reply is None and target is not None and target.answering is not None:
            await target.answering.wait()  # the command's own reply shows first
        if reply is None:
            reply = responses.respond(ws, name, body if isinstance(body, dict) else {})
        ws.traffic.on_response(ResponseUrlPost(name, body, _headers(request), reply.status))
        return to_response(reply)

    return [
        Route("/api/{method:path}", api, methods=["GET", "POST"]),
        Route("/files-pri/{team_file}/{name:path}", download, methods=["GET"]),
        Route("/upload/v1/{upload_id}", upload, methods=["POST", "PUT"]),
        Route("/response/{name:path}", response_url, methods=["POST"]),
    ]


async def unknown_path(request: Request) -> Response:
    # Typically base_url without "/api/": slack_sdk then posts to "/<method>".
    hint = "the Web API lives under /api/: AsyncWebClient(base_url=<workspace url>/api/)"
    body = {"ok": False, "error": "unknown_path", "path": request.url.path, "hint": hint}
    return JSONResponse(body, status_code=404)
