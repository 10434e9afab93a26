"""The one typed list of Slack work (``bot.work``): every kind keys itself, names its owner
and reads back from what it stored, and rows queued by the version before the list existed
(their kind names and payload shapes) are read as the same work."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pydantic import TypeAdapter

from bot import work

SID, NEW = "KW" + "1" * 32, "KW" + "2" * 32
MP = "MP" + "3" * 32
DAY = date(2026, 11, 27)

EVERY_KIND: list[work.Work] = [
    work.Root(request_sid=SID, channel="C1"),
    work.Reply(request_sid=SID, status="in_progress", old_status="in_review"),
    work.File(request_sid=SID, status="in_progress", old_status=None, reply_key=f"reply:{SID}:a"),
    work.Board(request_sid=SID),
    work.Checklist(request_sid=SID, ported=["+14155550101"], canceled=1, mention="U1"),
    work.Refiled(request_sid=SID, new_request_sid=NEW, numbers=["+14155550101"], user_id="U1"),
    work.Reminder(request_sid=SID, reminder="loa_unsigned", due_day=DAY),
    work.Digest(channel_id="C1", day=DAY),
    work.DigestFile(channel_id="C1", day=DAY, thread_ts="1.2", filename="d.csv", content="a,b"),
    work.Home(user_id="U1"),
    work.ManualRoot(manual_id=MP, channel="C1"),
    work.ManualReply(manual_id=MP, event="moved", move="quote", quote_deadline=datetime.now(UTC)),
    work.ManualFile(manual_id=MP, document="loa", file_id="F1", name="loa.pdf", size=3),
    work.ManualBoard(manual_id=MP, version=4),
    work.ManualReminder(manual_id=MP, reminder="quote_due", due_day=DAY),
    work.GoLive(
        request_sid=SID,
        batch=2,
        channel="C1",
        report=work.GoLiveReport(request_sid=SID, profile="standard", live=["+14155550101"]),
    ),
    work.Departed(
        owner_id=SID,
        departure=work.Departure(
            phone_number="+14155550101", last_seen=None, gone_at=datetime(2026, 12, 7, tzinfo=UTC)
        ),
    ),
]


def test_the_list_is_every_kind_once() -> None:
    assert sorted(type(w).KIND for w in EVERY_KIND) == sorted(work.KINDS)
    assert work.EDIT_KINDS == {"board", "home"}


@pytest.mark.parametrize("item", EVERY_KIND, ids=lambda w: w.kind)
def test_every_kind_reads_back_what_it_stored(item: work.Work) -> None:
    again = work.restore(item.kind, item.stored(), item.key(), item.owner())
    assert again == item and again.key() == item.key()
    # The discriminated union tells the kinds apart by ``kind``.
    assert TypeAdapter(work.AnyWork).validate_python(item.model_dump()) == item


# (kind, key, owner, payload) as the version before ``bot.work`` wrote them.
OLD_ROWS = [
    ("root", f"root:{SID}", SID, '{"channel":"C1"}', work.Root(request_sid=SID, channel="C1")),
    ("board", f"board:{SID}", SID, "{}", work.Board(request_sid=SID)),
    (
        "checklist",
        f"checklist:{SID}",
        SID,
        '{"ported":["+14155550101"],"canceled":0,"mention":null}',
        work.Checklist(request_sid=SID, ported=["+14155550101"]),
    ),
    (
        "refiled",
        f"refiled:{SID}:{NEW}",
        SID,
        f'{{"new_request_sid":"{NEW}","numbers":["+1"],"user_id":"U1"}}',
        work.Refiled(request_sid=SID, new_request_sid=NEW, numbers=["+1"], user_id="U1"),
    ),
    (
        "reminder",
        f"remind:{SID}:loa_unsigned:2026-11-27",
        SID,
        f'{{"request_sid":"{SID}","kind":"loa_unsigned","due_day":"2026-11-27"}}',
        work.Reminder(request_sid=SID, reminder="loa_unsigned", due_day=DAY),
    ),
    (
        "digest",
        "digest:C1:2026-11-27",
        "digest:C1",
        '{"channel_id":"C1","day":"2026-11-27"}',
        work.Digest(channel_id="C1", day=DAY),
    ),
    (
        "digest",
        "digest:C1:2026-11-27:asked:20261127T101500123456",
        "digest:C1",
        '{"channel_id":"C1","day":"2026-11-27"}',
        work.Digest(channel_id="C1", day=DAY, asked="20261127T101500123456"),
    ),
    ("home", "home:U1", "home:U1", '{"user_id":"U1"}', work.Home(user_id="U1")),
    (
        "manual_root",
        f"manual-root:{MP}",
        MP,
        '{"channel":"C1"}',
        work.ManualRoot(manual_id=MP, channel="C1"),
    ),
    (
        "manual_file",
        f"manual-file:{MP}:loa:F1",
        MP,
        '{"kind":"loa","file_id":"F1","name":"loa.pdf","url":null,"size":3}',
        work.ManualFile(manual_id=MP, document="loa", file_id="F1", name="loa.pdf", size=3),
    ),
    (
        "manual_file",
        f"manual-file:{MP}:request",
        MP,
        '{"kind":null,"file_id":null,"name":"support-request.txt","url":null,"size":0}',
        work.ManualFile(manual_id=MP),
    ),
    ("manual_board", f"manual-board:{MP}:4", MP, "{}", work.ManualBoard(manual_id=MP, version=4)),
    (
        "manual_remind",
        f"remind:{MP}:quote_due:2026-11-27",
        MP,
        f'{{"manual_id":"{MP}","kind":"quote_due","due_day":"2026-11-27"}}',
        work.ManualReminder(manual_id=MP, reminder="quote_due", due_day=DAY),
    ),
]


@pytest.mark.parametrize("row", OLD_ROWS, ids=lambda r: r[1])
def test_rows_queued_before_the_list_existed_read_as_the_same_work(row: tuple) -> None:  # type: ignore[type-arg]
    kind, key, owner, payload, expected = row
    restored = work.restore(kind, payload, key, owner)
    assert restored == expected
    assert (restored.key(), restored.owner(), restored.stored()) == (key, owner, payload), (
        "and new rows are written exactly as before"
    )


def test_a_manual_reply_reads_back_with_its_key() -> None:
    payload = '{"event":"started","user_id":"U1","documents":[]}'
    said = work.restore("manual_reply", payload, f"manual-reply:{MP}:abc", MP)
    assert isinstance(said, work.ManualReply)
    assert (said.event, said.user_id, said.key()) == ("started", "U1", f"manual-reply:{MP}:abc")
