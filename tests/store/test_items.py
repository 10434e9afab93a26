"""Outbox items: keys built in one place, payloads stored exactly as before they were typed
(so items queued by an older version are still delivered), and a row the worker cannot read
set aside instead of retried forever."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.desk.changes import change_set, update_from
from bot.desk.types import NumberChange, RequestUpdate
from bot.porting.models import LosingCarrierOnFile, PortInNumber, PortInRequest
from bot.porting.statuses import NumberStatus, RequestStatus
from bot.store import items, keys
from bot.store import outbox as queue
from bot.store.db import Database, create_tables
from bot.store.items import (
    BoardPayload,
    ChecklistPayload,
    FilePayload,
    Item,
    OutboxKind,
    ReplyPayload,
    RootPayload,
)
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
    assert keys.root(SID) == f"root:{SID}"
    assert keys.board(SID) == f"board:{SID}"
    first, second = keys.reply(SID), keys.reply(SID)
    assert first.startswith(f"reply:{SID}:") and first != second, "one reply per change set"
    assert keys.file(first) == f"file:{first}"
    assert keys.cancel(SID) == f"cancel:{SID}"
    assert keys.cancel(SID, PU1) == f"cancel:{SID}:{PU1}"
    assert keys.filing("d1", 2) == "port-in:d1:2"
    assert keys.checklist(SID) == f"checklist:{SID}", "one checklist per request, ever"


def test_builders_key_their_items() -> None:
    root = items.root(SID, "C1")
    assert (root.kind, root.key, root.payload) == (
        OutboxKind.ROOT,
        keys.root(SID),
        RootPayload(channel="C1"),
    )
    board = items.board(SID)
    assert (board.kind, board.key, board.payload) == (
        OutboxKind.BOARD,
        keys.board(SID),
        BoardPayload(),
    )
    reply = items.reply(change_set(_update(), "U9"))
    assert reply.kind == OutboxKind.REPLY and reply.key.startswith(f"reply:{SID}:")
    assert isinstance(reply.payload, ReplyPayload)
    checklist = items.checklist(SID, ["+15555550101"], 1, "U9")
    assert (checklist.kind, checklist.key, checklist.payload) == (
        OutboxKind.CHECKLIST,
        keys.checklist(SID),
        ChecklistPayload(ported=["+15555550101"], canceled=1, mention="U9"),
    )


def test_a_change_set_is_stored_as_before_and_reads_back_the_same() -> None:
    payload = items.reply(change_set(_update(), "U9")).payload
    assert payload.model_dump_json() == STORED_NOW

    stored = ReplyPayload.model_validate_json(STORED_REPLY)
    again = update_from(stored)
    assert change_set(again, stored.filed_by).model_dump_json() == STORED_NOW
    assert again.old_status == RequestStatus.IN_REVIEW and again.status_changed
    assert [(c.old, c.new) for c in again.number_changes] == [
        (NumberStatus.PORT_SUBMITTED, NumberStatus.PORT_PENDING),
        (NumberStatus.PORT_PENDING, NumberStatus.PORT_REJECTED),
        (NumberStatus.PORT_PENDING, NumberStatus.UNKNOWN),
    ]
    assert again.number_changes[2].number.raw_status == "On Hold", "Twilio's words are kept"
    assert again.number_changes[0].number.port_date == datetime(2026, 12, 3, tzinfo=UTC)
    assert again.canceled_by == {PU2: "U1"}


def test_the_csv_after_a_reply_carries_its_change_set() -> None:
    stored = ReplyPayload.model_validate_json(STORED_REPLY)
    reply = Item(
        id=1,
        key=keys.reply(SID),
        request_sid=SID,
        kind=OutboxKind.REPLY,
        payload=stored,
        attempts=0,
        maybe_sent=False,
        created_at=datetime.now(UTC),
    )
    csv = items.file(reply, stored)
    assert (csv.kind, csv.key) == (OutboxKind.FILE, f"file:{reply.key}")
    assert isinstance(csv.payload, FilePayload)
    assert csv.payload.model_dump_json() == STORED_NOW


@pytest.fixture
async def db(tmp_path) -> AsyncIterator[Database]:  # type: ignore[no-untyped-def]
    database = Database.from_url(f"sqlite:///{tmp_path}/items.db")
    await create_tables(database.engine)
    yield database
    await database.close()


async def test_items_are_claimed_typed_and_unreadable_rows_are_set_aside(db: Database) -> None:
    async with db.session() as s:
        await queue.add(s, SID, items.root(SID, "C1"))
        s.add(OutboxItem(key="later:1", request_sid="KW" + "4" * 32, kind="later"))
        await s.commit()

    claimed = await queue.claim(db, "w1", timedelta(seconds=30), limit=8)
    assert [(i.kind, i.key, i.payload) for i in claimed] == [
        (OutboxKind.ROOT, keys.root(SID), RootPayload(channel="C1"))
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
    stored = ReplyPayload.model_validate_json(change_set(update, "U9", sent).model_dump_json())
    assert (stored.status_since, stored.signer, stored.signer_email) == (
        sent,
        "Jane Doe",
        "jane@acme.example",
    )
    lci = update_from(stored).request.losing_carrier_information
    assert lci is not None and lci.authorized_representative_email == "jane@acme.example"
