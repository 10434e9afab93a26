"""``/_sim``: the simulator's admin routes (clock, pause and steps, LOA and carrier actions,
logs, faults)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from ..clock import iso
from ..core import Sandbox
from ..errors import SimulatorError
from ..number_rules import TEST_NUMBERS
from ..resources import phone_number_json, port_in_json
from ..scheduler import Job
from .params import SandboxDep

router = APIRouter(prefix="/_sim")


def _step(job: Job | None) -> dict[str, Any] | None:
    if job is None:
        return None
    return {"request_sid": job.request_sid, "kind": job.kind.value, "due": iso(job.due)}


def _clock(sandbox: Sandbox) -> dict[str, Any]:
    upcoming = sorted(sandbox.upcoming().values())
    return {
        "now": iso(sandbox.now),
        "pace": sandbox.config.pace,
        "next_due": iso(sandbox.state.next_due()),
        "next": _step(upcoming[0] if upcoming else None),
        "speed": sandbox.config.speed,
        "running": sandbox.running and not sandbox.paused,
        "paused": sandbox.paused,
        "paused_at": iso(sandbox.paused_at),
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


def _optional_int(body: dict[str, Any], key: str) -> int | None:
    return int(body[key]) if body.get(key) is not None else None


@router.get("/clock")
async def sim_clock(sandbox: SandboxDep) -> JSONResponse:
    return JSONResponse(_clock(sandbox))


@router.post("/advance")
async def sim_advance(request: Request, sandbox: SandboxDep) -> JSONResponse:
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
    return JSONResponse(_clock(sandbox))


@router.post("/pause")
async def sim_pause(sandbox: SandboxDep) -> JSONResponse:
    sandbox.pause()
    return JSONResponse(_clock(sandbox))


@router.post("/resume")
async def sim_resume(sandbox: SandboxDep) -> JSONResponse:
    sandbox.resume()
    return JSONResponse(_clock(sandbox))


@router.post("/step")
async def sim_step(sandbox: SandboxDep) -> JSONResponse:
    """The next scheduled step of any request, now (the panel's Next step)."""
    ran = await sandbox.step()
    return JSONResponse({**_clock(sandbox), "ran": _step(ran)})


@router.post("/requests/{sid}/fast-forward")
async def sim_fast_forward(sid: str, sandbox: SandboxDep) -> JSONResponse:
    """That request's next step, now (at person pace the calendar stays today's)."""
    ran = await sandbox.fast_forward(sid)
    if ran is None:
        raise SimulatorError(f"{sid} has no step scheduled: it moves only when someone acts", 409)
    return JSONResponse({**_clock(sandbox), "ran": _step(ran)})


@router.post("/settle")
async def sim_settle(sandbox: SandboxDep) -> JSONResponse:
    await sandbox.run_until_settled()
    return JSONResponse(_clock(sandbox))


@router.get("/requests")
async def sim_requests(sandbox: SandboxDep) -> JSONResponse:
    """Every request with its numbers, newest first (the local workspace's sandbox panel
    lists them here: reads through ``/v1`` would use up injected faults)."""
    requests = sorted(sandbox.state.requests.values(), key=lambda r: r.date_created, reverse=True)
    upcoming = sandbox.upcoming()
    return JSONResponse(
        {
            "requests": [
                {**port_in_json(sandbox.config, r), "sim_next": _step(upcoming.get(r.sid))}
                for r in requests
            ]
        }
    )


@router.post("/requests/{sid}/sign")
async def sim_sign(sid: str, sandbox: SandboxDep) -> JSONResponse:
    return JSONResponse(port_in_json(sandbox.config, await sandbox.sign_loa(sid)))


@router.post("/requests/{sid}/expire")
async def sim_expire(sid: str, sandbox: SandboxDep) -> JSONResponse:
    return JSONResponse(port_in_json(sandbox.config, await sandbox.expire_loa(sid)))


@router.post("/requests/{sid}/numbers/{number}/reject")
async def sim_reject(sid: str, number: str, request: Request, sandbox: SandboxDep) -> JSONResponse:
    code = (await _admin_body(request)).get("code", 22150)
    if not isinstance(code, int):
        raise SimulatorError("code must be an integer 22150-22159", 400)
    found = await sandbox.reject_number(sid, number, code)
    return JSONResponse(phone_number_json(sandbox.config, sandbox.request(sid), found))


@router.post("/requests/{sid}/numbers/{number}/resubmit")
async def sim_resubmit(sid: str, number: str, sandbox: SandboxDep) -> JSONResponse:
    found = await sandbox.resubmit_number(sid, number)
    return JSONResponse(phone_number_json(sandbox.config, sandbox.request(sid), found))


@router.get("/inventory")
async def sim_inventory(sandbox: SandboxDep) -> JSONResponse:
    """The account's numbers (the panel lists them, with "port this number away")."""
    inventory = sandbox.state.inventory
    rows = [
        {"sid": n.sid, "phone_number": n.phone_number, "service_sid": n.service_sid}
        for n in list(inventory.numbers.values())[-500:]
    ]
    return JSONResponse({"count": len(inventory.numbers), "numbers": rows})


@router.post("/inventory/seed")
async def sim_seed(request: Request, sandbox: SandboxDep) -> JSONResponse:
    count = (await _admin_body(request)).get("count", 0)
    if not isinstance(count, int) or not 0 <= count <= 1_000_000:
        raise SimulatorError("count must be an integer 0-1000000", 400)
    total = sandbox.state.inventory.seed(count, sandbox.config.account_sid, sandbox.now)
    return JSONResponse({"count": total})


@router.post("/numbers/{number}/port-away")
async def sim_port_away(number: str, sandbox: SandboxDep) -> Response:
    sandbox.port_away(number)
    return Response(status_code=204)


@router.get("/deliveries")
async def sim_deliveries(sandbox: SandboxDep) -> JSONResponse:
    return JSONResponse({"deliveries": [d.as_dict() for d in sandbox.deliveries]})


@router.get("/events")
async def sim_events(sandbox: SandboxDep) -> JSONResponse:
    events = [
        {"event": e.event.value, "at": iso(e.at), "payload": e.payload} for e in sandbox.events
    ]
    return JSONResponse({"events": events})


@router.post("/faults")
async def sim_faults(request: Request, sandbox: SandboxDep) -> JSONResponse:
    body = await _admin_body(request)
    try:
        sandbox.inject_failures(
            int(body.get("count", 1)),
            int(body.get("status", 500)),
            _optional_int(body, "code"),
            message=body.get("message"),
            retry_after=_optional_int(body, "retry_after"),
            match=body.get("match"),
        )
    except (TypeError, ValueError):
        raise SimulatorError("count/status/code/retry_after must be integers", 400) from None
    return JSONResponse({"scripted": sandbox.faults.scripted})


@router.delete("/faults")
async def sim_clear_faults(sandbox: SandboxDep) -> Response:
    sandbox.faults.clear()
    return Response(status_code=204)


@router.get("/test-numbers")
async def sim_test_numbers() -> JSONResponse:
    rows = [
        {
            "number": t.number,
            "until": t.until,
            "behaviour": t.behaviour.value,
            "code": t.code,
            "description": t.description,
        }
        for t in TEST_NUMBERS
    ]
    return JSONResponse({"test_numbers": rows})


@router.post("/reset")
async def sim_reset(sandbox: SandboxDep) -> Response:
    await sandbox.reset()
    return Response(status_code=204)
