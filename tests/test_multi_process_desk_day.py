"""The desk's day in two real `python -m bot` processes on one PostgreSQL: both plan every
reminder and digest several times a second, on the same injected clock (PORTING_DESK_CLOCK: a
Tuesday at 09:05), and each goes out exactly once; nothing for a closed request."""

from __future__ import annotations

import asyncio
from collections import Counter
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.store.db import Database, migrate
from bot.store.models import NumberState, RequestState, RequestThread
from tests.fakes.slack_api import FakeSlack
from tests.pg import fresh_database
from tests.procs import bot_env, free_port, start_bot, stop_bot

CHANNEL = "CDESKDAY"
TUESDAY = datetime(2026, 11, 3, 9, 5, tzinfo=UTC)
OPEN_SID = "KW" + "a" * 32  # Action Required since the Thursday before: its reminder is due
CLOSED_SID = "KW" + "b" * 32  # completed: nothing for it


async def _seed(db: Database) -> None:
    rejected_at = datetime(2026, 10, 29, 15, 0, tzinfo=UTC)
    async with db.session() as s:
        for sid, status, ts in (
            (OPEN_SID, "action_required", "1700000001.000100"),
            (CLOSED_SID, "completed", "1700000002.000100"),
        ):
            s.add(
                RequestState(
                    request_sid=sid,
                    status=status,
                    customer_name=f"Customer {sid[2]}",
                    number_count=1,
                    filed_by="U123",
                    created_at=rejected_at - timedelta(days=3),
                    status_changed_at=rejected_at,
                    synced_at=datetime.now(UTC),
                )
            )
            s.add(RequestThread(request_sid=sid, channel_id=CHANNEL, thread_ts=ts))
            s.add(
                NumberState(
                    number_sid="PN" + sid[2:],
                    request_sid=sid,
                    phone_number="+14155550155",
                    status="port_rejected" if status == "action_required" else status,
                    rejection_reason="Invalid PIN",
                    rejection_reason_code="22155",
                    twilio_updated_at=rejected_at,
                )
            )
        await s.commit()


def _key(message: dict[str, Any]) -> str | None:
    return ((message.get("metadata") or {}).get("event_payload") or {}).get("key")


async def test_two_processes_send_each_reminder_and_digest_once(
    fake_slack: FakeSlack, tmp_path, clean_slack_env
) -> None:
    async with fresh_database() as url, AsyncExitStack() as stack:
        db = Database.from_url(url)
        stack.push_async_callback(db.close)
        await migrate(db.engine)
        await _seed(db)
        env = {
            "DATABASE_URL": url,
            "PORTING_CHANNEL": CHANNEL,
            "PORTING_DESK_CLOCK": TUESDAY.isoformat(),
            "PORTING_DESK_DAY_SECONDS": "0.1",
            "PORTING_RECONCILE_SECONDS": "3600",  # the seeded requests live in no sandbox
            "SLACK_CHANNEL_WRITE_SECONDS": "0",
        }
        processes = await asyncio.gather(
            *(
                start_bot(bot_env(fake_slack, free_port(), **env), str(tmp_path), f"bot{i}.log")
                for i in range(2)
            )
        )
        for process in processes:
            stack.push_async_callback(stop_bot, process)

        def sent() -> Counter[str | None]:
            return Counter(_key(m) for m in fake_slack.messages if m["channel"] == CHANNEL)

        for _ in range(600):
            keys = sent()
            if any(k and k.startswith("digest:") for k in keys) and any(
                k and k.startswith("remind:") for k in keys
            ):
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(2.0)  # twenty more planning passes in each process

    keys = sent()
    assert keys == {
        f"digest:{CHANNEL}:2026-11-03": 1,
        f"remind:{OPEN_SID}:action_required:2026-11-02": 1,
    }, keys
    reminder = next(m for m in fake_slack.messages if (_key(m) or "").startswith("remind:"))
    assert reminder["thread_ts"] == "1700000001.000100"
    assert "<@U123>" in reminder["text"]
