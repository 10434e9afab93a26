"""Rejection playbooks as people read them (pure builders): the full playbook in a
rejection reply, a one-line summary where space is short, and the "How to fix" answer.

The playbooks themselves (cause, who acts, steps, the action that fits) are one table in
``bot.porting.playbooks``; this module only lays them out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from bot.desk.types import RequestSnapshot
from bot.porting.playbooks import Playbook, Remedy, playbook
from bot.porting.statuses import NumberStatus
from bot.slack.ui.fmt import SECTION_TEXT_LIMIT, escape, number_list, number_name, plural
from bot.slack.ui.rows import Message, line_blocks

# A rejection reply lists the full playbook of at most this many reasons; past it, a
# one-line summary each and the "How to fix" button.
FULL_PLAYBOOKS = 3


@dataclass
class RejectionGroup:
    """Rejected numbers that share a reason, and its playbook."""

    playbook: Playbook
    numbers: list[str] = field(default_factory=list)  # E.164, or a name when Twilio gave none

    @property
    def shown(self) -> str:
        return number_list(self.numbers, 10)


class Rejected(Protocol):
    """A rejected number as the builders read it: Twilio's copy (``PortInNumber``) or a
    change set's (``bot.work.ChangedNumber``)."""

    @property
    def phone_number(self) -> str | None: ...
    @property
    def number_sid(self) -> str | None: ...
    @property
    def rejection_reason(self) -> str | None: ...
    @property
    def rejection_reason_code(self) -> str | None: ...


def rejection_groups(numbers: Iterable[Rejected]) -> list[RejectionGroup]:
    """``numbers`` grouped by rejection reason (the first seen first)."""
    groups: dict[tuple[str | None, str | None], RejectionGroup] = {}
    for n in numbers:
        key = (n.rejection_reason_code, n.rejection_reason)
        if key not in groups:
            groups[key] = RejectionGroup(playbook(*key))
        groups[key].numbers.append(n.phone_number or number_name(None, n.number_sid))
    return list(groups.values())


def rejected_groups(snapshot: RequestSnapshot) -> list[RejectionGroup]:
    """The request's numbers that are rejected now, by reason."""
    return rejection_groups(
        n for n in snapshot.request.phone_numbers if n.status == NumberStatus.PORT_REJECTED
    )


def title(p: Playbook) -> str:
    """``INVALID_PIN (22155)``, linked to Twilio's page for the code."""
    return f"<{p.link}|{name(p)}>"


def name(p: Playbook) -> str:
    """The playbook's title: ours for a code we know, else Twilio's words, escaped."""
    return p.title if p.known else escape(p.title)


def next_step(p: Playbook) -> str:
    """``*Who acts:* the customer. *Next:* re-file with corrected details (PIN).``"""
    remedy = p.remedy.label
    if p.remedy == Remedy.REFILE:  # nothing to correct when someone else fixes it first
        remedy = (
            f"{remedy} ({p.field.label})" if p.field else f"re-file once {p.who.label} has fixed it"
        )
    return f"*Who acts:* {p.who.label}. *Next:* {remedy}."


def steps(p: Playbook) -> list[str]:
    """``*Fix:*`` then the numbered steps, one line each."""
    return ["*Fix:*", *(f"{i}. {step}" for i, step in enumerate(p.steps, start=1))]


def playbook_lines(p: Playbook) -> list[str]:
    """Everything the playbook says, after a headline naming the numbers."""
    return [p.cause, next_step(p), *steps(p)]


HOW_TO_FIX_LINE = "🧭 *How to fix* shows each reason's steps."


def rejection_group_lines(g: RejectionGroup, mention: str | None, *, full: bool) -> list[str]:
    """One reason's part of a thread reply: its numbers and its playbook (or a summary)."""
    p = g.playbook
    hello = f"<@{mention}> " if mention else ""
    head = f"❌ {hello}{g.shown} rejected: {title(p)}."
    if full:
        return [f"{head} {p.cause}", next_step(p), *steps(p)]
    return [f"{head} {next_step(p)}"]


def summary_line(g: RejectionGroup) -> str:
    """One line for one reason: ``• INVALID_PIN (22155) · 2 numbers · Who acts: …``."""
    p = g.playbook
    return f"• {title(p)} · {plural(len(g.numbers), 'number')}: {g.shown}. {next_step(p)}"


def playbooks_text(
    groups: Sequence[RejectionGroup], budget: int = SECTION_TEXT_LIMIT
) -> tuple[str, bool]:
    """The playbooks of ``groups`` in one section's text, and whether it is complete: in
    full when they fit ``budget``, else one summary line each and a pointer to *How to
    fix* (``False``: show that button)."""
    full = "\n".join(
        line
        for g in groups
        for line in (f"❌ *{title(g.playbook)}* · {g.shown}", *playbook_lines(g.playbook))
    )
    if len(full) <= budget:
        return full, True
    lines = [summary_line(g) for g in groups]
    lines.append("🧭 *How to fix* shows each reason's steps.")
    text = "\n".join(lines)
    return (text if len(text) <= budget else text[: budget - 1] + "…"), False


def how_to_fix_message(snapshot: RequestSnapshot) -> Message:
    """The answer to *How to fix*: each reason the request's numbers are rejected for now,
    its numbers and its full playbook."""
    sid = snapshot.request.request_sid
    groups = rejected_groups(snapshot)
    if not groups:
        text = f"No number of `{sid}` is rejected right now: nothing to fix."
        return Message(text, line_blocks([text]))
    count = sum(len(g.numbers) for g in groups)
    lines = [f"🧭 How to fix the {plural(count, 'rejected number')} of `{sid}`:"]
    for g in groups:
        lines += ["", f"❌ *{title(g.playbook)}* · {g.shown}", *playbook_lines(g.playbook)]
    return Message("\n".join(lines)[:3000], line_blocks(lines))
