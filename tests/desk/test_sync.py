"""Following requests without Slack: what ``Desk.sync`` stores and which Slack work it queues
(outbox rows) as the sandbox moves a request along its life."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.porting.statuses import NumberStatus, RequestStatus
from bot.store.models import NumberState, RequestState, RequestSync
from tests.bodies import CUSTOMER_NAME

from .conftest import PORTING_CHANNEL, SECRETS, Harness, changed, payload

A = "+14155550101"
B = "+14155550105"  # the carrier answers for it 40 minutes after A
MOBILE = "+14155550201"
REJECTED = "+14155550152"  # the losing carrier rejects it: 22152


async def _numbers(harness: Harness, sid: str) -> dict[str, str]:
    rows = await harness.rows(NumberState, NumberState.request_sid == sid)
    return {n.phone_number: n.status for n in rows}


async def _state(harness: Harness, sid: str) -> RequestState:
    (state,) = await harness.rows(RequestState, RequestState.request_sid == sid)
    return state


async def test_adopting_a_request_filed_elsewhere_queues_one_root_and_stores_it(
    harness: Harness,
) -> None:
    filed = await harness.file_in_sandbox([A, MOBILE])
    sid = filed.request_sid

    snapshot, update = await harness.desk.sync(sid)

    assert update.first_seen and update.number_changes == []  # the root's board shows them
    assert snapshot.thread is None and snapshot.filed_by is None
    assert {n.phone_number for n in snapshot.request.phone_numbers} == {A, MOBILE}
    (root,) = await harness.outbox()
    assert (root.kind, root.key, root.request_sid) == ("root", f"root:{sid}", sid)
    assert payload(root) == {"channel": PORTING_CHANNEL} and root.status == "pending"
    state = await _state(harness, sid)
    assert (state.status, state.customer_name, state.number_count, state.filed_by) == (
        "in_review",
        CUSTOMER_NAME,
        2,
        None,
    )
    assert state.target_date == harness.sandbox.request(sid).target_port_in_date
    assert await _numbers(harness, sid) == {A: "in_review", MOBILE: "in_review"}
    (scheduled,) = await harness.rows(RequestSync)
    assert scheduled.request_sid == sid
    assert scheduled.due_at.replace(tzinfo=UTC) > datetime.now(UTC)  # polled again later
    text = await harness.table_text()
    assert not any(secret in text for secret in SECRETS)


async def test_each_change_queues_one_reply_with_the_changed_numbers_and_a_board_edit(
    harness: Harness,
) -> None:
    sid = (await harness.file_in_sandbox([A, B])).request_sid
    await harness.desk.sync(sid)

    # Twilio's review ends: both numbers wait for the LOA's signature.
    await harness.step()
    _, update = await harness.desk.sync(sid)
    assert update.status_changed and not update.first_seen
    root, reply, board = await harness.outbox()
    assert (root.kind, reply.kind, board.kind) == (
        "root",
        "reply",
        "board",
    )
    assert board.key == f"board:{sid}"
    body = payload(reply)
    assert (body["status"], body["old_status"]) == ("waiting_for_signature", "in_review")
    assert changed(reply) == {A: "waiting_for_signature", B: "waiting_for_signature"}
    assert {c.old for c in update.number_changes} == {NumberStatus.IN_REVIEW}

    # The representative signs: both numbers go to the losing carrier.
    await harness.sandbox.sign_loa(sid)
    await harness.desk.sync(sid)
    replies = await harness.outbox("reply")
    assert len(replies) == 2
    assert changed(replies[-1]) == {A: "port_submitted", B: "port_submitted"}
    assert payload(replies[-1])["status"] == "in_progress"

    # The carrier answers for A first: the reply names A only.
    await harness.step()
    assert harness.sandbox.number(sid, A).status == NumberStatus.PORT_PENDING
    assert harness.sandbox.number(sid, B).status == NumberStatus.PORT_SUBMITTED
    await harness.desk.sync(sid)
    replies = await harness.outbox("reply")
    assert len(replies) == 3
    (number,) = payload(replies[-1])["numbers"]
    assert number["phone_number"] == A
    assert number["port_in_phone_number_status"] == "port_pending" and number["port_date"]
    assert payload(replies[-1])["status"] == payload(replies[-1])["old_status"] == "in_progress"
    assert len(await harness.outbox("board")) == 1  # one pending edit draws the latest state
    assert await _numbers(harness, sid) == {A: "port_pending", B: "port_submitted"}
    assert (await _state(harness, sid)).status == "in_progress"


async def test_a_reply_says_what_each_number_was_before_the_change(harness: Harness) -> None:
    sid = (await harness.file_in_sandbox([A, B])).request_sid
    await harness.desk.sync(sid)
    await harness.step()

    _, update = await harness.desk.sync(sid)

    assert [c.old_label for c in update.number_changes] == ["In Review", "In Review"]
    (reply,) = await harness.outbox("reply")
    assert {n["old"] for n in payload(reply)["numbers"]} == {"in_review"}


async def test_the_same_copy_applied_twice_queues_nothing_the_second_time(
    harness: Harness,
) -> None:
    sid = (await harness.file_in_sandbox([A, B])).request_sid
    await harness.desk.sync(sid)
    await harness.step()
    copy = await harness.twilio.fetch_port_in(sid)

    first, _ = await harness.desk.requests.apply(copy.model_copy(deep=True))
    queued = await harness.outbox()
    second, _ = await harness.desk.requests.apply(copy.model_copy(deep=True))
    _, third = await harness.desk.sync(sid)  # Twilio still says the same

    assert first.has_changes and not second.has_changes and not third.has_changes
    assert [i.kind for i in queued] == ["root", "reply", "board"]
    assert [i.key for i in await harness.outbox()] == [i.key for i in queued]


async def test_an_older_copy_never_moves_a_status_backwards(harness: Harness) -> None:
    sid = (await harness.file_in_sandbox([A, B])).request_sid
    await harness.desk.sync(sid)
    stale = await harness.twilio.fetch_port_in(sid)  # In Review
    await harness.step()
    await harness.sandbox.sign_loa(sid)
    await harness.desk.sync(sid)
    queued = await harness.outbox()

    update, state = await harness.desk.requests.apply(stale)

    assert not update.has_changes
    assert state.status == "in_progress"
    assert update.request.status == RequestStatus.IN_PROGRESS  # what the board would draw
    assert {n.status for n in update.request.phone_numbers} == {NumberStatus.PORT_SUBMITTED}
    assert await _numbers(harness, sid) == {A: "port_submitted", B: "port_submitted"}
    assert (await _state(harness, sid)).status == "in_progress"
    assert [i.key for i in await harness.outbox()] == [i.key for i in queued]


async def test_a_number_rejected_before_the_bot_saw_the_request_is_news(
    harness: Harness,
) -> None:
    sid = (await harness.file_in_sandbox([A, REJECTED])).request_sid
    await harness.step()
    await harness.sandbox.sign_loa(sid)
    while harness.sandbox.number(sid, REJECTED).status != NumberStatus.PORT_REJECTED:
        await harness.step()
    assert harness.sandbox.number(sid, A).status == NumberStatus.PORT_PENDING

    _, update = await harness.desk.sync(sid)

    assert update.first_seen
    root, reply = await harness.outbox()
    assert (root.kind, reply.kind) == ("root", "reply")
    (number,) = payload(reply)["numbers"]  # the pending number is on the board, not news
    assert (number["phone_number"], number["old"]) == (REJECTED, None)
    assert number["port_in_phone_number_status"] == "port_rejected"
    assert number["rejection_reason_code"] == "22152"
    assert number["rejection_reason"] == "PHONE_NUMBER_INACTIVE_OR_DISCONNECTED"
    assert payload(reply)["status"] == "action_required"
    assert await _numbers(harness, sid) == {A: "port_pending", REJECTED: "port_rejected"}
    (rejected,) = await harness.rows(NumberState, NumberState.phone_number == REJECTED)
    assert rejected.rejection_reason_code == "22152"


async def test_a_finished_request_is_no_longer_scheduled(harness: Harness) -> None:
    sid = (await harness.file_in_sandbox([A, B])).request_sid
    await harness.desk.sync(sid)
    assert [r.request_sid for r in await harness.rows(RequestSync)] == [sid]

    await harness.sandbox.run_until_settled()
    assert harness.sandbox.request(sid).status == RequestStatus.COMPLETED
    _, update = await harness.desk.sync(sid)

    assert update.status_changed
    assert await harness.rows(RequestSync) == []
    assert (await _state(harness, sid)).status == "completed"
    assert changed((await harness.outbox("reply"))[-1]) == {A: "completed", B: "completed"}


async def test_the_refresh_button_queues_one_board_edit(harness: Harness) -> None:
    sid = (await harness.file_in_sandbox([A])).request_sid
    await harness.desk.sync(sid)

    await harness.desk.refresh_board(sid)
    await harness.desk.refresh_board(sid)  # one pending edit draws the latest state anyway

    (board,) = await harness.outbox("board")
    assert (board.key, board.status) == (f"board:{sid}", "pending")
