"""The request's status board (thread root), its thread replies and the /port-status view."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.desk import RequestSnapshot, RequestUpdate
from bot.porting.models import PortInNumber, PortInRequest
from bot.porting.reasons import rejection_advice
from bot.porting.statuses import NumberStatus, RequestStatus
from bot.slack.ids import Action
from bot.slack.ui.fmt import (
    INLINE_NUMBERS,
    SECTION_TEXT_LIMIT,
    clip,
    number_list,
    number_name,
    plural,
    slack_date,
    user,
)
from bot.store.models import AuditEntry

_COUNT_ICONS = (
    (NumberStatus.COMPLETED, "✅", "ported"),
    (NumberStatus.PORT_PENDING, "📅", "port pending"),
    (NumberStatus.PORT_SUBMITTED, "📨", "submitted"),
    (NumberStatus.WAITING_FOR_SIGNATURE, "✍️", "waiting for signature"),
    (NumberStatus.IN_REVIEW, "🔎", "in review"),
    (NumberStatus.PORT_REJECTED, "❌", "rejected"),
    (NumberStatus.CANCELING, "⏳", "canceling"),
    (NumberStatus.CANCELED, "🚫", "canceled"),
    (NumberStatus.UNKNOWN, "❔", "unknown"),
)
_STATUS_ICON = {
    RequestStatus.IN_REVIEW: "🔎",
    RequestStatus.WAITING_FOR_SIGNATURE: "✍️",
    RequestStatus.IN_PROGRESS: "🚚",
    RequestStatus.ACTION_REQUIRED: "⚠️",
    RequestStatus.COMPLETED: "✅",
    RequestStatus.CANCELING: "⏳",
    RequestStatus.CANCELED: "🚫",
    RequestStatus.EXPIRED: "⌛",
    RequestStatus.UNKNOWN: "❔",
}
_NUMBERS_SHOWN = 30


def status_icon(status: RequestStatus) -> str:
    return _STATUS_ICON[status]


def customer(request: PortInRequest) -> str:
    lci = request.losing_carrier_information
    return lci.customer_name if lci and lci.customer_name else "customer not on file"


def loa_state(request: PortInRequest) -> str:
    status = request.status
    past_signature = any(
        n.status in (NumberStatus.PORT_SUBMITTED, NumberStatus.PORT_PENDING, NumberStatus.COMPLETED)
        for n in request.phone_numbers
    )
    if status == RequestStatus.IN_REVIEW or (
        status == RequestStatus.UNKNOWN and not request.raw_status
    ):
        return "not sent yet"
    if status == RequestStatus.UNKNOWN:  # a status Twilio added: say only what the numbers show
        return "signed" if past_signature else "not known"
    if status == RequestStatus.WAITING_FOR_SIGNATURE:
        lci = request.losing_carrier_information
        who = (lci.authorized_representative if lci else None) or "the authorized representative"
        return f"sent to {who}, waiting for signature"
    if status == RequestStatus.EXPIRED:
        return "expired unsigned"
    if status == RequestStatus.CANCELED and not past_signature:
        return "not signed"
    return "signed"


def count_line(numbers: Sequence[PortInNumber]) -> str:
    counts = Counter(n.status for n in numbers)
    parts: list[str] = []
    for status, icon, label in _COUNT_ICONS:
        if status == NumberStatus.UNKNOWN:  # by Twilio's own words for statuses we do not know
            unknown = Counter(n.status_label for n in numbers if n.status == status)
            parts.extend(f"{icon} {count:,} {said}" for said, count in sorted(unknown.items()))
        elif counts[status]:
            text = f"{icon} {counts[status]:,} {label}"
            if status == NumberStatus.PORT_PENDING:
                dates = sorted(
                    {n.port_date.date() for n in numbers if n.status == status and n.port_date}
                )
                if len(dates) == 1:
                    text += f" ({slack_date(dates[0])})"
            parts.append(text)
    return " · ".join(parts) or "no numbers"


def board_text(snapshot: RequestSnapshot) -> str:
    r = snapshot.request
    return (
        f"Port-in {r.request_sid} · {customer(r)} · {plural(len(r.phone_numbers), 'number')} · "
        f"{r.status_label}"
    )


def board_blocks(snapshot: RequestSnapshot) -> list[Block]:
    """The live status board on the thread's root message."""
    r = snapshot.request
    icon = _STATUS_ICON[r.status]
    head = (
        f"📞 *Port-in · {customer(r)} · {plural(len(r.phone_numbers), 'number')}*\n"
        f"{icon} Status: *{r.status_label}* · Target date: {slack_date(r.target_port_in_date)}"
        f" · LOA: {loa_state(r)}\n{count_line(r.phone_numbers)}"
    )
    filed = f" · filed by {user(snapshot.filed_by)}" if snapshot.filed_by else ""
    updated = slack_date(snapshot.updated_at, "{date_short_pretty} {time}")
    return [
        SectionBlock(text=MarkdownTextObject(text=clip(head))),
        ContextBlock(
            elements=[MarkdownTextObject(text=f"`{r.request_sid}`{filed} · updated {updated}")]
        ),
        ActionsBlock(elements=board_buttons(r)),
    ]


