"""A request's status board: the root message of its thread, edited as the request moves
(pure builder). Its thread replies are in ``thread_replies``, the /port-status view in
``status``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.desk.facts import NumberFacts, PortDay, loa_sent_at, port_days
from bot.desk.types import RequestSnapshot
from bot.porting.models import PortInNumber, PortInRequest
from bot.porting.statuses import NumberStatus, RequestStatus
from bot.slack.carried import NumbersValue
from bot.slack.ids import Action
from bot.slack.ui.deadlines import (
    loa_line,
    port_dates_line,
    signature_button,
    signer_of,
    twilio_notes,
)
from bot.slack.ui.fmt import clip, escape, plural, slack_date, user

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


def status_icon(status: RequestStatus) -> str:
    return _STATUS_ICON[status]


def customer(request: PortInRequest) -> str:
    lci = request.losing_carrier_information
    return escape(lci.customer_name) if lci and lci.customer_name else "customer not on file"


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
        return f"sent to {escape(who)}, waiting for signature"
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
            parts.extend(
                f"{icon} {count:,} {escape(said)}" for said, count in sorted(unknown.items())
            )
        elif counts[status]:
            parts.append(f"{icon} {counts[status]:,} {label}")
    return " · ".join(parts) or "no numbers"


def number_port_days(numbers: Sequence[PortInNumber]) -> tuple[PortDay, ...]:
    """The port dates Twilio gave the numbers still porting, earliest first."""
    return port_days(
        NumberFacts(n.phone_number or "", n.status, n.port_date.date())
        for n in numbers
        if n.port_date
    )


_CANCEL_REASON_SHOWN = (RequestStatus.CANCELING, RequestStatus.CANCELED, RequestStatus.EXPIRED)


def deadline_lines(snapshot: RequestSnapshot) -> list[str]:
    """The LOA's deadline while it waits for the signature, the port dates, and what Twilio
    says about the request (its reason for canceling, its suggestion, its support ticket)."""
    r = snapshot.request
    lines = []
    sent = loa_sent_at(r.status, snapshot.status_since, r.date_created)
    if sent is not None:
        lines.append(loa_line(signer_of(r), sent))
    if ports := port_dates_line(number_port_days(r.phone_numbers)):
        lines.append(ports)
    lines += twilio_notes(
        order_cancellation_reason=(
            r.order_cancellation_reason if r.status in _CANCEL_REASON_SHOWN else None
        ),
        support_ticket_id=r.support_ticket_id,
        suggested_action=snapshot.suggested_action,
    )
    return lines


def board_text(snapshot: RequestSnapshot) -> str:
    r = snapshot.request
    return (
        f"Port-in {r.request_sid} · {customer(r)} · {plural(len(r.phone_numbers), 'number')} · "
        f"{escape(r.status_label)}"
    )


def board_blocks(snapshot: RequestSnapshot) -> list[Block]:
    """The live status board on the thread's root message."""
    r = snapshot.request
    icon = _STATUS_ICON[r.status]
    head = (
        f"📞 *Port-in · {customer(r)} · {plural(len(r.phone_numbers), 'number')}*\n"
        f"{icon} Status: *{escape(r.status_label)}* · "
        f"Target date: {slack_date(r.target_port_in_date)}"
        f" · LOA: {loa_state(r)}\n{count_line(r.phone_numbers)}"
    )
    if extra := deadline_lines(snapshot):
        head += "\n" + "\n".join(extra)
    filed = f" · filed by {user(snapshot.filed_by)}" if snapshot.filed_by else ""
    updated = slack_date(snapshot.updated_at, "{date_short_pretty} {time}")
    context = (
        f"`{r.request_sid}`{filed}{refile_links(snapshot)}{profile_line(snapshot)}"
        f" · updated {updated}"
    )
    buttons = board_buttons(r, signing=bool(snapshot.filed_by)) + golive_buttons(snapshot)
    return [
        SectionBlock(text=MarkdownTextObject(text=clip(head))),
        ContextBlock(elements=[MarkdownTextObject(text=clip(context))]),
        ActionsBlock(elements=buttons),
    ]


def refile_links(snapshot: RequestSnapshot) -> str:
    """`` · ↪️ re-files `KW…` · re-filed as `KW…` ``: the requests either side of a re-filing."""
    text = f" · ↪️ re-files `{snapshot.refile_of}`" if snapshot.refile_of else ""
    if snapshot.refiled_as:
        shown = ", ".join(f"`{sid}`" for sid in snapshot.refiled_as[:3])
        more = f" and {len(snapshot.refiled_as) - 3} more" if len(snapshot.refiled_as) > 3 else ""
        text += f" · ↪️ re-filed as {shown}{more}"
    return text


def board_buttons(r: PortInRequest, *, signing: bool = False) -> list[ButtonElement]:
    """Refresh and CSV always; How to fix and Re-file… while a number is rejected; Signing
    link while the LOA waits for the signature of a request filed through the bot
    (``signing``); the cancel buttons while something can still be canceled."""
    buttons = [ButtonElement(text="Refresh", action_id=Action.REFRESH, value=r.request_sid)]
    open_request = not r.status.terminal and r.status != RequestStatus.CANCELING
    rejected = [n for n in r.phone_numbers if n.status == NumberStatus.PORT_REJECTED]
    if rejected:
        buttons.append(how_to_fix_button(r.request_sid))
    if signing and r.status == RequestStatus.WAITING_FOR_SIGNATURE:
        buttons.append(signature_button(r.request_sid))
    buttons.append(csv_button(r.request_sid))
    if open_request and any(n.phone_number for n in rejected):
        buttons.append(
            ButtonElement(
                text="Re-file rejected…",
                action_id=Action.REFILE,
                value=NumbersValue(request_sid=r.request_sid).dump(),
                style="primary",
            )
        )
    if open_request:
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


def csv_button(request_sid: str) -> ButtonElement:
    """All the request's numbers as a CSV, in a DM to whoever presses it."""
    return ButtonElement(text="Numbers as CSV", action_id=Action.NUMBERS_CSV, value=request_sid)


def how_to_fix_button(request_sid: str) -> ButtonElement:
    """The playbooks of a request's rejected numbers, answered to whoever presses it."""
    return ButtonElement(text="How to fix", action_id=Action.HOW_TO_FIX, value=request_sid)


def profile_line(snapshot: RequestSnapshot) -> str:
    """`` · go-live: *standard*``, for the board's context line."""
    name = snapshot.golive_profile
    return f" · go-live: *{escape(name)}*" if name else ""


def golive_buttons(snapshot: RequestSnapshot) -> list[ButtonElement]:
    """*Go-live profile…* until a number ports (its profile can change till then), then *Go
    live* (applies the profile again) while the request has one."""
    r = snapshot.request
    ported = any(n.status == NumberStatus.COMPLETED for n in r.phone_numbers)
    sid = r.request_sid
    if ported:
        if snapshot.golive_profile and snapshot.golive_profile != "none":
            return [ButtonElement(text="Go live", action_id=Action.GO_LIVE, value=sid)]
        return []
    if r.status.terminal:
        return []
    return [ButtonElement(text="Go-live profile…", action_id=Action.GOLIVE_PROFILE, value=sid)]
