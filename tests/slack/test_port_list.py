"""/port-list through the real Bolt app: signed commands in, the ephemeral answer (and the CSV
in the DM) that the fake Slack received out. Requests reach the store the two ways they do in
life: filed in the sandbox and adopted by the bot, or (for counts and ages) as stored rows."""

from __future__ import annotations

import csv
import io
import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.porting.statuses import RequestStatus
from bot.sandbox import SandboxConfig
from bot.store.models import RequestState, RequestThread
from tests.conftest import PORTING_CHANNEL, SANDBOX_START, Bot
from tests.desk_rows import DESK, EVERY, OPEN, OTHER, VIEWER, Row, seed
from tests.fakes.slack_requests import slash_command
from tests.helpers import file_request

OK = "+14155550101"
OK_TOO = "+14155550102"
REJECTED_PIN = "+14155550155"  # the carrier rejects it with 22155 INVALID_PIN
_names = itertools.count(1)


async def ask(bot: Bot, text: str = "", *, user_id: str = VIEWER) -> dict[str, Any]:
    """Send ``/port-list text`` and return the one answer at its response_url."""
    name = f"list-{next(_names)}"
    response = await bot.send(
        slash_command(
            "/port-list", text, user_id=user_id, response_url=bot.slack.response_url(name)
        )
    )
    assert response.status_code == 200
    assert not response.content, "the ack is empty; the answer follows at the response_url"
    await bot.settle()
    (post,) = bot.slack.responses_to(name)
    body: dict[str, Any] = post.body
    assert body["response_type"] == "ephemeral"
    assert body["text"], "every answer has fallback text"
    return body


def shown(body: dict[str, Any]) -> str:
    return f"{body['text']}\n{body.get('blocks')}"


# -- requests filed in the sandbox, adopted by the bot ------------------------------------


@pytest.fixture
def sandbox_config() -> SandboxConfig:
    # The representative signs when the test says so: a request can wait for signature.
    return SandboxConfig(start_time=SANDBOX_START, seed=7, auto_sign_loa=False)


async def _state(bot: Bot, sid: str) -> RequestState:
    async with bot.runtime.db.session() as s:
        state = await s.get(RequestState, sid)
    assert state is not None
    return state


def _utc(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=value.tzinfo or UTC) if value else None


async def test_adopted_requests_are_listed_most_urgent_first_with_links_and_freshness(
    bot: Bot,
) -> None:
    waiting = await file_request(bot.runtime.twilio, bot.sandbox, [OK])
    rejected = await file_request(bot.runtime.twilio, bot.sandbox, [OK_TOO, REJECTED_PIN])
    await bot.sandbox.advance(timedelta(hours=12))  # Twilio's review done → LOA sent
    await bot.settle()
    await bot.sandbox.sign_loa(rejected.request_sid)
    sim = bot.sandbox.request(rejected.request_sid)
    while sim.status != RequestStatus.ACTION_REQUIRED:
        due = bot.sandbox.state.next_due()
        assert due is not None, "the carrier never answered"
        await bot.sandbox.advance_to(due)
    await bot.settle()

    body = await ask(bot)
    text = shown(body)
    assert "2 requests" in text and "open requests" in text and "most urgent first" in text
    # The rejected request needs someone: it comes first.
    assert text.index("Action Required") < text.index("Waiting for Signature")
    assert "Acme Plumbing LLC" in text and "1 number" in text and "2 numbers" in text
    assert "sign LOA by" in text  # the next deadline
    assert "adopted (no filer)" in text
    # Thread links from auth.test's url, without a chat.getPermalink per row.
    threads = {}
    async with bot.runtime.db.session() as s:
        for sid in (waiting.request_sid, rejected.request_sid):
            thread = await s.get(RequestThread, sid)
            assert thread is not None and thread.channel_id == PORTING_CHANNEL
            threads[sid] = thread
    for thread in threads.values():
        ts = thread.thread_ts.replace(".", "")
        assert f"https://fake.slack/archives/{PORTING_CHANNEL}/p{ts}" in text
    assert "From the bot's store, read from Twilio just now" in text
    assert "every 5 minutes" in text  # PORTING_RECONCILE_SECONDS' default

    # Which request holds a number, written another way.
    found = shown(await ask(bot, "(415) 555.0155"))
    assert "1 request" in found and "holds +14155550155" in found
    assert "Waiting for Signature" not in found

    # The workspace's URL was asked once (auth.test), however many lists follow.
    asked = len(bot.slack.calls_to("auth.test"))
    await ask(bot, "all")
    await ask(bot, "mine")
    assert len(bot.slack.calls_to("auth.test")) == asked
    assert not bot.slack.calls_to("chat.getPermalink")


