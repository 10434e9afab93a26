"""A request's thread replies (pure builders): one message per batch of changes, numbers
with the same outcome on one line, and the CSV that follows a reply too long to list them.

They are drawn from the change set as the outbox stores it (``bot.work.ChangeSet``: the
desk makes it once, ``bot.desk.changes.change_set``), its statuses in Twilio's words read here
through ``bot.porting.statuses``."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    MarkdownTextObject,
    SectionBlock,
)

from bot.desk.facts import loa_sent_at
from bot.porting.statuses import (
    NumberStatus,
    RequestStatus,
    number_label,
    number_status,
    request_label,
    request_status,
    stored_status,
)
from bot.slack.carried import NUMBERS_PER_BUTTON, NumbersValue
from bot.slack.ids import Action
from bot.slack.ui.board import how_to_fix_button
from bot.slack.ui.deadlines import signature_button, signer_name, waiting_for_signature_lines
from bot.slack.ui.fmt import (
    INLINE_NUMBERS,
    MESSAGE_BLOCK_LIMIT,
    clip,
    escape,
    number_list,
    number_name,
    plural,
    slack_date,
    user,
)
from bot.slack.ui.playbooks import (
    FULL_PLAYBOOKS,
    HOW_TO_FIX_LINE,
    rejection_group_lines,
    rejection_groups,
)
from bot.work import ChangedNumber, ChangeSet


def _status_changed(change: ChangeSet) -> bool:
    """The request's status moved (what was stored before differs from what it is now)."""
    if not change.old_status:
        return False
    return change.old_status != stored_status(request_status(change.status), change.status)


def _request_lines(change: ChangeSet) -> list[str]:
    """What the request's own move says: who the LOA went to and by when it must be signed,
    when it reaches Waiting for Signature and the moment is known."""
    status = request_status(change.status)
    # A change set keeps no date_created: only the known moment says when the LOA went out.
    if _status_changed(change) and (sent := loa_sent_at(status, change.status_since, None)):
        signer = signer_name(change.signer, change.signer_email)
        return waiting_for_signature_lines(signer, sent, change.filed_by)
    line = _request_line(change)
    return [line] if line else []


def _request_line(change: ChangeSet) -> str | None:
    status = request_status(change.status)
    if not _status_changed(change):
        return None
    canceler = change.canceled_by.get("request")
    if canceler and status == RequestStatus.CANCELING:
        return f"⏳ {user(canceler)} is canceling the request."
    if canceler and status == RequestStatus.CANCELED:
        return f"🚫 {user(canceler)} canceled the request."
    filed_by = change.filed_by
    mention = f"<@{filed_by}> " if filed_by else ""  # loud only when a human is needed
    came_from = request_status(change.old_status)
    if status == RequestStatus.IN_PROGRESS and came_from == RequestStatus.ACTION_REQUIRED:
        # Not the LOA again: the rejections were answered (canceled or re-filed).
        return "▶️ No rejection left to answer: the request is back with the losing carrier."
    return {
        RequestStatus.WAITING_FOR_SIGNATURE: "✍️ LOA sent to the authorized representative for "
        "signature. It expires if not signed in 30 days.",
        RequestStatus.IN_PROGRESS: "📨 LOA signed: the request is with the losing carrier.",
        RequestStatus.ACTION_REQUIRED: f"⚠️ {mention}Action required: the losing carrier "
        "rejected numbers. See the fixes below.",
        RequestStatus.COMPLETED: "🏁 Port-in completed: every number is ported or canceled.",
        RequestStatus.CANCELING: "⏳ The request is being canceled.",
        RequestStatus.CANCELED: "🚫 The request is canceled.",
        RequestStatus.EXPIRED: f"⌛ {mention}The LOA was not signed in time and the "
        "request expired. File it again to retry.",
    }.get(status, f"❔ Twilio now says the request is *{escape(request_label(change.status))}*.")


@dataclass(frozen=True)
class _Line:
    text: str
    rejected: Sequence[ChangedNumber] = ()  # a rejection's numbers: its buttons follow it
    opens: bool = False  # a rejection's first line: its section starts here


