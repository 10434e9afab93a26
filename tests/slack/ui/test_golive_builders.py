"""The go-live and inventory builders (pure): the batch reply with Twilio's codes and what to
do, outside values escaped, Block Kit limits kept; the departure alert and its Acknowledge
button; the digest's section of numbers that left."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from bot.desk.agenda import build_digest
from bot.desk.digest_plan import digest_slot
from bot.porting.golive import Departure, GoLiveReport, LiveFailure
from bot.slack.ids import Action
from bot.slack.ui.digest import digest_message
from bot.slack.ui.golive_messages import departure_message, golive_message
from tests.slack.ui.block_kit import action_ids, message_problems
from tests.slack.ui.test_desk_day_builders import CAL, NOW, POLICY, many

AT = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)


def test_the_batch_reply_names_each_failure_with_twilios_code_and_what_to_do() -> None:
    report = GoLiveReport(
        request_sid="KW" + "1" * 32,
        profile="std<x>",
        voice="https://voice.example/in?a=1&b=<2>",
        messaging="Messaging Service MG" + "a" * 32,
        live=[f"+1212555{i:04d}" for i in range(40)],
        failures=[
            LiveFailure(
                number="+12125550712",
                code=21712,
                message="already in <another> service",
                link="https://www.twilio.com/docs/errors/21712",
            )
        ],
        waiting=["+12125550999"],
        waiting_until=AT,
        missing=["+12125550998"],
        a2p="Messaging Service MG… has no US A2P 10DLC campaign: texts … blocked",
    )
    message = golive_message(report)
    assert message_problems(message.text, message.blocks) == []
    text = message.text
    assert text.startswith(
        "✅ 40 numbers live: voice → https://voice.example/in?a=1&amp;b=&lt;2&gt;"
    )
    assert "(profile *std&lt;x&gt;*)" in text and "and 20 more" in text
    assert "❌ +1 212-555-0712: Twilio 21712: already in &lt;another&gt; service" in text
    assert "remove it there" in text and "<https://www.twilio.com/docs/errors/21712|" in text
    assert "⏳ 1 number ported but not in the account yet" in text
    assert "🚨 1 number missing from the account" in text
    assert "⚠️ Messaging Service MG… has no US A2P 10DLC campaign" in text

    alert = golive_message(report.model_copy(update={"alert": True}))
    assert alert.text.startswith("🚨 *1 number ported but missing from the account*")


def test_the_departure_alert_and_its_button() -> None:
    gone = Departure(
        phone_number="+14155550101", last_seen=AT, gone_at=AT, request_sid="KW" + "2" * 32
    )
    alert = departure_message(gone, in_thread=False, acknowledged=False)
    assert message_problems(alert.text, alert.blocks) == []
    assert action_ids(alert.blocks) == [Action.ACKNOWLEDGE_DEPARTURE]
    assert "ported away or released" in alert.text and "within 48 hours" in alert.text
    reply = departure_message(gone, in_thread=True, acknowledged=False)
    assert action_ids(reply.blocks) == []


def test_the_digest_lists_numbers_that_left() -> None:
    slot = digest_slot("C1", date(2026, 12, 4), POLICY, CAL)
    assert slot is not None
    digest = build_digest(slot, many(3), [], POLICY, CAL, NOW)
    assert digest is not None
    gone = Departure(phone_number="+14155550101", last_seen=AT, gone_at=AT)
    message = digest_message(replace(digest, departures=(gone,)))
    assert message_problems(message.text, message.blocks) == []
    body = str([b.to_dict() for b in message.blocks])
    assert "Numbers that left the account* (1" in body and "+1 415-555-0101 left" in body
    assert message.text.endswith(", 1 number left.")
    assert "left the account" not in str([b.to_dict() for b in digest_message(digest).blocks])