def board_buttons(r: PortInRequest) -> list[ButtonElement]:
    """Refresh and CSV always; the cancel buttons while something can still be canceled."""
    buttons = [
        ButtonElement(text="Refresh", action_id=Action.REFRESH, value=r.request_sid),
        ButtonElement(text="Numbers as CSV", action_id=Action.NUMBERS_CSV, value=r.request_sid),
    ]
    if not r.status.terminal and r.status != RequestStatus.CANCELING:
        if any(n.status.cancellable for n in r.phone_numbers):
            buttons.append(
                ButtonElement(
                    text="Cancel numbers…", action_id=Action.CANCEL_NUMBERS, value=r.request_sid
                )
            )
        buttons.append(
            ButtonElement(
                text="Cancel request",
                action_id=Action.CANCEL_REQUEST,
                value=r.request_sid,
                style="danger",
            )
        )
    return buttons


_HISTORY_SHOWN = 10


def history_line(entry: AuditEntry) -> str | None:
    """One audit entry as people read it (filed / canceled by whom, when)."""
    who, when = user(entry.user_id), slack_date(entry.at)
    numbers = json.loads(entry.numbers or "[]")
    refused = f" ({clip(entry.detail, 200)})" if entry.detail else ""
    if entry.action == "port_in.filed":
        return f"📝 Filed by {who} on {when}" if entry.outcome == "ok" else None
    if entry.action == "request.canceled":
        if entry.outcome == "ok":
            return f"🚫 {who} canceled the request on {when}"
        return f"⚠️ {who} tried to cancel the request on {when}; Twilio refused{refused}"
    if entry.action == "numbers.canceled":
        if numbers:
            line = f"🚫 {who} canceled {number_list(numbers, 10)} on {when}"
            if entry.outcome == "partial":
                line += f"; Twilio refused others{refused}"
            return line
        return f"⚠️ {who} tried to cancel numbers on {when}; Twilio refused{refused}"
    return None


def history_text(history: Sequence[AuditEntry]) -> str:
    lines = [line for line in map(history_line, history) if line]
    if len(lines) > _HISTORY_SHOWN:
        lines = [*lines[: _HISTORY_SHOWN // 2], "…", *lines[-_HISTORY_SHOWN // 2 :]]
    return "\n".join(lines)


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
    }.get(status, f"❔ Twilio now says the request is *{update.request.status_label}*.")


def change_lines(update: RequestUpdate, filed_by: str | None) -> list[str]:
    """One line per kind of change; numbers with the same outcome share a line."""
    lines: list[str] = []
    head = _request_line(update, filed_by)
    if head:
        lines.append(head)
    by_status: dict[NumberStatus, list[PortInNumber]] = defaultdict(list)
    for change in update.number_changes:
        by_status[change.new].append(change.number)

    def numbers(items: Sequence[PortInNumber]) -> str:
        return number_list([n.phone_number or number_name(None, n.number_sid) for n in items])

    if items := by_status.get(NumberStatus.WAITING_FOR_SIGNATURE):
        lines.append(f"✍️ {plural(len(items), 'number')} on the LOA waiting for signature.")
    if items := by_status.get(NumberStatus.PORT_SUBMITTED):
        lines.append(f"📨 Submitted to the losing carrier: {numbers(items)}.")
    if items := by_status.get(NumberStatus.PORT_PENDING):
        by_date: dict[date | None, list[PortInNumber]] = defaultdict(list)
        for n in items:
            by_date[n.port_date.date() if n.port_date else None].append(n)
        for day, group in sorted(by_date.items(), key=lambda kv: kv[0] or date.max):
            verb = "is" if len(group) == 1 else "are"
            lines.append(
                f"📅 {plural(len(group), 'number')} {verb} Port Pending — port date "
                f"{slack_date(day)}: {numbers(group)}"
            )
    if items := by_status.get(NumberStatus.PORT_REJECTED):
        by_reason: dict[str | None, list[PortInNumber]] = defaultdict(list)
        for n in items:
            by_reason[n.rejection_reason_code].append(n)
        for code, group in by_reason.items():
            advice = rejection_advice(code, group[0].rejection_reason)
            lines.append(
                f"❌ {'<@' + filed_by + '> ' if filed_by else ''}{numbers(group)} rejected: "
                f"<{advice.link}|{advice.name} ({advice.code})>. Fix: {advice.next_step}"
            )
    if items := by_status.get(NumberStatus.UNKNOWN):
        by_label: dict[str, list[PortInNumber]] = defaultdict(list)
        for n in items:
            by_label[n.status_label].append(n)
        for said, group in sorted(by_label.items()):
            lines.append(f"❔ Twilio now says *{said}* for {numbers(group)}.")
    if items := by_status.get(NumberStatus.COMPLETED):
        lines.append(
            f"✅ {plural(len(items), 'number')} ported to Twilio: {numbers(items)}. Configure "
            "their voice and messaging settings before traffic moves."
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
            lines.append(f"{head} {numbers(group)}.")
    return lines


def needs_csv(update: RequestUpdate) -> bool:
    """Too many numbers to list inline: the reply summarises and a CSV follows it."""
    return len(update.number_changes) > INLINE_NUMBERS


def update_message(snapshot: RequestSnapshot, update: RequestUpdate) -> tuple[str, list[Block]]:
    """A thread reply for a batch of changes: (fallback text, blocks)."""
    lines = change_lines(update, snapshot.filed_by)
    if lines and needs_csv(update):
        lines.append(f"📎 All {len(update.number_changes):,} numbers are in the CSV below.")
    text = "\n".join(lines)
    blocks: list[Block] = []
    chunk = ""
    for line in lines:
        if len(chunk) + len(line) + 1 > 2900:
            blocks.append(SectionBlock(text=MarkdownTextObject(text=chunk)))
            chunk = ""
        chunk = f"{chunk}\n{line}" if chunk else clip(line, 2900)
    if chunk:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=chunk)))
    return clip(text, 3900), blocks[:50]


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


