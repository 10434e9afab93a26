"""The Letter of Authorization page humans open from ``signature_request_url``.

It is protected by the link's token, not by Basic auth (the guard lets ``/_sim/loa/`` through).
"""

from __future__ import annotations

import hmac
from html import escape

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from bot.porting.statuses import RequestStatus

from ..core import Sandbox
from ..data import SimRequest
from ..errors import SimulatorError
from .params import SandboxDep

router = APIRouter()


def _loa_request(sandbox: Sandbox, sid: str, token: str) -> SimRequest:
    port_in = sandbox.state.requests.get(sid)
    if port_in is None or not hmac.compare_digest(token, port_in.signature_token):
        raise SimulatorError("Unknown or expired signing link", 404)
    return port_in


def loa_html(port_in: SimRequest) -> str:
    """The LOA: who authorises porting which numbers, and a sign button while it can be signed."""
    lci = port_in.losing_carrier_information
    numbers = "".join(f"<li>{escape(n.phone_number)}</li>" for n in port_in.numbers)
    can_sign = port_in.status == RequestStatus.WAITING_FOR_SIGNATURE
    action = (
        f'<form method="post"><button type="submit">Sign as '
        f"{escape(str(lci.get('authorized_representative')))}</button></form>"
        if can_sign
        else f"<p>Status: {escape(port_in.status.twilio_name)}</p>"
    )
    return (
        f"<html><body><h1>Letter of Authorization (sandbox)</h1>"
        f"<p>{escape(str(lci.get('customer_name')))} authorises porting:</p>"
        f"<ul>{numbers}</ul>{action}</body></html>"
    )


@router.get("/_sim/loa/{sid}")
async def loa_page(sid: str, sandbox: SandboxDep, token: str = "") -> HTMLResponse:
    return HTMLResponse(loa_html(_loa_request(sandbox, sid, token)))


@router.post("/_sim/loa/{sid}")
async def loa_sign(sid: str, sandbox: SandboxDep, token: str = "") -> HTMLResponse:
    port_in = _loa_request(sandbox, sid, token)
    if port_in.status == RequestStatus.WAITING_FOR_SIGNATURE:
        await sandbox.sign_loa(sid)
    return HTMLResponse(
        f"<html><body><p>Signed. Request status: {escape(port_in.status.twilio_name)}"
        "</p></body></html>"
    )