async def test_the_sync_records_twilios_timestamps_and_each_read(bot: Bot) -> None:
    request = await file_request(bot.runtime.twilio, bot.sandbox, [OK])
    sim = bot.sandbox.request(request.request_sid)
    await bot.sandbox.advance(timedelta(hours=12))
    await bot.settle()
    first = await _state(bot, request.request_sid)
    assert first.status == "waiting_for_signature"
    assert _utc(first.created_at) == sim.date_created
    loa_sent = _utc(first.status_changed_at)
    assert loa_sent is not None and sim.date_created < loa_sent <= bot.sandbox.now
    assert first.synced_at is not None

    # A read that changes nothing moves synced_at only.
    await bot.poll_now()
    await bot.settle()
    again = await _state(bot, request.request_sid)
    assert _utc(again.status_changed_at) == loa_sent
    assert _utc(again.synced_at) > _utc(first.synced_at)  # type: ignore[operator]

    # The status moves: so does status_changed_at, to Twilio's moment of the move.
    await bot.sandbox.advance(timedelta(hours=3))
    await bot.sandbox.sign_loa(request.request_sid)
    await bot.settle()
    moved = await _state(bot, request.request_sid)
    assert moved.status == "in_progress"
    assert _utc(moved.status_changed_at) == bot.sandbox.now
    assert _utc(moved.created_at) == sim.date_created


# -- stored rows: every filter -----------------------------------------------------------


def listed(body: dict[str, Any]) -> set[str]:
    text = shown(body)
    return {name for name in EVERY if name in text}


@pytest.fixture
async def desk(bot: Bot) -> Bot:
    await seed(bot, *DESK)
    return bot


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("action", {"Acme", "Iris"}),
        ("signature", {"Bolt"}),
        ("progress", {"Cogs"}),
        ("review", {"Dyna"}),
        ("completed", {"Echo"}),
        ("canceled", {"Flux", "Gale", "Halo"}),
        ("all", EVERY),
        ("", OPEN),
    ],
)
async def test_each_status_word(desk: Bot, word: str, expected: set[str]) -> None:
    assert listed(await ask(desk, word)) == expected


async def test_mine_a_mention_since_and_a_number(desk: Bot) -> None:
    mine = await ask(desk, "mine")
    assert listed(mine) == {"Acme", "Cogs", "Halo"}  # open ones
    assert "filed by <@U123>" in shown(mine)
    theirs = await ask(desk, "<@U777|lee>")
    assert listed(theirs) == {"Bolt", "Iris"}
    assert "filed by <@U777>" in shown(theirs)
    recent = await ask(desk, "since 30d")
    assert listed(recent) == {"Acme", "Bolt", "Dyna", "Halo"}
    assert "since 30d" in shown(recent)
    holder = await ask(desk, "+1 415-555-0162")
    assert listed(holder) == {"Acme"}
    assert "holds +14155550162" in shown(holder)


async def test_filters_combine(desk: Bot) -> None:
    assert listed(await ask(desk, "action mine")) == {"Acme"}
    assert listed(await ask(desk, "all mine since 30d")) == {"Acme", "Echo", "Halo"}
    assert listed(await ask(desk, "canceled <@U777> since 2w")) == {"Flux"}
    assert listed(await ask(desk, "action signature since 30d")) == {"Acme", "Bolt"}
    assert listed(await ask(desk, "all <@U777> 415 555 0162")) == set()
    # Someone else's "mine" is theirs.
    assert listed(await ask(desk, "mine", user_id=OTHER)) == {"Bolt", "Iris"}


