"""Go-live and the inventory in Slack (pure builders): a batch's go-live reply in the request's
thread, the channel's alert for numbers named missing, and the alert for a number that left
the account, with its Acknowledge button."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement

from bot.porting.golive import (
    DEPARTURE_ADVICE,
    MISSING_ADVICE,
    Departure,
    GoLiveReport,
    Liveness,
    advice,
)
from bot.slack.ids import Action
from bot.slack.ui.fmt import INLINE_NUMBERS, escape, number_list, plural, slack_date
from bot.slack.ui.rows import Message, line_blocks


def _where(report: GoLiveReport) -> str:
    parts = []
    if report.voice:
        parts.append(f"voice → {escape(report.voice)}")
    if report.messaging:
        parts.append(f"messaging → {escape(report.messaging)}")
    return ", ".join(parts) or "as Twilio delivered them"


def golive_message(report: GoLiveReport) -> Message:
    """The batch's reply: what went live where, each failure with Twilio's code and message
    and what to do, what is not in the account yet, and the A2P 10DLC state."""
    if report.alert:
        return missing_alert(report)
    lines = []
    if report.live:
        lines.append(
            f"✅ {plural(len(report.live), 'number')} live: {_where(report)} "
            f"(profile *{escape(report.profile)}*): {number_list(report.live, INLINE_NUMBERS)}."
        )
    if report.a2p:
        lines.append(f"⚠️ {escape(report.a2p)}.")
    for failure in report.failures[:INLINE_NUMBERS]:
        code = f" {failure.code}" if failure.code else ""
        link = f" (<{failure.link}|Twilio{code}>)" if failure.link else ""
        lines.append(
            f"❌ {number_list([failure.number])}: Twilio{code}: {escape(failure.message)}"
            f"{link}. {advice(failure.code)}"
        )
    if len(report.failures) > INLINE_NUMBERS:
        lines.append(f"…and {len(report.failures) - INLINE_NUMBERS:,} more failures like these.")
    if report.waiting:
        until = slack_date(report.waiting_until, "{date_short_pretty} {time}")
        lines.append(
            f"⏳ {plural(len(report.waiting), 'number')} ported but not in the account yet: "
            f"{number_list(report.waiting, INLINE_NUMBERS)}. Looking again until {until}."
        )
    if report.missing:
        lines.append(
            f"🚨 {plural(len(report.missing), 'number')} missing from the account: "
            f"{number_list(report.missing, INLINE_NUMBERS)}. {MISSING_ADVICE}"
        )
    text = "\n".join(lines)[:3000]
    return Message(text, line_blocks(lines))


def missing_alert(report: GoLiveReport) -> Message:
    lines = [
        f"🚨 *{plural(len(report.missing), 'number')} ported but missing from the account* "
        f"(request `{report.request_sid}`): {number_list(report.missing, INLINE_NUMBERS)}.",
        MISSING_ADVICE,
    ]
    return Message("\n".join(lines), line_blocks(lines))


def departure_message(departure: Departure, *, in_thread: bool, acknowledged: bool) -> Message:
    """The alert for a number that left the account (``in_thread``: its copy in the request's
    thread, without the button)."""
    seen = slack_date(departure.last_seen, "{date_short_pretty} {time}")
    how = "Twilio sent a port-out notice" if departure.source == "port_out" else "not found"
    port = f" It came in with request `{departure.request_sid}`." if departure.request_sid else ""
    lines = [
        f"🚨 *{number_list([departure.phone_number])} has left the account*: ported away or "
        f"released ({how}; last seen {seen}).{port}",
        DEPARTURE_ADVICE,
    ]
    blocks: list[Block] = line_blocks(lines)
    if acknowledged:
        lines.append("✔️ Acknowledged.")
        blocks = line_blocks(lines)
    elif not in_thread:
        button = ButtonElement(
            text="Acknowledge…",
            action_id=Action.ACKNOWLEDGE_DEPARTURE,
            value=departure.phone_number,
        )
        blocks.append(ActionsBlock(elements=[button]))
    return Message("\n".join(lines)[:3000], blocks)


_STATES = {
    "live": "🟢 live",
    "waiting": "⏳ not in the account yet",
    "failed": "❌ go-live failed",
    "missing": "🚨 missing from the account",
}


def liveness_text(live: Liveness) -> str:
    """`` · 🟢 live (standard) · in the account``: a number past its port, for /port-status."""
    parts = []
    if live.state:
        state = _STATES.get(live.state, live.state)
        if live.profile and live.state == "live":
            state += f" ({escape(live.profile)})"
        if live.detail and live.state == "failed":
            state += f": {escape(live.detail[:200])}"
        parts.append(state)
    if live.in_account is True:
        parts.append("in the account")
    elif live.in_account is False:
        parts.append("🔴 not in the account now (ported away or released)")
    return "".join(f" · {p}" for p in parts)


def number_status_text(live: Liveness) -> str:
    """One number past its port, for /port-status +1… and /port-list +1…: in the account now
    or not, its go-live, the request that brought it."""
    name = number_list([live.phone_number])
    if live.in_account is True:
        where = "in the account now"
    elif live.in_account is False:
        where = "🔴 *not in the account now* (ported away or released)"
    else:
        where = "not seen by an inventory sweep yet"
    line = f"📞 {name}: {where}"
    if live.state:
        line += liveness_text(live.model_copy(update={"in_account": None}))
    if live.request_sid:
        line += f" · request `{live.request_sid}`"
    return line


DEPARTURE_ROWS = 8  # shown in the digest and on Home (each has its alert in the channel)


def departure_line(departure: Departure) -> str:
    """``🔴 +1 415-555-0101 left the account Dec 7 (last seen …) · request `KW…` ``."""
    left = slack_date(departure.gone_at, "{date_short_pretty} {time}")
    seen = slack_date(departure.last_seen, "{date_short_pretty} {time}")
    port = f" · request `{departure.request_sid}`" if departure.request_sid else ""
    return (
        f"🔴 {number_list([departure.phone_number])} left the account {left} (last seen "
        f"{seen}){port}"
    )


def departures_lines(departures: Sequence[Departure]) -> list[str]:
    """The digest's and Home's section: numbers that left, until someone acknowledges them."""
    if not departures:
        return []
    lines = [
        f"*Numbers that left the account* ({len(departures):,}: ported away or released; "
        "dispute within 48 hours if nobody asked, or *Acknowledge…* on the alert)"
    ]
    lines += [departure_line(d) for d in departures[:DEPARTURE_ROWS]]
    if len(departures) > DEPARTURE_ROWS:
        lines.append(f"…and {len(departures) - DEPARTURE_ROWS:,} more.")
    return lines
