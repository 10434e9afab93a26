"""Outbox items: keys built in one place, payloads stored exactly as before they were typed
(so items queued by an older version are still delivered), and a row the worker cannot read
set aside instead of retried forever."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot import work
from bot.desk.changes import change_set
from bot.desk.types import NumberChange, RequestUpdate
from bot.porting.models import LosingCarrierOnFile, PortInNumber, PortInRequest
from bot.porting.statuses import NumberStatus, RequestStatus, number_status, request_status
from bot.store import keys, queue
from bot.store.db import Database, create_tables
from bot.store.models import OutboxItem

SID = "KW" + "3" * 32
PU1, PU2, PU3 = ("PU" + d * 32 for d in "123")

# A reply's payload as the outbox stored it before payloads were typed (RequestUpdate.to_json
# plus filed_by): pending rows of that age must still be read, and new ones written the same,
# with the LOA fields added since (an older process reading them ignores what it lacks).
STORED_REPLY = json.dumps(
    {
        "request_sid": SID,
        "status": "in_progress",
        "old_status": "in_review",
        "numbers": [
            {
                "phone_number": "+15555550101",
                "number_sid": PU1,
                "rejection_reason": None,
                "rejection_reason_code": None,
                "port_date": "2026-12-03T00:00:00Z",
                "port_in_phone_number_status": "port_pending",
                "old": "port_submitted",
            },
            {
                "phone_number": "+15555550102",
                "number_sid": PU2,
                "rejection_reason": "Wrong PIN",
                "rejection_reason_code": "22131",
                "port_date": None,
                "port_in_phone_number_status": "port_rejected",
                "old": "port_pending",
            },
            {
                "phone_number": None,
                "number_sid": PU3,
                "rejection_reason": None,
                "rejection_reason_code": None,
                "port_date": None,
                "port_in_phone_number_status": "On Hold",
                "old": "port_pending",
            },
        ],
        "canceled_by": {PU2: "U1"},
        "filed_by": "U9",
    },
    separators=(",", ":"),
)


LOA_FIELDS = {"status_since": None, "signer": None, "signer_email": None}
STORED_NOW = json.dumps({**json.loads(STORED_REPLY), **LOA_FIELDS}, separators=(",", ":"))


def _update() -> RequestUpdate:
    n1 = PortInNumber(
        phone_number="+15555550101",
        number_sid=PU1,
        raw_status="port_pending",
        port_date=datetime(2026, 12, 3, tzinfo=UTC),
    )
    n2 = PortInNumber(
        phone_number="+15555550102",
        number_sid=PU2,
        raw_status="port_rejected",
        rejection_reason="Wrong PIN",
        rejection_reason_code="22131",
    )
    n3 = PortInNumber(number_sid=PU3, raw_status="On Hold")
    request = PortInRequest(request_sid=SID, raw_status="in_progress", phone_numbers=[n1, n2, n3])
    changes = [
        NumberChange(n1, NumberStatus.PORT_SUBMITTED, n1.status, "port_submitted"),
        NumberChange(n2, NumberStatus.PORT_PENDING, n2.status),
        NumberChange(n3, NumberStatus.PORT_PENDING, n3.status),
    ]
    return RequestUpdate(request, RequestStatus.IN_REVIEW, changes, canceled_by={PU2: "U1"})


def test_keys() -> None:
    assert work.Root(request_sid=SID, channel="C1").key() == f"root:{SID}"
    assert work.Board(request_sid=SID).key() == f"board:{SID}"
    change = change_set(_update(), "U9")
    first, second = work.Reply.of(change), work.Reply.of(change)
    assert first.key().startswith(f"reply:{SID}:") and first.key() != second.key(), (
        "one reply per change set"
    )
    assert work.File.after(first).key() == f"file:{first.key()}"
    assert keys.cancel(SID) == f"cancel:{SID}"
    assert keys.cancel(SID, PU1) == f"cancel:{SID}:{PU1}"
    assert keys.filing("d1", 2) == "port-in:d1:2"
    assert work.Checklist(request_sid=SID).key() == f"checklist:{SID}", (
        "one checklist per request, ever"
    )


def test_builders_key_their_items() -> None:
    root = work.Root(request_sid=SID, channel="C1")
    assert (root.kind, root.key(), root.owner(), root.stored()) == (
        "root",
        f"root:{SID}",
        SID,
        '{"channel":"C1"}',
    )
    board = work.Board(request_sid=SID)
    assert (board.kind, board.key(), board.stored(), board.edit) == (
        "board",
        f"board:{SID}",
        "{}",
        True,
    )
    reply = work.Reply.of(change_set(_update(), "U9"))
    assert reply.kind == "reply" and reply.key().startswith(f"reply:{SID}:")
    checklist = work.Checklist(request_sid=SID, ported=["+15555550101"], canceled=1, mention="U9")
    assert (checklist.kind, checklist.key(), checklist.stored()) == (
        "checklist",
        f"checklist:{SID}",
        '{"ported":["+15555550101"],"canceled":1,"mention":"U9"}',
    )


def test_a_change_set_is_stored_as_before_and_reads_back_the_same() -> None:
    reply = work.Reply.of(change_set(_update(), "U9"))
    assert reply.stored() == STORED_NOW

    stored = work.Reply.restore(STORED_REPLY, f"reply:{SID}:abc", SID)
    assert stored.key() == f"reply:{SID}:abc"
    # What the reply and its CSV are drawn from (bot.slack.ui.thread_replies), as stored.
    assert stored.change_set().model_dump_json() == STORED_NOW
    assert request_status(stored.old_status) == RequestStatus.IN_REVIEW
    assert stored.old_status != stored.status, "the request's status moved"
    assert [(number_status(n.old), number_status(n.status)) for n in stored.numbers] == [
        (NumberStatus.PORT_SUBMITTED, NumberStatus.PORT_PENDING),
        (NumberStatus.PORT_PENDING, NumberStatus.PORT_REJECTED),
        (NumberStatus.PORT_PENDING, NumberStatus.UNKNOWN),
    ]
    assert stored.numbers[2].status == "On Hold", "Twilio's words are kept"
    assert stored.numbers[0].port_date == datetime(2026, 12, 3, tzinfo=UTC)
    assert stored.canceled_by == {PU2: "U1"}


def test_the_csv_after_a_reply_carries_its_change_set() -> None:
    reply = work.Reply.restore(STORED_REPLY, f"reply:{SID}:abc", SID)
    csv = work.File.after(reply)
    assert (csv.kind, csv.key()) == ("file", f"file:{reply.key()}")
    assert isinstance(csv, work.File)
    assert csv.stored() == STORED_NOW


@pytest.fixture
async def db(tmp_path) -> AsyncIterator[Database]:  # type: ignore[no-untyped-def]
    database = Database.from_url(f"sqlite:///{tmp_path}/items.db")
    await create_tables(database.engine)
    yield database
    await database.close()


async def test_items_are_claimed_typed_and_unreadable_rows_are_set_aside(db: Database) -> None:
    async with db.session() as s:
        await queue.add(s, work.Root(request_sid=SID, channel="C1"))
        s.add(OutboxItem(key="later:1", request_sid="KW" + "4" * 32, kind="later"))
        await s.commit()

    claimed = await queue.claim(db, "w1", timedelta(seconds=30), limit=8)
    assert [(i.kind, i.key, i.work) for i in claimed] == [
        ("root", f"root:{SID}", work.Root(request_sid=SID, channel="C1"))
    ]
    assert claimed[0].created_at.tzinfo is UTC
    async with db.session() as s:
        odd = (await s.exec(select(OutboxItem).where(OutboxItem.kind == "later"))).one()
    assert odd.status == "done", "a kind this version does not know is not retried forever"
    assert await queue.count_pending(db) == 1


def test_the_loa_fields_of_a_change_set_read_back() -> None:
    update = _update()
    update.request.raw_status = "waiting_for_signature"
    update.request.losing_carrier_information = LosingCarrierOnFile(
        authorized_representative="Jane Doe", authorized_representative_email="jane@acme.example"
    )
    sent = datetime(2026, 11, 2, 19, 0, tzinfo=UTC)
    stored = work.Reply.restore(
        change_set(update, "U9", sent).model_dump_json(), f"reply:{SID}:abc", SID
    )
    assert (stored.status_since, stored.signer, stored.signer_email) == (
        sent,
        "Jane Doe",
        "jane@acme.example",
    )
