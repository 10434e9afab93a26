"""Applying a request Twilio sent to what is stored: the one rule for what is new.

:func:`apply_in` runs inside the sync's transaction, under the request's row lock. It stores
each number's news, never moves a request's or a number's status backwards (an older view of it,
from out-of-order delivery or a stale read, keeps ours and shows it), and returns the
``RequestUpdate`` that says what changed: what the desk then tells Slack (``bot.desk.announce``).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.desk.facts import record_twilio_times
from bot.desk.types import NumberChange, RequestUpdate
from bot.porting.models import PortInNumber, PortInRequest
from bot.porting.statuses import (
    NumberStatus,
    number_moves_back,
    number_status,
    request_moves_back,
    request_status,
    stored_status,
)
from bot.store import request_state
from bot.store.models import CODE_MAX, NumberState, RequestState


async def apply_in(
    s: AsyncSession, request: PortInRequest, now: datetime
) -> tuple[RequestUpdate, RequestState]:
    """Store what is new in ``request``; never move a status backwards."""
    state, numbers = await request_state.load_in(s, request.request_sid)
    stored = {n.number_sid: n for n in numbers}
    old_raw = state.status if state else None
    old_status = request_status(old_raw) if old_raw else None
    update = RequestUpdate(request, old_status, first_seen=state is None, old_raw=old_raw)

    for number in request.phone_numbers:
        if not number.number_sid:
            continue  # Twilio did not say which number this is: nothing to store it under
        row = stored.get(number.number_sid)
        if row is not None and not number.phone_number and row.phone_number:
            number.phone_number = row.phone_number  # Twilio's copy left it out
        was = row.status if row else None  # before _merged overwrites it below
        old = number_status(was) if was else None
        new = number.status
        new_raw = stored_status(new, number.raw_status)
        if row is not None:
            if number_moves_back(row.status, new_raw) or _older(
                number.last_updated, row.twilio_updated_at
            ):
                # An older view of the number (out-of-order delivery, stale read, a status
                # left out, or same rank but an older read): keep ours, and show it.
                number.raw_status = row.status
                continue
            if row.status == new_raw and row.port_date == number.port_date:
                if number.phone_number and not row.phone_number:
                    row.phone_number = number.phone_number  # no news, but now named
                    s.add(row)
                continue
        s.add(
            NumberState(
                number_sid=number.number_sid,
                request_sid=request.request_sid,
                phone_number=number.phone_number or "",
                status=new_raw,
                port_date=number.port_date,
                rejection_reason=number.rejection_reason,
                rejection_reason_code=_code(number.rejection_reason_code),
                updated_at=now,
                twilio_updated_at=number.last_updated,
            )
            if row is None
            else _merged(row, number, new_raw, now)
        )
        if state is not None or new == NumberStatus.PORT_REJECTED:
            # On first sight (a request adopted late) only rejections are news: the
            # root's board shows the rest, but a rejection needs its reason and fix.
            update.number_changes.append(NumberChange(number, old, new, was))

    new_raw = update.stored_status
    if old_raw is not None and request_moves_back(old_raw, new_raw):
        new_raw = old_raw
        # Keep our newer request status on the model the UI renders.
        request.raw_status = old_raw
    lci = request.losing_carrier_information
    changed = update.has_changes or update.first_seen
    if state is None:
        state = RequestState(request_sid=request.request_sid, status=new_raw)
    state.status = new_raw
    state.customer_name = (lci.customer_name if lci else None) or state.customer_name
    state.target_date = request.target_port_in_date
    state.number_count = len(request.phone_numbers)
    state.request_json = _request_json(request)
    if changed:
        state.updated_at = now
    if new_raw != old_raw:
        state.suggested_action = None  # Twilio's suggestion was for the status it left
    # Twilio's own timestamps and when we read it, for listings and deadlines (migration 0006).
    record_twilio_times(state, request, status_changed=new_raw != old_raw, now=now)
    s.add(state)
    return update, state


def _older(incoming: datetime | None, stored: datetime | None) -> bool:
    return incoming is not None and stored is not None and incoming < stored


def _code(code: str | None) -> str | None:
    return code[:CODE_MAX] if code else None


def _merged(row: NumberState, number: PortInNumber, status: str, now: datetime) -> NumberState:
    row.phone_number = number.phone_number or row.phone_number
    row.status = status
    row.port_date = number.port_date
    row.rejection_reason = number.rejection_reason
    row.rejection_reason_code = _code(number.rejection_reason_code)
    row.updated_at = now
    row.twilio_updated_at = number.last_updated or row.twilio_updated_at
    return row


def _request_json(request: PortInRequest) -> str:
    """The request without its numbers (they have their own rows) and without secrets: no
    account number, and no LOA signing link (its filer gets it fresh from Twilio)."""
    return request.model_dump_json(
        exclude={
            "phone_numbers": True,
            "signature_request_url": True,
            "losing_carrier_information": {"account_number"},
        }
    )
