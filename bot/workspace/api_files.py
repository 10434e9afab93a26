"""Files: ``files.info``, the upload flow of ``files_upload_v2`` (``getUploadURLExternal`` →
POST the bytes → ``completeUploadExternal``), and private downloads, which need the bot token
(without it Slack answers 200 with its HTML sign-in page)."""

from __future__ import annotations

import mimetypes
from typing import TYPE_CHECKING

from bot.workspace.api_chat import resolve_channel, thread_error
from bot.workspace.records import JSON, Call, Reply, UploadedFile, slack_error
from bot.workspace.state import PendingUpload, StoredFile

if TYPE_CHECKING:
    from bot.workspace.core import Workspace

MAX_UPLOAD_BYTES = 1024 * 1024 * 1024  # Slack's 1 GB per file


def mimetype_of(name: str) -> str:
    if name.lower().endswith(".csv"):
        return "text/csv"
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def filetype_of(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else "binary"


def file_object(ws: Workspace, stored: StoredFile) -> JSON:
    base = f"{ws.url}/files-pri/{ws.identity.team_id}-{stored.file_id}/"
    return {
        "id": stored.file_id,
        "created": stored.created,
        "timestamp": stored.created,
        "name": stored.name,
        "title": stored.title,
        "mimetype": stored.mimetype,
        "filetype": stored.filetype,
        "pretty_type": stored.filetype.upper(),
        "user": stored.user,
        "size": len(stored.content),
        "mode": "hosted",
        "is_external": False,
        "url_private": base + stored.name,
        "url_private_download": base + "download/" + stored.name,
        "permalink": f"{ws.identity.web_url}/files/{stored.user}/{stored.file_id}/{stored.name}",
    }


def add_file(
    ws: Workspace,
    name: str,
    content: bytes,
    *,
    user: str,
    file_id: str | None = None,
    mimetype: str | None = None,
    filetype: str | None = None,
    title: str | None = None,
) -> StoredFile:
    """Store a file as if ``user`` uploaded it."""
    stored = StoredFile(
        file_id or ws.state.next_id("F"),
        name,
        content,
        mimetype or mimetype_of(name),
        filetype or filetype_of(name),
        title or name,
        user,
    )
    ws.state.files[stored.file_id] = stored
    return stored


def files_info(ws: Workspace, call: Call) -> JSON | Reply:
    stored = ws.state.files.get(str(call.args.get("file", "")))
    if stored is None:
        return slack_error("file_not_found")
    return {"ok": True, "file": file_object(ws, stored), "comments": []}


def files_get_upload_url(ws: Workspace, call: Call) -> JSON | Reply:
    filename, length = call.args.get("filename"), call.args.get("length")
    if not filename or length is None:
        return slack_error("invalid_arguments")
    try:
        size = int(length)
    except (TypeError, ValueError):
        return slack_error("invalid_arguments")
    if not 0 < size <= MAX_UPLOAD_BYTES:
        return slack_error("invalid_arguments")
    upload = PendingUpload(
        upload_id=ws.state.next_id("u"),
        file_id=ws.state.next_id("F"),
        filename=str(filename),
        length=size,
        alt_txt=call.args.get("alt_txt"),
        snippet_type=call.args.get("snippet_type"),
    )
    ws.state.pending_uploads[upload.upload_id] = upload
    return {
        "ok": True,
        "upload_url": f"{ws.url}/upload/v1/{upload.upload_id}",
        "file_id": upload.file_id,
    }


def receive_upload(ws: Workspace, upload_id: str, content: bytes) -> Reply:
    """The POST of a file's bytes to its upload URL (once, and as long as announced)."""
    pending = ws.state.pending_uploads.get(upload_id)
    if pending is None or pending.content is not None:
        return Reply("invalid upload url", status=404)
    if len(content) != pending.length:
        return Reply(f"expected {pending.length} bytes, got {len(content)}", status=400)
    pending.content = content
    return Reply(f"OK - {len(content)}")


def files_complete_upload(ws: Workspace, call: Call) -> JSON | Reply:
    args = call.args
    requested = args.get("files")
    if (
        not isinstance(requested, list)
        or not requested
        or not all(isinstance(i, dict) for i in requested)
    ):
        return slack_error("invalid_arguments")
    by_file_id = {p.file_id: p for p in ws.state.pending_uploads.values()}
    pending = [by_file_id.get(item.get("id")) for item in requested]
    if any(p is None or p.content is None for p in pending):
        return slack_error("file_not_found")
    channel: JSON | None = None
    if args.get("channel_id"):
        found = resolve_channel(ws, args["channel_id"])
        if isinstance(found, Reply):
            return found
        if not found.get("is_member"):
            return slack_error("not_in_channel")  # chat:write.public does not cover files
        channel = found
    elif args.get("thread_ts"):
        return slack_error("invalid_arguments")
    error = thread_error(args.get("thread_ts"))
    if error is not None:
        return error
    done: list[JSON] = []
    for item, upload in zip(requested, pending, strict=True):
        assert upload is not None and upload.content is not None
        title = item.get("title") or upload.filename
        stored = add_file(
            ws,
            upload.filename,
            upload.content,
            user=ws.identity.bot_user_id,
            file_id=upload.file_id,
            title=title,
        )
        del ws.state.pending_uploads[upload.upload_id]
        ws.traffic.on_upload(
            UploadedFile(
                file_id=stored.file_id,
                filename=upload.filename,
                title=item.get("title"),
                content=upload.content,
                channel_id=args.get("channel_id"),
                thread_ts=args.get("thread_ts"),
                initial_comment=args.get("initial_comment"),
                channels=args.get("channels"),
                alt_txt=upload.alt_txt,
                snippet_type=upload.snippet_type,
            )
        )
        done.append({"id": stored.file_id, "title": title})
    if channel is not None:
        # Like Slack: sharing files posts a message (in the thread, when thread_ts is set).
        message: JSON = {
            "type": "message",
            "subtype": "file_share",
            "user": ws.identity.bot_user_id,
            "bot_id": ws.identity.bot_id,
            "text": args.get("initial_comment") or "",
            "ts": ws.state.next_ts(),
            "files": [file_object(ws, ws.state.files[f["id"]]) for f in done],
            "upload": True,
        }
        if args.get("thread_ts"):
            message["thread_ts"] = args["thread_ts"]
        ws.state.add_message(channel["id"], message)
    return {"ok": True, "files": done}


def download(ws: Workspace, file_id: str, authorization: str) -> Reply:
    """A GET of ``url_private(_download)``: the file for a bot token, else the sign-in page."""
    token = authorization[7:] if authorization.startswith("Bearer ") else ""
    if not ws.token_accepted(token):
        return Reply(
            "<!DOCTYPE html><html><body>Sign in to Slack</body></html>",
            headers={"content-type": "text/html"},
        )
    stored = ws.state.files.get(file_id)
    if stored is None:
        return Reply("file_not_found", status=404)
    return Reply(stored.content, headers={"content-type": stored.mimetype})


METHODS = {
    "files.info": files_info,
    "files.getUploadURLExternal": files_get_upload_url,
    "files.completeUploadExternal": files_complete_upload,
}
