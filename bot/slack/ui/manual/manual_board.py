"""A manual port's board: the root of its thread, edited as people move its steps (pure).

🌍 Manual port · United Kingdom · 3 numbers · step 2 of 6: waiting for Twilio's fee quote
Acme Ltd · losing carrier BT · ticket 88123
📎 Outstanding: CSR · ⏰ Next: …
MP… · started by @maria on Dec 1 · updated …
[Fee quote received]  [Add documents…]  [Rejected]  [Cancel]
"""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.desk.manual.schedule import ManualDeadline, ManualFacts, next_deadline
from bot.desk.manual.steps import ManualMove, board_moves
from bot.desk.manual.types import ManualPort, ManualStep
from bot.slack.carried import MOVE_ACTIONS, ManualAt
from bot.slack.ids import Action
from bot.slack.ui.fmt import clip, escape, on_day, slack_date, user
from bot.slack.ui.manual.words import ON_MOMENT, STEP_ICONS, carrier, moment, step_text, title

# Moves made with one click get Slack's confirmation dialog first.
_CONFIRM = {
    ManualMove.ACCEPT: (
        "Quote accepted?",
        "Only once you have told Twilio, on the ticket, that you accept the fee quote.",
    ),
    ManualMove.APPROVE: ("Approved by Twilio?", "Twilio has approved the porting request."),
    ManualMove.COMPLETE: (
        "Port completed?",
        "The numbers are in the Twilio project and work there. This closes the port.",
    ),
    ManualMove.CANCEL: (
        "Cancel this manual port?",
        "It closes the port here; tell Twilio on the ticket too if the request was sent.",
    ),
}


def board_text(port: ManualPort) -> str:
    return f"{title(port)} · {step_text(port.step)} · {port.id}"


def deadline_text(deadline: ManualDeadline) -> str:
    if deadline.kind == "port":
        return f"the numbers port {on_day(deadline.at)}"
    assert isinstance(deadline.at, datetime)
    return f"{deadline.what} on {moment(deadline.at, ON_MOMENT)}"


def state_line(port: ManualPort, now: datetime) -> str:
    """What stands out now: the rejection, the deadline, the outstanding documents."""
    parts: list[str] = []
    if port.step == ManualStep.REJECTED and port.rejection:
        parts.append(f"❌ Rejected: {port.rejection.label}. Fix: {port.rejection.fix}")
    lapsed = port.quote_deadline
    if port.step == ManualStep.QUOTED and lapsed is not None and lapsed <= now:
        parts.append(f"💷 Twilio took the fee quote as accepted on {moment(lapsed, ON_MOMENT)}")
    deadline = next_deadline(ManualFacts.of(port), now)
    if deadline is not None:
        parts.append(f"⏰ Next: {deadline_text(deadline)}")
    if not port.closed:
        missing = port.outstanding
        if missing:
            parts.append("📎 Outstanding: " + " · ".join(k.short for k in missing))
        else:
            parts.append("📎 All Step 1 documents attached")
    return "\n".join(parts)


def board_blocks(port: ManualPort, now: datetime) -> list[Block]:
    """The board on the thread's root message."""
    icon = "🌍" if not port.closed else STEP_ICONS[port.step]
    head = f"{icon} *{title(port)}* · {step_text(port.step)}"
    facts = [escape(port.details.customer_name), f"losing carrier {carrier(port)}"]
    if port.ticket:
        facts.append(f"ticket {escape(port.ticket)}")
    if port.quote:
        facts.append(f"fee quote {escape(port.quote)}")
    if port.port_date:
        facts.append(f"port date {slack_date(port.port_date)}")
    text = f"{head}\n{' · '.join(facts)}"
    state = state_line(port, now)
    if state:
        text += f"\n{state}"
    started = on_day(port.created_at)
    updated = moment(port.updated_at, "{date_short_pretty} {time}")
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=clip(text))),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=f"`{port.id}` · started by {user(port.filed_by)} {started} · "
                    f"updated {updated}"
                )
            ]
        ),
    ]
    buttons = board_buttons(port)
    if buttons:
        blocks.append(ActionsBlock(elements=buttons))
    return blocks


def board_buttons(port: ManualPort) -> list[ButtonElement]:
    """The steps the port can take now (the expected one first, as primary), Add
    documents while some are outstanding, then Rejected and Cancel."""
    at = ManualAt(manual_id=port.id, version=port.version).value()
    buttons: list[ButtonElement] = []
    for move in board_moves(port.step):
        if move in (ManualMove.REJECT, ManualMove.CANCEL) and port.outstanding:
            if not any(b.action_id == Action.MANUAL_ADD_DOCUMENTS for b in buttons):
                buttons.append(
                    ButtonElement(
                        text="Add documents…", action_id=Action.MANUAL_ADD_DOCUMENTS, value=at
                    )
                )
        buttons.append(_move_button(port, move, at, first=not buttons))
    return buttons


def _move_button(port: ManualPort, move: ManualMove, at: str, *, first: bool) -> ButtonElement:
    label = move.label + ("…" if move.asks else "")
    if move == ManualMove.SUBMIT and port.step == ManualStep.REJECTED:
        label = "Submitted again…"
    style = "danger" if move == ManualMove.CANCEL else ("primary" if first else None)
    confirm = None
    if move in _CONFIRM:
        heading, body = _CONFIRM[move]
        confirm = ConfirmObject(title=heading, text=body, confirm=move.label, deny="Not yet")
    return ButtonElement(
        text=label, action_id=MOVE_ACTIONS[move], value=at, style=style, confirm=confirm
    )
