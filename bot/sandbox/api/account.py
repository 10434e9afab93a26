"""The account's numbers (API 2010 ``IncomingPhoneNumbers``, form-encoded, paged with
``next_page_uri``) and Messaging Services (v1 ``PhoneNumbers``, ``Compliance/Usa2p``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ..errors import bad_request, not_found
from ..inventory import SimIncoming
from ..validation import SidPrefix, is_sid
from .params import SandboxDep

router = APIRouter()

_NUMBERS = "/2010-04-01/Accounts/{account}/IncomingPhoneNumbers"
_MAX_PAGE = 1000
_SID_PARAMS: tuple[tuple[str, SidPrefix], ...] = (
    ("VoiceApplicationSid", "AP"),
    ("TrunkSid", "TK"),
    ("EmergencyAddressSid", "AD"),
)


def _account_or_404(sandbox: SandboxDep, request: Request, account: str) -> None:
    if account != sandbox.config.account_sid:
        raise not_found(request.url.path)


def _page_size(request: Request) -> int:
    raw = request.query_params.get("PageSize", "50")
    if not raw.isdigit() or not 1 <= int(raw) <= _MAX_PAGE:
        raise bad_request(f"Invalid parameter PageSize: {raw!r} (1 to {_MAX_PAGE})")
    return int(raw)


@router.get(_NUMBERS + ".json")
async def list_numbers(account: str, request: Request, sandbox: SandboxDep) -> JSONResponse:
    _account_or_404(sandbox, request, account)
    size = _page_size(request)
    query = request.query_params
    page_no = int(query.get("Page", "0")) if query.get("Page", "0").isdigit() else 0
    token = query.get("PageToken")
    if token is not None and not (token.startswith("PA") and is_sid("PN", "PN" + token[2:])):
        raise bad_request(f"Invalid parameter PageToken: {token!r}")
    page = sandbox.state.inventory.page(
        "PN" + token[2:] if token else None, size, query.get("PhoneNumber")
    )
    base = _NUMBERS.format(account=account) + ".json"
    next_uri = None
    if page.next_sid is not None:
        params = {"PageSize": size, "Page": page_no + 1, "PageToken": "PA" + page.next_sid[2:]}
        next_uri = f"{base}?{urlencode(params)}"
    body: dict[str, Any] = {
        "incoming_phone_numbers": [n.as_json() for n in page.numbers],
        "page": page_no,
        "page_size": size,
        "start": page_no * size,
        "end": page_no * size + max(len(page.numbers) - 1, 0),
        "first_page_uri": f"{base}?{urlencode({'PageSize': size, 'Page': 0})}",
        "next_page_uri": next_uri,
        "previous_page_uri": None,
        "uri": str(request.url.path),
    }
    return JSONResponse(body)


def _number(sandbox: SandboxDep, request: Request, account: str, sid: str) -> SimIncoming:
    _account_or_404(sandbox, request, account)
    if not is_sid("PN", sid):
        raise not_found(request.url.path)
    return sandbox.state.inventory.get(sid, request.url.path)


@router.get(_NUMBERS + "/{sid}.json")
async def fetch_number(
    account: str, sid: str, request: Request, sandbox: SandboxDep
) -> JSONResponse:
    return JSONResponse(_number(sandbox, request, account, sid).as_json())


@router.post(_NUMBERS + "/{sid}.json")
async def update_number(
    account: str, sid: str, request: Request, sandbox: SandboxDep
) -> JSONResponse:
    number = _number(sandbox, request, account, sid)
    form = {k: str(v) for k, v in (await request.form()).items()}
    for key, prefix in _SID_PARAMS:
        if form.get(key) and not is_sid(prefix, form[key]):
            raise bad_request(f"Invalid parameter {key}: {form[key]!r}")
    sandbox.state.inventory.update(number, form)
    return JSONResponse(number.as_json())


@router.post("/v1/Services/{service}/PhoneNumbers")
async def add_to_service(service: str, request: Request, sandbox: SandboxDep) -> JSONResponse:
    if not is_sid("MG", service):
        raise not_found(request.url.path)
    number_sid = str((await request.form()).get("PhoneNumberSid") or "")
    if not is_sid("PN", number_sid):
        raise bad_request(f"Invalid parameter PhoneNumberSid: {number_sid!r}")
    number = sandbox.state.inventory.add_to_service(service, number_sid)
    body = {
        "sid": number.sid,
        "account_sid": number.account_sid,
        "service_sid": service,
        "phone_number": number.phone_number,
        "country_code": "US",
        "capabilities": ["SMS", "MMS", "Voice"],
        "url": f"https://messaging.twilio.com/v1/Services/{service}/PhoneNumbers/{number.sid}",
    }
    return JSONResponse(body, 201)


@router.get("/v1/Services/{service}/Compliance/Usa2p")
async def usa2p(service: str, request: Request, sandbox: SandboxDep) -> JSONResponse:
    found = sandbox.state.inventory.services.get(service) if is_sid("MG", service) else None
    if found is None:
        raise not_found(request.url.path)
    rows = []
    if found.campaign_status is not None:
        rows.append(
            {
                "sid": found.campaign_sid,
                "account_sid": sandbox.config.account_sid,
                "messaging_service_sid": service,
                "campaign_status": found.campaign_status,
                "campaign_id": "CSANDBOX",
                "us_app_to_person_usecase": "MIXED",
            }
        )
    meta = {"page": 0, "page_size": 50, "key": "compliance", "next_page_url": None}
    return JSONResponse({"compliance": rows, "meta": meta})
