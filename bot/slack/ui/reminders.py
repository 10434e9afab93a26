"""Reminder replies in a request's thread (LOA deadline, port tomorrow / today, an Action
Required left unanswered, a stale request) and the post-port checklist.

Texts follow Twilio (seeds 000 and 001, porting-operations.md): an unsigned LOA cancels the
request 30 days after it went out; keep the old service until the port completes; messaging
and voice compliance requirements must be met before the numbers are used; SMS can lag voice
by up to a couple of hours.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from slack_sdk.models.blocks import ActionsBlock, Block

from bot.desk.facts import NumberFacts, PortDay
from bot.desk.schedule import Reminder, ReminderKind
from bot.porting.playbooks import playbook
from bot.porting.statuses import RequestStatus
from bot.slack.ui.board import how_to_fix_button
from bot.slack.ui.deadlines import signature_button
from bot.slack.ui.fmt import INLINE_NUMBERS, escape, number_list, plural, slack_date
from bot.slack.ui.playbooks import next_step, title
from bot.slack.ui.rows import Message, line_blocks

COMPLIANCE_URL = "https://help.twilio.com/articles/1260800720410"  # seed 001's link
SUPPORT = "porting@twilio.com"


def _hello(mention: str | None) -> str:
    return f"<@{mention}> " if mention else ""


def _numbers(port: PortDay) -> str:
    return number_list(list(port.numbers), INLINE_NUMBERS)


def loa_lines(r: Reminder, signer: str | None) -> list[str]:
    assert r.deadline is not None
    by = slack_date(r.deadline, "{date_long_pretty} at {time}")
    days = plural(r.days_left or 0, "day")
    to = f" It went to *{escape(signer)}*." if signer else ""
    head = (
        f"✍️ {_hello(r.mention)}The LOA is still unsigned: Twilio cancels this request if it "
        f"is not signed by {by} ({days} left).{to}"
    )
    if r.mention is None:  # filed elsewhere: nobody here can get the link
        return [head, "Ask the signer to look for Twilio's e-mail: the signing link is in it."]
    return [
        head,
        "Ask the signer to look for Twilio's e-mail, or forward them the signing link "
        "(*Signing link* shows it to the person who filed the request, privately).",
    ]


def port_tomorrow_lines(r: Reminder) -> list[str]:
    lines = []
    for port in r.ports:
        day = slack_date(port.day, "{date_short}")
        when = f"tomorrow ({day})" if (port.day - r.due_day).days == 1 else f"on {day}"
        lines.append(
            f"📅 {_hello(r.mention)}{plural(len(port.numbers), 'number', verb='ports')} "
            f"{when}: {_numbers(port)}."
        )
    lines.append(
        "Keep the old service active until the port completes (cancelling it early can "
        "disconnect the numbers). Set up voice and messaging on these numbers now, so calls "
        "and messages work the moment they land."
    )
    return lines


def port_today_lines(r: Reminder) -> list[str]:
    port = r.ports[0]
    return [
        f"🚚 {_hello(r.mention)}Port day: "
        f"{plural(len(port.numbers), 'number', verb='ports')} today "
        f"({_numbers(port)}). Keep the old service until each shows Completed here; SMS can "
        "lag voice by up to a couple of hours."
    ]


def action_required_lines(r: Reminder) -> list[str]:
    since = slack_date(r.since) if r.since else "a while"
    by_code: dict[tuple[str | None, str | None], list[NumberFacts]] = defaultdict(list)
    for n in r.rejections:
        by_code[(n.rejection_code, n.rejection_reason)].append(n)
    lines = [
        f"⚠️ {_hello(r.mention)}This request has waited for an answer since {since}: "
        f"{plural(len(r.rejections), 'rejection')} still open. Fixes:"
    ]
    for (code, reason), group in by_code.items():
        p = playbook(code, reason)
        numbers = number_list([n.phone_number for n in group], 10)
        fix = " ".join(f"{i}) {step}" for i, step in enumerate(p.steps, start=1))
        lines.append(f"• {numbers}: {title(p)}: {p.cause} {next_step(p)} Fix: {fix}")
    lines.append(
        "Each rejected number can be canceled (*Cancel numbers…* on the board) and filed "
        "again with the fix; the others keep going."
    )
    return lines


# What a stale request waits on, and what to ask Twilio.
_WAITING = {
    RequestStatus.IN_REVIEW: (
        "Twilio's review of the request (usually hours, up to a business day)",
        "what the review still needs",
    ),
    RequestStatus.WAITING_FOR_SIGNATURE: (
        "the authorized representative signing the LOA",
        "nothing yet; remind the signer instead (Twilio cancels unsigned requests after 30 days)",
    ),
    RequestStatus.IN_PROGRESS: (
        "the losing carrier accepting the port and confirming a port date (usually 4–7 "
        "business days after submission)",
        "whether the losing carrier has answered, and when a port date is expected",
    ),
    RequestStatus.ACTION_REQUIRED: (
        "someone answering the rejections (cancel and re-file the rejected numbers, or cancel "
        "the request)",
        "the carrier's exact wording, if a rejection is unclear",
    ),
    RequestStatus.CANCELING: (
        "the cancellation finishing at the losing carrier",
        "whether the losing carrier or another partner must be contacted",
    ),
}


def stale_lines(r: Reminder, status_label: str, ticket: int | None = None) -> list[str]:
    status_label = escape(status_label)  # Twilio's words for a status the bot does not know
    waiting, ask = _WAITING.get(
        r.status,
        (f"Twilio's status {status_label}", "what the status means and what it needs"),
    )
    since = slack_date(r.since) if r.since else "a while"
    where = f"on ticket #{ticket} or at {SUPPORT}" if ticket else f"at {SUPPORT}"
    return [
        f"⏳ {_hello(r.mention)}No movement since {since} (*{status_label}*). It is waiting "
        f"on {waiting}.",
        f"What to ask Twilio ({where}, with the request SID `{r.request_sid}`): {ask}.",
    ]


def reminder_message(
    reminder: Reminder,
    *,
    status_label: str | None = None,
    signer: str | None = None,
    ticket: int | None = None,
) -> Message:
    """The thread reply for ``reminder`` (as :func:`bot.desk.schedule.decide` returned it).
    ``signer``: the authorized representative's name; ``ticket``: Twilio's support ticket."""
    label = status_label or reminder.status.label
    extra: list[Block] = []
    if reminder.kind == ReminderKind.LOA:
        lines = loa_lines(reminder, signer)
        if reminder.mention is not None:  # only its filer can get the link
            extra.append(ActionsBlock(elements=[signature_button(reminder.request_sid)]))
    elif reminder.kind == ReminderKind.PORT_TOMORROW:
        lines = port_tomorrow_lines(reminder)
    elif reminder.kind == ReminderKind.PORT_TODAY:
        lines = port_today_lines(reminder)
    elif reminder.kind == ReminderKind.ACTION_REQUIRED:
        lines = action_required_lines(reminder)
        extra.append(ActionsBlock(elements=[how_to_fix_button(reminder.request_sid)]))
    else:
        lines = stale_lines(reminder, label, ticket)
    blocks = [*line_blocks(lines, budget=45), *extra]
    return Message("\n".join(lines)[:3000], blocks)


def checklist_message(
    ported: Sequence[str], canceled: int = 0, mention: str | None = None
) -> Message:
    """The one post-port checklist reply, when a request is Completed (``ported``: the
    numbers that ported, E.164; ``canceled``: how many were canceled instead)."""
    head = f"🏁 {_hello(mention)}{plural(len(ported), 'number')} ported to Twilio"
    if canceled:
        head += f" ({plural(canceled, 'number')} canceled and did not port)"
    lines = [
        f"{head}: {number_list(list(ported), INLINE_NUMBERS)}." if ported else f"{head}.",
        "*Before you use them:*",
        "1. Configure voice and messaging on each number (its voice URL or TwiML app, and "
        "its Messaging Service).",
        f"2. Meet the messaging and voice compliance requirements before using the numbers "
        f"for Twilio services: <{COMPLIANCE_URL}|Twilio's requirements> (for US messaging, "
        "A2P 10DLC registration; for voice, emergency addresses).",
        "3. Test a call now, and a text in a couple of hours: SMS can lag voice by up to a "
        "couple of hours after the port.",
        "4. Keep the old carrier account until every number has ported (other requests "
        "included); close it only then.",
    ]
    return Message("\n".join(lines)[:3000], line_blocks(lines))
