"""A request's thread replies (pure builders): one message per batch of changes, numbers
with the same outcome on one line, and the CSV that follows a reply too long to list them."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    MarkdownTextObject,
    SectionBlock,
)

from bot.desk.facts import loa_sent_at
from bot.desk.types import RequestSnapshot, RequestUpdate
from bot.porting.models import PortInNumber
from bot.porting.statuses import NumberStatus, RequestStatus
from bot.slack.carried import NUMBERS_PER_BUTTON, NumbersValue
from bot.slack.ids import Action
from bot.slack.ui.board import how_to_fix_button
from bot.slack.ui.deadlines import signature_button, signer_of, waiting_for_signature_lines
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


def _request_lines(
    update: RequestUpdate, filed_by: str | None, status_since: datetime | None
) -> list[str]:
    """What the request's own move says: who the LOA went to and by when it must be signed,
    when it reaches Waiting for Signature and the moment is known."""
    r = update.request
    if update.status_changed and (sent := loa_sent_at(r.status, status_since, r.date_created)):
        return waiting_for_signature_lines(signer_of(r), sent, filed_by)
    line = _request_line(update, filed_by)
    return [line] if line else []


def _request_line(update: RequestUpdate, filed_by: str | None) -> str | None:
    status = update.request.status
    if not update.status_changed:
        return None
    canceler = update.canceled_by.get("request")
    if canceler and status == RequestStatus.CANCELING:
        return f"⏳ {user(canceler)} is canceling the request."
    if canceler and status == RequestStatus.CANCELED:
        return f"🚫 {user(canceler)} canceled the request."
    mention = f"<@{filed_by}> " if filed_by else ""  # loud only when a human is needed
    if status == RequestStatus.IN_PROGRESS and update.old_status == RequestStatus.ACTION_REQUIRED:
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
    }.get(status, f"❔ Twilio now says the request is *{escape(update.request.status_label)}*.")


@dataclass(frozen=True)
class _Line:
    text: str
    rejected: Sequence[PortInNumber] = ()  # a rejection's numbers: its buttons follow it
    opens: bool = False  # a rejection's first line: its section starts here


def change_lines(
    update: RequestUpdate, filed_by: str | None, status_since: datetime | None = None
) -> list[str]:
    """One line per kind of change; numbers with the same outcome share a line.
    ``status_since``: when the request entered its status (Twilio's timestamps)."""
    return [line.text for line in _lines(update, filed_by, status_since)]


def _lines(
    update: RequestUpdate, filed_by: str | None, status_since: datetime | None = None
) -> list[_Line]:
    lines = [_Line(text) for text in _request_lines(update, filed_by, status_since)]
    by_status: dict[NumberStatus, list[PortInNumber]] = defaultdict(list)
    for change in update.number_changes:
        by_status[change.new].append(change.number)

    def numbers(items: Sequence[PortInNumber]) -> str:
        return number_list([n.phone_number or number_name(None, n.number_sid) for n in items])

    if items := by_status.get(NumberStatus.WAITING_FOR_SIGNATURE):
        lines.append(_Line(f"✍️ {plural(len(items), 'number')} on the LOA waiting for signature."))
    if items := by_status.get(NumberStatus.PORT_SUBMITTED):
        lines.append(_Line(f"📨 Submitted to the losing carrier: {numbers(items)}."))
    if items := by_status.get(NumberStatus.PORT_PENDING):
        by_date: dict[date | None, list[PortInNumber]] = defaultdict(list)
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
        lines += _rejection_lines(items, filed_by)
    if items := by_status.get(NumberStatus.UNKNOWN):
        by_label: dict[str, list[PortInNumber]] = defaultdict(list)
        for n in items:
            by_label[n.status_label].append(n)
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
        by_user: dict[str | None, list[PortInNumber]] = defaultdict(list)
        for n in by_status.get(status, []):
            by_user[update.canceled_by.get(n.number_sid or "")].append(n)
        for who, group in sorted(by_user.items(), key=lambda kv: kv[0] or ""):
            head = verb.format(user(who)) if who else unattributed
            lines.append(_Line(f"{head} {numbers(group)}."))
    return lines


def rejection_buttons(request_sid: str, group: Sequence[PortInNumber], index: int) -> Block | None:
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


def needs_csv(update: RequestUpdate) -> bool:
    """Too many numbers to list inline: the reply summarises and a CSV follows it."""
    return len(update.number_changes) > INLINE_NUMBERS


def update_message(snapshot: RequestSnapshot, update: RequestUpdate) -> tuple[str, list[Block]]:
    """A thread reply for a batch of changes: (fallback text, blocks); each rejection's
    buttons right under it."""
    lines = _lines(update, snapshot.filed_by, snapshot.status_since)
    if lines and needs_csv(update):
        lines.append(_Line(f"📎 All {len(update.number_changes):,} numbers are in the CSV below."))
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
            buttons = rejection_buttons(update.request.request_sid, line.rejected, len(blocks))
            if buttons is not None:
                blocks.append(buttons)
    flush()
    extra: list[Block] = []
    if _summarised_rejections(update):  # the steps are one click away
        extra.append(ActionsBlock(elements=[how_to_fix_button(snapshot.request.request_sid)]))
    if text and _offers_signing(snapshot, update):
        extra.append(ActionsBlock(elements=[signature_button(update.request.request_sid)]))
    blocks = [*blocks[: MESSAGE_BLOCK_LIMIT - len(extra)], *extra]
    return clip(text, 3900), blocks


def _rejection_lines(rejected: Sequence[PortInNumber], filed_by: str | None) -> list[_Line]:
    """Per rejection reason: its playbook (in full for a few reasons, else a line each), the
    last line carrying the reason's numbers so its Re-file… and Cancel number follow it."""
    groups = rejection_groups(rejected)
    members: dict[tuple[str | None, str | None], list[PortInNumber]] = defaultdict(list)
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


def _summarised_rejections(update: RequestUpdate) -> bool:
    rejected = [c.number for c in update.number_changes if c.new == NumberStatus.PORT_REJECTED]
    return len(rejection_groups(rejected)) > FULL_PLAYBOOKS


def _offers_signing(snapshot: RequestSnapshot, update: RequestUpdate) -> bool:
    """The reply that says the LOA went out offers its filer the signing link."""
    return (
        bool(snapshot.filed_by)
        and update.status_changed
        and update.request.status == RequestStatus.WAITING_FOR_SIGNATURE
    )


def refiled_text(user_id: str, numbers: Sequence[str], new_sid: str, link: str | None) -> str:
    """In the old request's thread, once the re-filing is at Twilio."""
    where = f" (<{link}|thread>)" if link else ""
    return f"↪️ {user(user_id)} re-filed {number_list(numbers)} as `{new_sid}`{where}."


def changes_csv(update: RequestUpdate) -> str:
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
    for change in sorted(update.number_changes, key=lambda c: c.number.phone_number or ""):
        n = change.number
        writer.writerow(
            [
                n.phone_number or "",
                n.status_label,
                change.old_label or "",
                n.port_date.date().isoformat() if n.port_date else "",
                n.rejection_reason or "",
                n.rejection_reason_code or "",
            ]
        )
    return out.getvalue()