def _attention(n: PortInNumber) -> int:
    order = [
        NumberStatus.PORT_REJECTED,
        NumberStatus.PORT_PENDING,
        NumberStatus.PORT_SUBMITTED,
        NumberStatus.WAITING_FOR_SIGNATURE,
        NumberStatus.IN_REVIEW,
        NumberStatus.CANCELING,
        NumberStatus.COMPLETED,
        NumberStatus.CANCELED,
    ]
    return order.index(n.status) if n.status in order else len(order)


def number_line(n: PortInNumber) -> str:
    line = f"{number_name(n.phone_number, n.number_sid)} · {n.status_label}"
    if n.port_date:
        line += f" · port date {slack_date(n.port_date)}"
    if n.status == NumberStatus.PORT_REJECTED:
        advice = rejection_advice(n.rejection_reason_code, n.rejection_reason)
        line += f" · {advice.name} ({advice.code})"
    return line


def status_blocks(
    snapshot: RequestSnapshot,
    *,
    permalink: str | None = None,
    history: Sequence[AuditEntry] = (),
) -> list[Block]:
    """/port-status: the board, who filed and canceled what, then the numbers, most urgent
    first, within Block Kit limits."""
    r = snapshot.request
    blocks = board_blocks(snapshot)[:2]
    if who := history_text(history):
        blocks.append(SectionBlock(text=MarkdownTextObject(text=clip(who))))
    numbers = sorted(r.phone_numbers, key=_attention)
    lines: list[str] = []
    budget = SECTION_TEXT_LIMIT - 80  # room for the "…and N more" line
    for n in numbers[:_NUMBERS_SHOWN]:
        line = number_line(n)
        if sum(len(x) + 1 for x in lines) + len(line) > budget:
            break
        lines.append(line)
    if len(numbers) > len(lines):
        lines.append(f"…and {len(numbers) - len(lines):,} more (use *Numbers as CSV*).")
    if lines:
        blocks.append(SectionBlock(text=MarkdownTextObject(text="\n".join(lines))))
    buttons = []
    if snapshot.thread is None:
        buttons.append(
            ButtonElement(
                text="Follow in channel",
                action_id=Action.FOLLOW,
                value=r.request_sid,
                style="primary",
            )
        )
    elif permalink:
        buttons.append(ButtonElement(text="Open thread", action_id="open_thread", url=permalink))
    buttons.append(
        ButtonElement(text="Numbers as CSV", action_id=Action.NUMBERS_CSV, value=r.request_sid)
    )
    blocks.append(ActionsBlock(elements=buttons))
    return blocks


def numbers_csv(request: PortInRequest) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["phone_number", "number_sid", "status", "port_date", "rejection_reason", "rejection_code"]
    )
    for n in request.phone_numbers:
        writer.writerow(
            [
                n.phone_number or "",
                n.number_sid or "",
                n.status_label,
                n.port_date.date().isoformat() if n.port_date else "",
                n.rejection_reason or "",
                n.rejection_reason_code or "",
            ]
        )
    return out.getvalue()
