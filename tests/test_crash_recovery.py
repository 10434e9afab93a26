"""`python -m bot` killed with SIGKILL while Slack is posting its message: after a restart
every queued message is delivered, and the one in flight is found in Slack, not repeated."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
from datetime import datetime
from types import SimpleNamespace

import httpx
from sqlmodel import select

from bot.porting.client import TwilioPortingClient
from bot.sandbox import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN
from bot.store.db import Database
from bot.store.models import OutboxItem
from tests.fakes.slack_api import Call, FakeSlack, Reply
from tests.helpers import file_request
from tests.procs import bot_env, free_port, start_bot, stop_bot


async def _file_over_http(url: str) -> str:
    async with httpx.AsyncClient(timeout=30) as http:
        twilio = TwilioPortingClient(
            http,
            numbers_url=f"{url}/sandbox",
            upload_url=f"{url}/sandbox",
            credentials=(SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN),
            account_sid=SANDBOX_ACCOUNT_SID,
        )
        # The sandbox's clock runs fast: a document's date is its "now" (its simulator's
        # routes answer only in local mode).
        document = await http.post(
            f"{url}/sandbox/v1/Documents",
            auth=(SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN),
            data={"document_type": "utility_bill"},
            files={"File": ("bill.pdf", b"%PDF-1.4 bill", "application/pdf")},
        )
        now = datetime.fromisoformat(document.json()["date_created"].replace("Z", "+00:00"))
        sandbox = SimpleNamespace(config=SimpleNamespace(account_sid=SANDBOX_ACCOUNT_SID), now=now)
        numbers = [f"+1212555{i:04d}" for i in range(30)] + ["+14155550155"]
        request = await file_request(twilio, sandbox, numbers)  # type: ignore[arg-type]
    return request.request_sid


def _key(message: dict) -> str | None:
    return ((message.get("metadata") or {}).get("event_payload") or {}).get("key")


async def test_sigkill_mid_post_then_restart_delivers_everything_once(
    fake_slack: FakeSlack, tmp_path, clean_slack_env
) -> None:
    port = free_port()
    database_url = f"sqlite:///{tmp_path}/bot.db"
    env = bot_env(
        fake_slack,
        port,
        DATABASE_URL=database_url,
        PORTING_CHANNEL="CCRASH",
        PORTING_SANDBOX_SPEED="60000",
        PORTING_COALESCE_SECONDS="0.2",
        PORTING_BOARD_SECONDS="0.2",
        SLACK_CHANNEL_WRITE_SECONDS="0.05",
        SLACK_OUTBOX_LEASE_SECONDS="2",
        TWILIO_AUTH_TOKEN=SANDBOX_AUTH_TOKEN,  # the sandbox's, chosen here to file with
    )
    first = await start_bot(env, str(tmp_path))
    killed = asyncio.Event()
    replies = 0

    def post_then_die(call: Call) -> dict | Reply:
        nonlocal replies
        answer = fake_slack._chat_post_message(call)  # Slack has the message...
        if call.args.get("thread_ts"):
            replies += 1
            if replies == 2:
                first.send_signal(signal.SIGKILL)  # ...and the bot dies before the answer
                killed.set()
        return answer

    fake_slack.set_handler("chat.postMessage", post_then_die)
    try:
        await _file_over_http(f"http://127.0.0.1:{port}")
        await asyncio.wait_for(killed.wait(), timeout=60)
        first.wait(timeout=10)
        assert first.returncode == -signal.SIGKILL
    finally:
        if first.poll() is None:
            first.kill()
    fake_slack.set_handler("chat.postMessage", fake_slack._chat_post_message)

    db = Database.from_url(database_url)
    async with db.session() as s:
        before = (await s.exec(select(OutboxItem).where(OutboxItem.status == "pending"))).all()
    assert before, "the bot died with Slack work queued"

    second: subprocess.Popen | None = None
    try:
        second = await start_bot(env, str(tmp_path))
        for _ in range(300):
            async with db.session() as s:
                pending = (
                    await s.exec(select(OutboxItem).where(OutboxItem.status == "pending"))
                ).all()
            if not pending:
                break
            await asyncio.sleep(0.1)
        assert not pending, f"still pending after the restart: {[p.key for p in pending]}"
    finally:
        if second is not None:
            await stop_bot(second)

    async with db.session() as s:
        posts = (
            await s.exec(select(OutboxItem).where(OutboxItem.kind.in_(["root", "reply"])))
        ).all()
    await db.close()
    keys = [_key(m) for m in fake_slack.messages if _key(m)]
    assert len(keys) == len(set(keys)), "nothing was posted twice"
    assert sorted(keys) == sorted(p.key for p in posts), "every queued post reached Slack"
    assert fake_slack.calls_to("conversations.replies"), "the restart looked before reposting"
    assert json.dumps(fake_slack.messages).count("73914") == 0  # no PIN in any message
