"""Canceling without Slack: whole requests and some numbers against the sandbox, the audit log,
the claims that make two cancels one, and the reply the change queues."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from bot.desk import CancelBusy, CancelOutcome, load_snapshot
from bot.porting.errors import TwilioError
from bot.porting.statuses import NumberStatus, RequestStatus
from bot.store.models import ActionClaim, AuditEntry, RequestState, RequestSync, RequestThread

from .conftest import PORTING_CHANNEL, Call, Harness, changed, payload

A = "+14155550101"
B = "+14155550102"
REJECTED = "+14155550152"  # the losing carrier rejects it: 22152
ELSEWHERE = "+14155550199"  # in no request


async def _adopted(harness: Harness, numbers: list[str], *, thread: bool = False) -> str:
    sid = (await harness.file_in_sandbox(numbers)).request_sid
    await harness.desk.sync(sid)
    if thread:  # as if Slack had confirmed the request's root message
        async with harness.db.session() as s:
            s.add(RequestThread(request_sid=sid, channel_id=PORTING_CHANNEL, thread_ts="1.000100"))
            await s.commit()
    return sid


def _deletes(harness: Harness, path_end: str) -> list[Call]:
    return [c for c in harness.twilio_calls if c.method == "DELETE" and c.path.endswith(path_end)]


def _sid_of(harness: Harness, sid: str, number: str) -> str:
    return harness.sandbox.number(sid, number).sid


async def test_canceling_a_whole_request(harness: Harness) -> None:
    sid = await _adopted(harness, [A, B], thread=True)

    outcome = await harness.desk.cancel_request(sid, "U1")

    assert outcome.whole_request and outcome.user_id == "U1"
    assert outcome.canceled == [A, B] and outcome.failed == [] and outcome.skipped == []
    assert harness.sandbox.request(sid).status == RequestStatus.CANCELED
    assert {n.status for n in harness.sandbox.request(sid).numbers} == {NumberStatus.CANCELED}
    assert len(_deletes(harness, f"/PortIn/{sid}")) == 1
    (entry,) = await harness.rows(AuditEntry)
    assert (entry.action, entry.outcome, entry.user_id, entry.request_sid) == (
        "request.canceled",
        "ok",
        "U1",
        sid,
    )
    assert A in entry.numbers and B in entry.numbers
    assert _sid_of(harness, sid, A) in entry.sids and _sid_of(harness, sid, B) in entry.sids
    assert [e.id for e in await harness.desk.history(sid)] == [entry.id]
    (claim,) = await harness.rows(ActionClaim)
    assert (claim.key, claim.user_id, claim.status) == (f"cancel:{sid}", "U1", "done")
    # The change is stored and its reply says who canceled; the request is no longer polled.
    (state,) = await harness.rows(RequestState)
    assert state.status == "canceled"
    assert await harness.rows(RequestSync) == []
    (reply,) = await harness.outbox("reply")
    assert payload(reply)["canceled_by"] == {"request": "U1"}
    assert changed(reply) == {A: "canceled", B: "canceled"}
    # The board the person is looking at is drawn again at once (through the outbox, from
    # the request as stored).
    (board,) = await harness.outbox("board")
    assert board.status == "pending" and board.next_attempt_at <= datetime.now(UTC)
    drawn = await load_snapshot(harness.db, sid)
    assert drawn is not None and drawn.request.status == RequestStatus.CANCELED


async def test_a_late_cancel_is_canceling_until_the_carrier_confirms(harness: Harness) -> None:
    sid = await _adopted(harness, [A, B])
    await harness.step()
    await harness.sandbox.sign_loa(sid)
    while any(n.status != NumberStatus.PORT_PENDING for n in harness.sandbox.request(sid).numbers):
        await harness.step()

    outcome = await harness.desk.cancel_request(sid, "U1")

    assert outcome.canceled == [A, B]
    assert harness.sandbox.request(sid).status == RequestStatus.CANCELING
    assert outcome.snapshot is not None
    assert {n.status for n in outcome.snapshot.request.phone_numbers} == {NumberStatus.CANCELING}
    assert [r.request_sid for r in await harness.rows(RequestSync)] == [sid]  # still followed

    await harness.step()
    await harness.desk.sync(sid)

    assert harness.sandbox.request(sid).status == RequestStatus.CANCELED
    assert (await harness.rows(RequestState))[0].status == "canceled"
    assert changed((await harness.outbox("reply"))[-1]) == {A: "canceled", B: "canceled"}


async def test_canceling_some_numbers(harness: Harness) -> None:
    sid = await _adopted(harness, [A, B])
    a_sid = _sid_of(harness, sid, A)

    outcome = await harness.desk.cancel_numbers(sid, [A], "U1")

    assert not outcome.whole_request and outcome.canceled == [A] and outcome.skipped == []
    assert harness.sandbox.number(sid, A).status == NumberStatus.CANCELED
    assert harness.sandbox.number(sid, B).status == NumberStatus.IN_REVIEW
    assert harness.sandbox.request(sid).status == RequestStatus.IN_REVIEW
    (delete,) = _deletes(harness, "")
    assert delete.path == f"/v1/Porting/PortIn/{sid}/PhoneNumber/{a_sid}"
    (entry,) = await harness.rows(AuditEntry)
    assert (entry.action, entry.outcome, entry.user_id) == ("numbers.canceled", "ok", "U1")
    assert A in entry.numbers and B not in entry.numbers and a_sid in entry.sids
    (claim,) = await harness.rows(ActionClaim)
    assert (claim.key, claim.status) == (f"cancel:{sid}:{a_sid}", "done")
    (reply,) = await harness.outbox("reply")
    assert changed(reply) == {A: "canceled"} and payload(reply)["canceled_by"] == {a_sid: "U1"}


async def test_numbers_past_canceling_or_not_in_the_request_are_skipped_with_the_reason(
    harness: Harness,
) -> None:
    sid = await _adopted(harness, [A, REJECTED])
    await harness.step()
    await harness.sandbox.sign_loa(sid)
    await harness.sandbox.run_until_settled()
    assert harness.sandbox.number(sid, A).status == NumberStatus.COMPLETED
    assert harness.sandbox.number(sid, REJECTED).status == NumberStatus.PORT_REJECTED

    outcome = await harness.desk.cancel_numbers(sid, [A, ELSEWHERE, REJECTED], "U1")

    assert outcome.skipped == [
        (A, "it is already Completed"),
        (ELSEWHERE, "it is not in this request"),
    ]
    assert outcome.canceled == [REJECTED]
    assert harness.sandbox.number(sid, A).status == NumberStatus.COMPLETED
    assert harness.sandbox.number(sid, REJECTED).status == NumberStatus.CANCELED
    assert len(_deletes(harness, "")) == 1
    (entry,) = await harness.rows(AuditEntry)
    assert REJECTED in entry.numbers and A not in entry.numbers


async def test_two_cancels_of_a_request_at_once_ask_twilio_once(harness: Harness) -> None:
    sid = await _adopted(harness, [A, B])
    other = harness.another_desk()  # another bot process on the same database

    results = await asyncio.gather(
        harness.desk.cancel_request(sid, "U1"),
        other.cancel_request(sid, "U2"),
        return_exceptions=True,
    )

    done = [r for r in results if isinstance(r, CancelOutcome)]
    busy = [r for r in results if isinstance(r, CancelBusy)]
    assert len(done) == 1 and len(busy) == 1
    assert busy[0].claim.user_id == done[0].user_id
    assert len(_deletes(harness, f"/PortIn/{sid}")) == 1
    assert harness.sandbox.request(sid).status == RequestStatus.CANCELED
    assert [(e.action, e.outcome) for e in await harness.rows(AuditEntry)] == [
        ("request.canceled", "ok")
    ]
    with pytest.raises(CancelBusy):  # the whole request is gone: its numbers are too
        await harness.desk.cancel_numbers(sid, [A], "U3")


async def test_two_cancels_of_a_number_at_once_ask_twilio_once(harness: Harness) -> None:
    sid = await _adopted(harness, [A, B])
    other = harness.another_desk()

    first, second = await asyncio.gather(
        harness.desk.cancel_numbers(sid, [A], "U1"),
        other.cancel_numbers(sid, [A], "U2"),
    )

    assert sorted([first.canceled, second.canceled]) == [[], [A]]
    loser = first if not first.canceled else second
    assert len(loser.busy) + len(loser.skipped) == 1  # told someone else has it, or had it
    assert len(_deletes(harness, f"/PhoneNumber/{_sid_of(harness, sid, A)}")) == 1
    assert harness.sandbox.number(sid, A).status == NumberStatus.CANCELED
    assert harness.sandbox.number(sid, B).status == NumberStatus.IN_REVIEW


async def test_twilio_refusing_a_cancel_is_raised_audited_and_frees_the_claim(
    harness: Harness,
) -> None:
    sid = await _adopted(harness, [A])
    await harness.twilio.cancel_port_in(sid)  # canceled in the Console meanwhile

    with pytest.raises(TwilioError) as refused:
        await harness.desk.cancel_request(sid, "U1")

    assert refused.value.status == 400
    (entry,) = await harness.rows(AuditEntry)
    assert (entry.action, entry.outcome, entry.user_id) == ("request.canceled", "refused", "U1")
    assert entry.detail is not None and str(refused.value.code) in entry.detail
    assert await harness.rows(ActionClaim) == []  # someone may try again
