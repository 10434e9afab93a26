"""What the sync queues beside its change sets, without Slack: Twilio's suggestion from the
request list (for the status it was listed in), the post-port checklist (once, on
completion), and the signing link (asked of Twilio only for the person who filed it)."""

from __future__ import annotations

from sqlalchemy import update

from bot.sandbox import SandboxConfig
from bot.store.models import OutboxItem, RequestState, RequestThread

from .conftest import START, Harness, HarnessFactory, payload

A = "+14155550101"
B = "+14155550102"
SIGN = "Ask the authorized representative to sign the LOA"


async def _state(harness: Harness, sid: str) -> RequestState:
    (state,) = await harness.rows(RequestState, RequestState.request_sid == sid)
    return state


async def test_discovery_keeps_the_lists_suggestion_for_the_status_it_was_listed_in(
    make_harness: HarnessFactory,
) -> None:
    harness = await make_harness(SandboxConfig(start_time=START, seed=11, auto_sign_loa=False))
    sid = (await harness.file_in_sandbox([A])).request_sid
    await harness.desk.requests.discover()  # never stored: nothing to note, it is only adopted
    await harness.step()  # review done: the LOA is out
    await harness.desk.requests.sync(sid)
    async with harness.db.session() as s:
        s.add(RequestThread(request_sid=sid, channel_id="CPORTING", thread_ts="1.000001"))
        await s.exec(update(OutboxItem).values(status="done"))  # its Slack work went out
        await s.commit()

    await harness.desk.requests.discover()
    assert (await _state(harness, sid)).suggested_action == SIGN
    (board,) = await harness.outbox("board")
    assert board.status == "pending", "the board shows the suggestion"
    async with harness.db.session() as s:
        await s.exec(update(OutboxItem).values(status="done"))
        await s.commit()
    await harness.desk.requests.discover()  # the same again: no news, no board edit
    assert [b.status for b in await harness.outbox("board")] == ["done"]

    # Signed, and listed before the bot applied it: the list's row is for another status.
    await harness.sandbox.sign_loa(sid)
    await harness.desk.requests.discover()
    assert (await _state(harness, sid)).suggested_action == SIGN, "kept until the status moves"
    await harness.desk.requests.sync(sid)
    state = await _state(harness, sid)
    assert state.status == "in_progress" and state.suggested_action is None


async def test_one_checklist_when_the_request_completes(harness: Harness) -> None:
    sid = (await harness.file_in_sandbox([A, B])).request_sid
    await harness.desk.requests.sync(sid)  # adopted: its root is queued
    while harness.sandbox.request(sid).status != "completed":
        await harness.step()
        await harness.desk.requests.sync(sid)
        if harness.sandbox.request(sid).status != "completed":
            assert await harness.outbox("checklist") == [], "nothing before it completes"
    (item,) = await harness.outbox("checklist")
    assert item.key == f"checklist:{sid}"
    assert payload(item) == {"ported": [A, B], "canceled": 0, "mention": None}
    replies = await harness.outbox("reply")
    assert replies[-1].id < item.id, "queued after the reply that says it completed"

    # Seen completing again (the stored status rewound): still one.
    async with harness.db.session() as s:
        await s.exec(
            update(RequestState)
            .where(RequestState.request_sid == sid)  # type: ignore[arg-type]
            .values(status="in_progress")
        )
        await s.commit()
    await harness.desk.requests.sync(sid)
    assert len(await harness.outbox("checklist")) == 1


async def test_signing_link_asks_twilio_only_for_the_filer(harness: Harness) -> None:
    sid = (await harness.file_in_sandbox([A])).request_sid
    await harness.step()
    await harness.desk.requests.sync(sid)
    async with harness.db.session() as s:
        await s.exec(
            update(RequestState)
            .where(RequestState.request_sid == sid)  # type: ignore[arg-type]
            .values(filed_by="UFILER")
        )
        await s.commit()
    before = len(harness.twilio_calls)

    refused = await harness.desk.signing.signing_link(sid, "UOTHER")
    assert not refused.allowed and refused.url is None and refused.filed_by == "UFILER"
    assert len(harness.twilio_calls) == before, "nothing asked of Twilio for someone else"

    given = await harness.desk.signing.signing_link(sid, "UFILER")
    assert given.allowed and given.waiting
    assert given.url == harness.sandbox.request(sid).signature_request_url
    assert given.url and given.url not in repr(given)
    assert given.url not in await harness.table_text()