def change_lines(change: ChangeSet) -> list[str]:
    """One line per kind of change; numbers with the same outcome share a line."""
    return [line.text for line in _lines(change)]


def _lines(change: ChangeSet) -> list[_Line]:
    lines = [_Line(text) for text in _request_lines(change)]
    by_status: dict[NumberStatus, list[ChangedNumber]] = defaultdict(list)
    for n in change.numbers:
        by_status[number_status(n.status)].append(n)

    def numbers(items: Sequence[ChangedNumber]) -> str:
        return number_list([n.phone_number or number_name(None, n.number_sid) for n in items])

    if items := by_status.get(NumberStatus.WAITING_FOR_SIGNATURE):
        lines.append(_Line(f"✍️ {plural(len(items), 'number')} on the LOA waiting for signature."))
    if items := by_status.get(NumberStatus.PORT_SUBMITTED):
        lines.append(_Line(f"📨 Submitted to the losing carrier: {numbers(items)}."))
    if items := by_status.get(NumberStatus.PORT_PENDING):
        by_date: dict[date | None, list[ChangedNumber]] = defaultdict(list)
        for n in items:
            by_date[n.port_date.date() if n.port_date else None].append(n)
        for day, group in sorted(by_date.items(), key=lambda kv: kv[0] or date.max):
            lines.append(
                _Line(
                    f"📅 {plural(len(group), 'number', verb='is')} Port Pending — port date "
                    f"{slack_date(day)}: {numbers(group)}"
                )
            )
    if items := by_status.get(NumberStatus.PORT_REJECTED):
        lines += _rejection_lines(items, change.filed_by)
    if items := by_status.get(NumberStatus.UNKNOWN):
        by_label: dict[str, list[ChangedNumber]] = defaultdict(list)
        for n in items:
            by_label[number_label(n.status)].append(n)
        for said, group in sorted(by_label.items()):
            lines.append(_Line(f"❔ Twilio now says *{escape(said)}* for {numbers(group)}."))
    if items := by_status.get(NumberStatus.COMPLETED):
        lines.append(
            _Line(
                f"✅ {plural(len(items), 'number')} ported to Twilio: {numbers(items)}. "
                "Configure their voice and messaging settings before traffic moves."
            )
        )
    for status, verb, unattributed in (
        (NumberStatus.CANCELING, "⏳ {} is canceling", "⏳ Canceling:"),
        (NumberStatus.CANCELED, "🚫 {} canceled", "🚫 Canceled:"),
    ):
        # Who canceled a number, unless the request line already said who canceled it all.
        by_user: dict[str | None, list[ChangedNumber]] = defaultdict(list)
        for n in by_status.get(status, []):
            by_user[change.canceled_by.get(n.number_sid or "")].append(n)
        for who, group in sorted(by_user.items(), key=lambda kv: kv[0] or ""):
            head = verb.format(user(who)) if who else unattributed
            lines.append(_Line(f"{head} {numbers(group)}."))
    return lines


def rejection_buttons(request_sid: str, group: Sequence[ChangedNumber], index: int) -> Block | None:
    """Under a rejection: *Re-file…* (the /port-in form, prefilled, with these numbers) and
    *Cancel number* (the cancel confirmation for them), for the porting admins."""
    named = [n.phone_number for n in group if n.phone_number]
    if not named:
        return None
    code = group[0].rejection_reason_code
    value = NumbersValue.of(request_sid, named, code).dump()
    one = len(named) == 1
    cancel = (
        ButtonElement(
            text="Cancel number" if one else f"Cancel {len(named):,} numbers",
            action_id=Action.CANCEL_REJECTED,
            value=value,
        )
        if len(named) <= NUMBERS_PER_BUTTON
        else ButtonElement(  # too many for one confirmation: choose them
            text="Cancel numbers…", action_id=Action.CANCEL_NUMBERS, value=request_sid
        )
    )
    refile = ButtonElement(
        text="Re-file…" if one else f"Re-file {len(named):,} numbers…",
        action_id=Action.REFILE,
        value=value,
        style="primary",
    )
    return ActionsBlock(block_id=f"rejected_{index}", elements=[refile, cancel])


