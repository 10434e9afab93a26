"""``/v1/Porting``: the portability check and port-in requests with their phone numbers."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from bot.porting.statuses import RequestStatus, request_status

from ..config import SANDBOX_FOREIGN_ACCOUNT_SID, SandboxConfig
from ..errors import SandboxError, bad_request
from ..paging import RequestFilter
from ..resources import phone_number_json, port_in_json, portability_json, summary_json
from ..validation import is_sid, validate_create
from .params import SandboxDep, date_param, json_object, number_or_404, port_in_or_404

router = APIRouter()


def _target_account(request: Request, cfg: SandboxConfig) -> str:
    """The account a portability check is for (``TargetAccountSid``, else the caller's)."""
    target = request.query_params.get("TargetAccountSid")
    if target is not None and not is_sid("AC", target):
        raise bad_request(f"Invalid parameter TargetAccountSid: {target!r}")
    if target == SANDBOX_FOREIGN_ACCOUNT_SID:
        # GUESS: 403 (20003 on Twilio's table; 401 vs 403 is not documented).
        raise SandboxError(403, 20003, f"You do not have access to account {target}")
    address = request.query_params.get("AddressSid")
    if address is not None and not is_sid("AD", address):
        raise bad_request(f"Invalid parameter AddressSid: {address!r}")
    return target or cfg.account_sid


@router.get("/v1/Porting/Portability/PhoneNumber/{phone_number}")
async def fetch_portability(
    phone_number: str, request: Request, sandbox: SandboxDep
) -> JSONResponse:
    cfg = sandbox.config
    sandbox.state.portability_checks += 1
    answer = sandbox.state.portability(phone_number, _target_account(request, cfg))
    error = answer.profile.error
    if error is not None:
        raise SandboxError(error.http_status, error.code, error.message)
    body = portability_json(cfg, phone_number, answer)
    if answer.reason is not None and cfg.not_portable_status_code == 400:
        # The docs' variant: a 400 carrying the portability fields (and a classic error).
        raise SandboxError(400, answer.reason.code, answer.reason.message, extra=body)
    return JSONResponse(body)


@router.post("/v1/Porting/PortIn")
async def create_port_in(request: Request, sandbox: SandboxDep) -> JSONResponse:
    plan = validate_create(await json_object(request), sandbox.state)
    port_in = sandbox.machine.create_request(plan)
    sandbox.dispatch()
    return JSONResponse(port_in_json(sandbox.config, port_in, created=True), status_code=202)


def _list_size(request: Request) -> int:
    raw_size = request.query_params.get("Size", "20")
    if not raw_size.isdigit() or not 1 <= int(raw_size) <= 100:
        raise bad_request(f"Invalid parameter Size: {raw_size!r} (1 to 100)")
    return int(raw_size)


def _list_filter(request: Request) -> RequestFilter:
    query = request.query_params
    sids = None
    if query.get("PortInRequestSid"):
        sids = {s.strip() for s in query["PortInRequestSid"].split(",") if s.strip()}
        bad = sorted(s for s in sids if not is_sid("KW", s))
        if bad:
            raise bad_request(f"Invalid parameter PortInRequestSid: {', '.join(bad)}")
    status = None
    if query.get("PortInRequestStatus"):
        status = request_status(query["PortInRequestStatus"])
        if status == RequestStatus.UNKNOWN:
            raise bad_request(
                f"Invalid parameter PortInRequestStatus: {query['PortInRequestStatus']!r}"
            )
    return RequestFilter(
        sids, status, date_param(request, "CreatedBefore"), date_param(request, "CreatedAfter")
    )


@router.get("/v1/Porting/PortIn/PortInRequests")
async def list_port_ins(request: Request, sandbox: SandboxDep) -> JSONResponse:
    size = _list_size(request)
    page = sandbox.state.page_requests(
        request.query_params.get("Token") or None, size, _list_filter(request)
    )
    return JSONResponse(
        {
            "port_in_requests": [summary_json(r) for r in page.items],
            "meta": {"next_token": page.next_token, "previous_token": page.previous_token},
        }
    )


@router.get("/v1/Porting/PortIn/{sid}")
async def fetch_port_in(sid: str, request: Request, sandbox: SandboxDep) -> JSONResponse:
    return JSONResponse(port_in_json(sandbox.config, port_in_or_404(sandbox, request, sid)))


@router.delete("/v1/Porting/PortIn/{sid}")
async def cancel_port_in(sid: str, request: Request, sandbox: SandboxDep) -> Response:
    sandbox.machine.cancel_request(port_in_or_404(sandbox, request, sid))
    sandbox.dispatch()
    return Response(status_code=204)


@router.get("/v1/Porting/PortIn/{sid}/PhoneNumber/{number_sid}")
async def fetch_number(
    sid: str, number_sid: str, request: Request, sandbox: SandboxDep
) -> JSONResponse:
    port_in, number = number_or_404(sandbox, request, sid, number_sid)
    return JSONResponse(phone_number_json(sandbox.config, port_in, number))


@router.delete("/v1/Porting/PortIn/{sid}/PhoneNumber/{number_sid}")
async def cancel_number(
    sid: str, number_sid: str, request: Request, sandbox: SandboxDep
) -> Response:
    port_in, number = number_or_404(sandbox, request, sid, number_sid)
    sandbox.machine.cancel_number(port_in, number)
    sandbox.dispatch()
    return Response(status_code=204)
