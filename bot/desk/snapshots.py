"""A request's snapshot (what its status board and replies are drawn from): after a fetch, from
Twilio's copy and the stored state; without calling Twilio, from the store alone."""

from __future__ import annotations

from collections.abc import Sequence

from bot.desk.records import Thread
from bot.desk.types import RequestSnapshot
from bot.porting.models import PortInNumber, PortInRequest
from bot.porting.statuses import stored_status
from bot.store import request_state
from bot.store.db import Database
from bot.store.models import RequestState, RequestThread


def snapshot_from(
    request: PortInRequest,
    state: RequestState,
    thread: RequestThread | None,
    refiled_as: Sequence[str] = (),
) -> RequestSnapshot:
    return RequestSnapshot(
        request,
        Thread.of(thread),
        state.filed_by,
        state.updated_at,
        status_since=state.status_changed_at,
        suggested_action=state.suggested_action,
        refile_of=state.refile_of,
        refiled_as=tuple(refiled_as),
        golive_profile=state.golive_profile,
    )


async def load_snapshot(db: Database, request_sid: str) -> RequestSnapshot | None:
    """The request as last stored, for drawing its board without calling Twilio."""
    stored = await request_state.load(db, request_sid)
    return None if stored is None else snapshot_of(stored)


def snapshot_of(stored: request_state.StoredRequest) -> RequestSnapshot:
    """A stored request as the snapshot its board is drawn from."""
    state = stored.state
    request_sid = state.request_sid
    numbers = [
        PortInNumber(
            phone_number=n.phone_number or None,
            number_sid=n.number_sid,
            raw_status=n.status,
            port_date=n.port_date,
            rejection_reason=n.rejection_reason,
            rejection_reason_code=n.rejection_reason_code,
        )
        for n in sorted(stored.numbers, key=lambda n: n.phone_number)
    ]
    if state.request_json:
        request = PortInRequest.model_validate_json(state.request_json)
    else:  # stored before request_json existed
        request = PortInRequest(request_sid=request_sid, target_port_in_date=state.target_date)
    # The stored status wins; request_json keeps an unrecognised one in full (the column clips).
    if stored_status(request.status, request.raw_status) != state.status:
        request.raw_status = state.status
    request.phone_numbers = numbers
    return snapshot_from(request, state, stored.thread, stored.refiled_as)
