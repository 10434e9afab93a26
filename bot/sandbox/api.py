"""FastAPI app: Twilio's Porting and Documents paths with Twilio's bodies, plus ``/_sim`` admin.

One app serves both hosts (``numbers.twilio.com`` and ``numbers-upload.twilio.com``): point
both base URLs of a client at it. Every ``/v1`` and ``/_sim`` call needs HTTP Basic auth
(account SID + auth token, or the optional API key pair); only ``/v1`` calls see injected
latency, the concurrency cap and scripted failures. A path SID that does not match its
pattern answers 404/20404, as a Twilio route that does not match would.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, timedelta
from html import escape
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from bot.porting.filing import sniff_bill
from bot.porting.statuses import ALL_PORT_IN_EVENTS, RequestStatus, request_status

from .config import SANDBOX_FOREIGN_ACCOUNT_SID
from .errors import SandboxError, SimulatorError, bad_request, not_found
from .numbers import TEST_NUMBERS
from .resources import (
    document_json,
    phone_number_json,
    port_in_json,
    portability_json,
    summary_json,
    webhook_json,
)
from .state import SimDocument, SimNumber, SimRequest, WebhookSettings, iso
from .validation import validate_create

if TYPE_CHECKING:
    from .core import Sandbox

_KW = re.compile(r"^KW[0-9a-fA-F]{32}$")
_PU = re.compile(r"^PU[0-9a-fA-F]{32}$")
_RD = re.compile(r"^RD[0-9a-fA-F]{32}$")
_AC = re.compile(r"^AC[0-9a-fA-F]{32}$")
_AD = re.compile(r"^AD[0-9a-fA-F]{32}$")
_URL = re.compile(r"^https?://[^\s/]+\S*$")
_EVENTS = {*ALL_PORT_IN_EVENTS, "PortOutPhoneNumberCompleted"}


def _route_path(scope: Scope) -> str:
    # When mounted under a prefix, Starlette keeps the full path and sets root_path.
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


class _Guard:
    """Auth for every API/admin call; latency, concurrency cap and scripted faults for /v1."""

    def __init__(self, app: ASGIApp, sandbox: Sandbox) -> None:
        self.app = app
        self.sandbox = sandbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = _route_path(scope)
        api = path.startswith("/v1/")
        admin = path.startswith("/_sim/") and not path.startswith("/_sim/loa/")
        if not (api or admin):
            await self.app(scope, receive, send)
            return
        if not self._authorized(scope):
            error = SandboxError(
                401, 20003, "Authenticate", headers={"WWW-Authenticate": 'Basic realm="Twilio API"'}
            )
            await error.response()(scope, receive, send)
            return
        if admin:
            await self.app(scope, receive, send)
            return
        faults = self.sandbox.faults
        refused = faults.enter()
        if refused is not None:
            await refused.response()(scope, receive, send)
            return
        try:
            if self.sandbox.config.latency_seconds:
                await self.sandbox.sleep(self.sandbox.config.latency_seconds)
            fault = faults.take(path)
            if fault is not None:
                await fault.error().response()(scope, receive, send)
                return
            await self.app(scope, receive, send)
        finally:
            faults.leave()

    def _authorized(self, scope: Scope) -> bool:
        header = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1")
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            username, _, password = base64.b64decode(encoded).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        cfg = self.sandbox.config
        if hmac.compare_digest(username, cfg.account_sid):
            return hmac.compare_digest(password, cfg.auth_token)
        if (
            cfg.api_key_sid
            and cfg.api_key_secret
            and hmac.compare_digest(username, cfg.api_key_sid)
        ):
            return hmac.compare_digest(password, cfg.api_key_secret)
        return False


async def _json_object(request: Request) -> dict[str, Any]:
    # Twilio's porting endpoints take JSON, unlike most of its API (reference §8.2).
    if "application/json" not in request.headers.get("content-type", ""):
        raise bad_request("Content-Type must be application/json")
    try:
        body = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        raise bad_request("The request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object")
    return body


def _date_param(request: Request, name: str) -> date | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise bad_request(f"Invalid parameter {name}: {raw!r} is not YYYY-MM-DD") from None


def create_sandbox_app(sandbox: Sandbox, *, run_clock: bool = False) -> FastAPI:
    """Build the sandbox's ASGI app. ``run_clock`` starts the fast clock with the app's lifespan
    (only for a standalone app: Starlette does not run the lifespan of mounted apps)."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if run_clock:
            sandbox.start()
        try:
            yield
        finally:
            await sandbox.aclose()

    app = FastAPI(
        title="Twilio Porting API sandbox",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    app.add_middleware(_Guard, sandbox=sandbox)
    cfg = sandbox.config

    @app.exception_handler(SandboxError)
    async def _sandbox_error(_: Request, exc: SandboxError) -> JSONResponse:
        return exc.response()

    @app.exception_handler(SimulatorError)
    async def _simulator_error(_: Request, exc: SimulatorError) -> JSONResponse:
        return JSONResponse({"message": exc.message, "status": exc.status}, exc.status)

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> JSONResponse:
        if exc.status_code == 404:
            return not_found(request.url.path).response()
        if exc.status_code == 405:
            return SandboxError(405, 20004, "Method not allowed").response()
        code = 20001 if exc.status_code < 500 else 20500
        return SandboxError(exc.status_code, code, str(exc.detail)).response()

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        return bad_request(f"Invalid parameters: {exc.errors()}").response()

    def _request_or_404(request: Request, sid: str) -> SimRequest:
        if not _KW.match(sid):
            raise not_found(request.url.path)
        return sandbox.state.get_request(sid, request.url.path)

    def _number_or_404(request: Request, sid: str, number_sid: str) -> tuple[SimRequest, SimNumber]:
        port_in = _request_or_404(request, sid)
        number = port_in.number(number_sid) if _PU.match(number_sid) else None
        if number is None:
            raise not_found(request.url.path)
        return port_in, number

    # -- Portability -----------------------------------------------------------------------

    @app.get("/v1/Porting/Portability/PhoneNumber/{phone_number}")
    async def fetch_portability(phone_number: str, request: Request) -> JSONResponse:
        sandbox.state.portability_checks += 1
        target = request.query_params.get("TargetAccountSid")
        if target is not None and not _AC.match(target):
            raise bad_request(f"Invalid parameter TargetAccountSid: {target!r}")
        if target == SANDBOX_FOREIGN_ACCOUNT_SID:
            # GUESS: 403 (20003 on Twilio's table; 401 vs 403 is not documented).
            raise SandboxError(403, 20003, f"You do not have access to account {target}")
        address = request.query_params.get("AddressSid")
        if address is not None and not _AD.match(address):
            raise bad_request(f"Invalid parameter AddressSid: {address!r}")
        answer = sandbox.state.portability(phone_number, target or cfg.account_sid)
        error = answer.profile.error
        if error is not None:
            raise SandboxError(error.http_status, error.code, error.message)
        body = portability_json(cfg, phone_number, answer)
        if answer.reason is not None and cfg.not_portable_status_code == 400:
            # The docs' variant: a 400 carrying the portability fields (and a classic error).
            raise SandboxError(400, answer.reason.code, answer.reason.message, extra=body)
        return JSONResponse(body)

    # -- PortIn ----------------------------------------------------------------------------

    @app.post("/v1/Porting/PortIn")
    async def create_port_in(request: Request) -> JSONResponse:
        plan = validate_create(await _json_object(request), sandbox.state)
        port_in = sandbox.state.create_request(plan)
        sandbox.dispatch()
        return JSONResponse(port_in_json(cfg, port_in, created=True), status_code=202)

    @app.get("/v1/Porting/PortIn/PortInRequests")
    async def list_port_ins(request: Request) -> JSONResponse:
        query = request.query_params
        raw_size = query.get("Size", "20")
        if not raw_size.isdigit() or not 1 <= int(raw_size) <= 100:
            raise bad_request(f"Invalid parameter Size: {raw_size!r} (1 to 100)")
        sids = None
        if query.get("PortInRequestSid"):
            sids = {s.strip() for s in query["PortInRequestSid"].split(",") if s.strip()}
            bad = sorted(s for s in sids if not _KW.match(s))
            if bad:
                raise bad_request(f"Invalid parameter PortInRequestSid: {', '.join(bad)}")
        status = None
        if query.get("PortInRequestStatus"):
            status = request_status(query["PortInRequestStatus"])
            if status == RequestStatus.UNKNOWN:
                raise bad_request(
                    f"Invalid parameter PortInRequestStatus: {query['PortInRequestStatus']!r}"
                )
        page, next_token, previous_token = sandbox.state.page_requests(
            query.get("Token") or None,
            int(raw_size),
            sids,
            status,
            _date_param(request, "CreatedBefore"),
            _date_param(request, "CreatedAfter"),
        )
        return JSONResponse(
            {
                "port_in_requests": [summary_json(r) for r in page],
                "meta": {"next_token": next_token, "previous_token": previous_token},
            }
        )

    @app.get("/v1/Porting/PortIn/{sid}")
    async def fetch_port_in(sid: str, request: Request) -> JSONResponse:
        return JSONResponse(port_in_json(cfg, _request_or_404(request, sid)))

    @app.delete("/v1/Porting/PortIn/{sid}")
    async def cancel_port_in(sid: str, request: Request) -> Response:
        sandbox.state.cancel_request(_request_or_404(request, sid))
        sandbox.dispatch()
        return Response(status_code=204)

    @app.get("/v1/Porting/PortIn/{sid}/PhoneNumber/{number_sid}")
    async def fetch_number(sid: str, number_sid: str, request: Request) -> JSONResponse:
        port_in, number = _number_or_404(request, sid, number_sid)
        return JSONResponse(phone_number_json(cfg, port_in, number))

    @app.delete("/v1/Porting/PortIn/{sid}/PhoneNumber/{number_sid}")
    async def cancel_number(sid: str, number_sid: str, request: Request) -> Response:
        port_in, number = _number_or_404(request, sid, number_sid)
        sandbox.state.cancel_number(port_in, number)
        sandbox.dispatch()
        return Response(status_code=204)

    # -- Webhook configuration -------------------------------------------------------------

    @app.post("/v1/Porting/Configuration/Webhook")
    async def configure_webhook(request: Request) -> JSONResponse:
        body = await _json_object(request)
        urls: dict[str, str | None] = {}
        for key in ("port_in_target_url", "port_out_target_url"):
            value = body.get(key)
            if value is not None and (not isinstance(value, str) or not _URL.match(value)):
                raise bad_request(f"Invalid parameter {key}: {value!r} is not an http(s) URL")
            urls[key] = value
        events = body.get("notifications_of") or []
        if not isinstance(events, list) or not all(isinstance(e, str) for e in events):
            raise bad_request("Invalid parameter notifications_of: expected a list of event names")
        unknown = sorted(set(events) - _EVENTS)
        if unknown:
            raise bad_request(f"Invalid parameter notifications_of: unknown {', '.join(unknown)}")
        if not any(urls.values()):
            # GUESS: at least one target is required.
            raise bad_request(
                "Missing required parameter port_in_target_url or port_out_target_url"
            )
        old = sandbox.state.webhook
        now = sandbox.clock.now()
        # A POST replaces the whole configuration; creation dates survive for unchanged URLs.
        sandbox.state.webhook = WebhookSettings(
            port_in_target_url=urls["port_in_target_url"],
            port_out_target_url=urls["port_out_target_url"],
            notifications_of=list(events),
            port_in_date_created=(
                old.port_in_date_created
                if old.port_in_target_url == urls["port_in_target_url"]
                else now
                if urls["port_in_target_url"]
                else None
            ),
            port_out_date_created=(
                old.port_out_date_created
                if old.port_out_target_url == urls["port_out_target_url"]
                else now
                if urls["port_out_target_url"]
                else None
            ),
        )
        return JSONResponse(webhook_json(cfg, sandbox.state.webhook, fetch=False), 201)

    @app.get("/v1/Porting/Configuration/Webhook")
    async def fetch_webhook(request: Request) -> JSONResponse:
        if sandbox.state.webhook.empty:
            # GUESS: 404/20404 when nothing is configured.
            raise not_found(request.url.path)
        return JSONResponse(webhook_json(cfg, sandbox.state.webhook, fetch=True))

    @app.delete("/v1/Porting/Configuration/Webhook/{webhook_type}")
    async def delete_webhook(webhook_type: str) -> Response:
        hook = sandbox.state.webhook
        if webhook_type == "PORT_IN":
            hook.port_in_target_url = hook.port_in_date_created = None
        elif webhook_type == "PORT_OUT":
            hook.port_out_target_url = hook.port_out_date_created = None
        else:
            raise bad_request(
                f"Invalid parameter WebhookType: {webhook_type!r} (PORT_IN, PORT_OUT)"
            )
        if hook.empty:
            hook.notifications_of = []
        return Response(status_code=204)

    # -- Documents (numbers-upload host) ---------------------------------------------------

    @app.post("/v1/Documents")
    async def upload_document(request: Request) -> JSONResponse:
        limit = cfg.max_document_bytes
        too_large = bad_request(f"File exceeds the maximum size of {limit // (1024 * 1024)} MB")
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > limit + 64 * 1024:
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
        if len(content) > limit:
            # GUESS: 400/20001 (status and code for an oversized file are not documented).
            raise too_large
        mime_type = ""  # Twilio: an empty mime_type means the file had no content
        if content:
            declared = (upload.content_type or "").split(";")[0].strip().lower()
            mime_type = sniff_bill(content) or (
                declared if declared.startswith("image/") or declared == "application/pdf" else ""
            )
            if not mime_type:
                raise bad_request("File must be an image or a PDF")
        document = SimDocument(
            sid=sandbox.state.new_sid("RD"),
            account_sid=cfg.account_sid,
            document_type=document_type,
            friendly_name=friendly_name if isinstance(friendly_name, str) else None,
            mime_type=mime_type,
            size=len(content),
            date_created=sandbox.clock.now(),
        )
        sandbox.state.documents[document.sid] = document
        return JSONResponse(document_json(cfg, document), status_code=201)

    @app.get("/v1/Documents/{sid}")
    async def fetch_document(sid: str, request: Request) -> JSONResponse:
        document = sandbox.state.documents.get(sid) if _RD.match(sid) else None
        if document is None:
            raise not_found(request.url.path)
        return JSONResponse(document_json(cfg, document))

    # -- Simulator admin -------------------------------------------------------------------

    def _clock() -> dict[str, Any]:
        return {
            "now": iso(sandbox.now),
            "next_due": iso(sandbox.state.next_due()),
            "speed": cfg.speed,
            "running": sandbox.running,
        }

    async def _admin_body(request: Request) -> dict[str, Any]:
        raw = await request.body()
        if not raw:
            return {}
        try:
            body = json.loads(raw)
        except ValueError:
            raise SimulatorError("body must be JSON", 400) from None
        if not isinstance(body, dict):
            raise SimulatorError("body must be a JSON object", 400)
        return body

    @app.get("/_sim/clock")
    async def sim_clock() -> JSONResponse:
        return JSONResponse(_clock())

    @app.post("/_sim/advance")
    async def sim_advance(request: Request) -> JSONResponse:
        body = await _admin_body(request)
        try:
            delta = timedelta(
                days=float(body.get("days", 0)),
                hours=float(body.get("hours", 0)),
                minutes=float(body.get("minutes", 0)),
                seconds=float(body.get("seconds", 0)),
            )
        except (TypeError, ValueError):
            raise SimulatorError("days/hours/minutes/seconds must be numbers", 400) from None
        if delta < timedelta(0):
            raise SimulatorError("time only moves forward", 400)
        await sandbox.advance(delta)
        return JSONResponse(_clock())

    @app.post("/_sim/settle")
    async def sim_settle() -> JSONResponse:
        await sandbox.run_until_settled()
        return JSONResponse(_clock())

    @app.post("/_sim/requests/{sid}/sign")
    async def sim_sign(sid: str) -> JSONResponse:
        return JSONResponse(port_in_json(cfg, await sandbox.sign_loa(sid)))

    @app.post("/_sim/requests/{sid}/expire")
    async def sim_expire(sid: str) -> JSONResponse:
        return JSONResponse(port_in_json(cfg, await sandbox.expire_loa(sid)))

    @app.post("/_sim/requests/{sid}/numbers/{number}/reject")
    async def sim_reject(sid: str, number: str, request: Request) -> JSONResponse:
        code = (await _admin_body(request)).get("code", 22150)
        if not isinstance(code, int):
            raise SimulatorError("code must be an integer 22150-22159", 400)
        found = await sandbox.reject_number(sid, number, code)
        return JSONResponse(phone_number_json(cfg, sandbox.request(sid), found))

    @app.post("/_sim/requests/{sid}/numbers/{number}/resubmit")
    async def sim_resubmit(sid: str, number: str) -> JSONResponse:
        found = await sandbox.resubmit_number(sid, number)
        return JSONResponse(phone_number_json(cfg, sandbox.request(sid), found))

    @app.get("/_sim/deliveries")
    async def sim_deliveries() -> JSONResponse:
        return JSONResponse({"deliveries": [d.as_dict() for d in sandbox.deliveries]})

    @app.get("/_sim/events")
    async def sim_events() -> JSONResponse:
        return JSONResponse(
            {
                "events": [
                    {"event": e.event.value, "at": iso(e.at), "payload": e.payload}
                    for e in sandbox.events
                ]
            }
        )

    @app.post("/_sim/faults")
    async def sim_faults(request: Request) -> JSONResponse:
        body = await _admin_body(request)
        try:
            sandbox.inject_failures(
                int(body.get("count", 1)),
                int(body.get("status", 500)),
                int(body["code"]) if body.get("code") is not None else None,
                message=body.get("message"),
                retry_after=int(body["retry_after"])
                if body.get("retry_after") is not None
                else None,
                match=body.get("match"),
            )
        except (TypeError, ValueError):
            raise SimulatorError("count/status/code/retry_after must be integers", 400) from None
        return JSONResponse({"scripted": sandbox.faults.scripted})

    @app.delete("/_sim/faults")
    async def sim_clear_faults() -> Response:
        sandbox.faults.clear()
        return Response(status_code=204)

    @app.get("/_sim/test-numbers")
    async def sim_test_numbers() -> JSONResponse:
        return JSONResponse(
            {
                "test_numbers": [
                    {
                        "number": t.number,
                        "until": t.until,
                        "behaviour": t.behaviour.value,
                        "code": t.code,
                        "description": t.description,
                    }
                    for t in TEST_NUMBERS
                ]
            }
        )

    @app.post("/_sim/reset")
    async def sim_reset() -> Response:
        await sandbox.reset()
        return Response(status_code=204)

    # The LOA page humans open from signature_request_url (token-protected, no Basic auth).
    def _loa_request(sid: str, token: str) -> SimRequest:
        port_in = sandbox.state.requests.get(sid)
        if port_in is None or not hmac.compare_digest(token, port_in.signature_token):
            raise SimulatorError("Unknown or expired signing link", 404)
        return port_in

    @app.get("/_sim/loa/{sid}")
    async def loa_page(sid: str, token: str = "") -> HTMLResponse:
        port_in = _loa_request(sid, token)
        lci = port_in.losing_carrier_information
        numbers = "".join(f"<li>{escape(n.phone_number)}</li>" for n in port_in.numbers)
        can_sign = port_in.status == RequestStatus.WAITING_FOR_SIGNATURE
        action = (
            f'<form method="post"><button type="submit">Sign as '
            f"{escape(str(lci.get('authorized_representative')))}</button></form>"
            if can_sign
            else f"<p>Status: {escape(port_in.status.twilio_name)}</p>"
        )
        return HTMLResponse(
            f"<html><body><h1>Letter of Authorization (sandbox)</h1>"
            f"<p>{escape(str(lci.get('customer_name')))} authorises porting:</p>"
            f"<ul>{numbers}</ul>{action}</body></html>"
        )

    @app.post("/_sim/loa/{sid}")
    async def loa_sign(sid: str, token: str = "") -> HTMLResponse:
        port_in = _loa_request(sid, token)
        if port_in.status == RequestStatus.WAITING_FOR_SIGNATURE:
            await sandbox.sign_loa(sid)
        return HTMLResponse(
            f"<html><body><p>Signed. Request status: {escape(port_in.status.twilio_name)}"
            "</p></body></html>"
        )

    return app
