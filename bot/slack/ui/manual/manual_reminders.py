"""A manual port's reminder replies (pure), from ``bot.desk.manual.schedule``'s reminders:
the fee quote about to be taken as accepted, Twilio's approval overdue, the port date
tomorrow (configure the numbers, keep the carrier account open)."""

from __future__ import annotations

from slack_sdk.models.blocks import Block, MarkdownTextObject, SectionBlock

from bot.desk.manual.schedule import ManualReminder, ManualReminderKind
from bot.slack.ui.fmt import clip, escape, plural, slack_date
from bot.slack.ui.manual.words import moment


def _hello(r: ManualReminder) -> str:
    return f"<@{r.mention}> " if r.mention else ""


def _port(r: ManualReminder) -> str:
    return f"the manual port of {plural(r.number_count, 'number')} from {escape(r.country_name)}"


def _ticket(r: ManualReminder) -> str:
    return f"ticket {escape(r.ticket)}" if r.ticket else "the ticket"


def reminder_lines(r: ManualReminder) -> list[str]:
    if r.kind == ManualReminderKind.QUOTE_DUE:
        when = moment(r.deadline) if r.deadline else "tomorrow"
        return [
            f"⏰ {_hello(r)}Twilio's fee quote ({escape(r.quote or '?')}) for {_port(r)} is "
            f"still unanswered: Twilio takes it as accepted on *{when}*, one business day from "
            "now.",
            f"Accept or refuse it on {_ticket(r)}, then press *Quote accepted* (or *Cancel*) "
            "on the board.",
        ]
    if r.kind == ManualReminderKind.APPROVAL_LATE:
        due = moment(r.deadline) if r.deadline else "by now"
        return [
            f"🧭 {_hello(r)}Twilio approves within 1 business day of the accepted fee quote, "
            f"so {_port(r)} should have been approved by {due}; it is not marked approved.",
            f"Ask for an update on {_ticket(r)}; press *Approved by Twilio* once it is.",
        ]
    day = slack_date(r.port_date) if r.port_date else "tomorrow"
    return [
        f"📅 {_hello(r)}The numbers of {_port(r)} port tomorrow ({day}). Configure them in "
        "Twilio now (voice and messaging), so nothing breaks when they cut over (Step 5).",
        "Keep the account with the current carrier open and active until every number has "
        "ported to Twilio (Step 4).",
    ]


def reminder_message(r: ManualReminder) -> tuple[str, list[Block]]:
    lines = reminder_lines(r)
    return lines[0], [SectionBlock(text=MarkdownTextObject(text=clip("\n".join(lines))))]