def needs_csv(change: ChangeSet) -> bool:
    """Too many numbers to list inline: the reply summarises and a CSV follows it."""
    return len(change.numbers) > INLINE_NUMBERS


def update_message(change: ChangeSet) -> tuple[str, list[Block]]:
    """A thread reply for a batch of changes: (fallback text, blocks); each rejection's
    buttons right under it."""
    lines = _lines(change)
    if lines and needs_csv(change):
        lines.append(_Line(f"📎 All {len(change.numbers):,} numbers are in the CSV below."))
    text = "\n".join(line.text for line in lines)
    blocks: list[Block] = []
    chunk = ""

    def flush() -> None:
        nonlocal chunk
        if chunk:
            blocks.append(SectionBlock(text=MarkdownTextObject(text=chunk)))
        chunk = ""

    for line in lines:
        if line.opens or len(chunk) + len(line.text) + 1 > 2900:
            flush()
        chunk = f"{chunk}\n{line.text}" if chunk else clip(line.text, 2900)
        if line.rejected:
            flush()
            buttons = rejection_buttons(change.request_sid, line.rejected, len(blocks))
            if buttons is not None:
                blocks.append(buttons)
    flush()
    extra: list[Block] = []
    if _summarised_rejections(change):  # the steps are one click away
        extra.append(ActionsBlock(elements=[how_to_fix_button(change.request_sid)]))
    if text and _offers_signing(change):
        extra.append(ActionsBlock(elements=[signature_button(change.request_sid)]))
    blocks = [*blocks[: MESSAGE_BLOCK_LIMIT - len(extra)], *extra]
    return clip(text, 3900), blocks


def _rejection_lines(rejected: Sequence[ChangedNumber], filed_by: str | None) -> list[_Line]:
    """Per rejection reason: its playbook (in full for a few reasons, else a line each), the
    last line carrying the reason's numbers so its Re-file… and Cancel number follow it."""
    groups = rejection_groups(rejected)
    members: dict[tuple[str | None, str | None], list[ChangedNumber]] = defaultdict(list)
    for n in rejected:
        members[(n.rejection_reason_code, n.rejection_reason)].append(n)
    full = len(groups) <= FULL_PLAYBOOKS
    out: list[_Line] = []
    for group, numbers in zip(groups, members.values(), strict=True):
        said = rejection_group_lines(group, filed_by, full=full)
        out += [_Line(text, opens=i == 0) for i, text in enumerate(said[:-1])]
        out.append(_Line(said[-1], numbers, opens=len(said) == 1))
    if not full:
        out.append(_Line(HOW_TO_FIX_LINE))
    return out


def _summarised_rejections(change: ChangeSet) -> bool:
    rejected = [n for n in change.numbers if number_status(n.status) == NumberStatus.PORT_REJECTED]
    return len(rejection_groups(rejected)) > FULL_PLAYBOOKS


def _offers_signing(change: ChangeSet) -> bool:
    """The reply that says the LOA went out offers its filer the signing link."""
    return (
        bool(change.filed_by)
        and _status_changed(change)
        and request_status(change.status) == RequestStatus.WAITING_FOR_SIGNATURE
    )


def refiled_text(user_id: str, numbers: Sequence[str], new_sid: str, link: str | None) -> str:
    """In the old request's thread, once the re-filing is at Twilio."""
    where = f" (<{link}|thread>)" if link else ""
    return f"↪️ {user(user_id)} re-filed {number_list(numbers)} as `{new_sid}`{where}."


def changes_csv(change: ChangeSet) -> str:
    """The numbers of one change set, one row each (E.164, as spreadsheets and Twilio want)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "phone_number",
            "status",
            "previous_status",
            "port_date",
            "rejection_reason",
            "rejection_code",
        ]
    )
    for n in sorted(change.numbers, key=lambda n: n.phone_number or ""):
        writer.writerow(
            [
                n.phone_number or "",
                number_label(n.status),
                number_label(n.old) if n.old else "",
                n.port_date.date().isoformat() if n.port_date else "",
                n.rejection_reason or "",
                n.rejection_reason_code or "",
            ]
        )
    return out.getvalue()
