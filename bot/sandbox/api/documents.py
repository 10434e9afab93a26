"""``/v1/Documents`` on the numbers-upload host: utility bills and other port-in documents."""

from __future__ import annotations

from typing import NamedTuple

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.datastructures import UploadFile

from bot.porting.filing import sniff_bill

from ..errors import SandboxError, bad_request, not_found
from ..resources import document_json
from ..validation import is_sid
from .params import SandboxDep

router = APIRouter()

_FORM_OVERHEAD = 64 * 1024  # multipart framing and the other fields, on top of the file


def _mime_type(content: bytes, declared_content_type: str | None) -> str:
    """An image or PDF type from the content (or the declared type); "" for an empty file."""
    if not content:
        return ""  # Twilio: an empty mime_type means the file had no content
    declared = (declared_content_type or "").split(";")[0].strip().lower()
    mime_type = sniff_bill(content) or (
        declared if declared.startswith("image/") or declared == "application/pdf" else ""
    )
    if not mime_type:
        raise bad_request("File must be an image or a PDF")
    return mime_type


class _Upload(NamedTuple):
    content: bytes  # at most limit + 1 bytes
    declared_type: str | None
    document_type: str
    friendly_name: str | None


async def _read_upload(request: Request, limit: int, too_large: SandboxError) -> _Upload:
    """The file and fields of a ``POST /v1/Documents`` multipart form."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit + _FORM_OVERHEAD:
        raise too_large  # refuse before reading a huge body
    if "multipart/form-data" not in request.headers.get("content-type", ""):
        raise bad_request("Content-Type must be multipart/form-data")
    form = await request.form(max_files=4, max_fields=32)
    try:
        upload = form.get("File")
        if not isinstance(upload, UploadFile):
            raise bad_request("Missing required parameter File")
        document_type = form.get("document_type")
        if not isinstance(document_type, str) or not document_type:
            raise bad_request("Missing required parameter document_type")
        friendly_name = form.get("friendly_name")
        content = await upload.read(limit + 1)
    finally:
        await form.close()
    name = friendly_name if isinstance(friendly_name, str) else None
    return _Upload(content, upload.content_type, document_type, name)


@router.post("/v1/Documents")
async def upload_document(request: Request, sandbox: SandboxDep) -> JSONResponse:
    cfg = sandbox.config
    limit = cfg.max_document_bytes
    too_large = bad_request(f"File exceeds the maximum size of {limit // (1024 * 1024)} MB")
    upload = await _read_upload(request, limit, too_large)
    if len(upload.content) > limit:
        # GUESS: 400/20001 (status and code for an oversized file are not documented).
        raise too_large
    document = sandbox.state.add_document(
        cfg.account_sid,
        upload.document_type,
        upload.friendly_name,
        _mime_type(upload.content, upload.declared_type),
        len(upload.content),
    )
    return JSONResponse(document_json(cfg, document), status_code=201)


@router.get("/v1/Documents/{sid}")
async def fetch_document(sid: str, request: Request, sandbox: SandboxDep) -> JSONResponse:
    document = sandbox.state.documents.get(sid) if is_sid("RD", sid) else None
    if document is None:
        raise not_found(request.url.path)
    return JSONResponse(document_json(sandbox.config, document))