async def test_the_freshness_line_names_the_stalest_read(desk: Bot) -> None:
    text = shown(await ask(desk))
    assert "From the bot's store, read from Twilio 9 min ago or more recently" in text


@pytest.mark.parametrize(
    ("text", "token"),
    [
        ("mine pending", "“pending”"),
        ("since yesterday", "“since yesterday”"),
        ("@lee", "“@lee”"),
        ("415-555-01", "“415-555-01”"),
    ],
)
async def test_an_unreadable_filter_is_named_with_the_accepted_words(
    bot: Bot, text: str, token: str
) -> None:
    body = await ask(bot, text)
    said = shown(body)
    assert token in body["text"] and "as a filter" in said
    for word in ("action", "signature", "progress", "review", "completed", "canceled", "all"):
        assert f"`{word}`" in said
    assert "`mine`" in said and "since 30d" in said


async def test_nothing_matches_says_so(bot: Bot) -> None:
    empty = shown(await ask(bot))
    assert "No open requests found." in empty
    assert "From the bot's store" in empty  # how fresh, even for nothing
    await seed(bot, Row("Acme", "in_review", VIEWER))
    text = shown(await ask(bot, "completed mine"))
    assert "No requests found: Completed · filed by <@U123>." in text
    assert not bot.slack.calls_to("files.getUploadURLExternal")


async def test_past_twenty_rows_the_csv_goes_to_the_dm_and_the_answer_says_so(bot: Bot) -> None:
    rows = [Row(f"Customer {i:02d}", "in_review", VIEWER, days_ago=i / 10) for i in range(25)]
    sids = await seed(bot, *rows)
    body = await ask(bot)
    text = shown(body)
    assert "25 requests" in text
    assert "…and 5 more: every row is in the CSV I am sending to your DM with me." in text
    assert text.count("https://fake.slack/archives/") == 20  # 20 rows inline
    (opened,) = bot.slack.calls_to("conversations.open")
    assert opened.args["users"] == VIEWER
    (upload,) = bot.slack.uploaded_files
    assert upload.channel_id == "D" + VIEWER
    assert upload.filename.startswith("port-list-") and upload.filename.endswith(".csv")
    assert "All 25 open requests" in (upload.initial_comment or "")
    table = list(csv.reader(io.StringIO(upload.content.decode())))
    assert table[0][:3] == ["request_sid", "status", "customer"]
    assert {r[0] for r in table[1:]} == set(sids.values())
    assert all(r[8].startswith("https://fake.slack/archives/") for r in table[1:])


async def test_past_twenty_rows_without_a_dm_the_answer_says_why(bot: Bot) -> None:
    from tests.fakes.slack_api import slack_error

    await seed(bot, *(Row(f"Customer {i:02d}", "in_review") for i in range(21)))
    bot.slack.script("conversations.open", slack_error("cannot_dm_bot"))
    text = shown(await ask(bot))
    assert "21 requests" in text and "1 more" in text
    assert "could not open a DM with you for their CSV (cannot_dm_bot)" in text
    assert not bot.slack.uploaded_files


async def test_without_the_workspace_url_rows_name_their_request_and_the_next_list_links(
    bot: Bot,
) -> None:
    from tests.fakes.slack_api import BOT_ID, BOT_USER_ID, TEAM_ID, slack_error

    sids = await seed(bot, Row("Acme", "in_review"))
    bolt_auth = {"ok": True, "team_id": TEAM_ID, "user_id": BOT_USER_ID, "bot_id": BOT_ID}
    bot.slack.script("auth.test", bolt_auth, slack_error("ratelimited"))  # Bolt's, then ours
    first = shown(await ask(bot))
    assert "Acme" in first and f"/port-status {sids['Acme']}" in first
    assert "https://fake.slack/archives/" not in first
    assert "https://fake.slack/archives/" in shown(await ask(bot))
