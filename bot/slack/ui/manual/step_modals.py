"""The modals of the board's steps that ask something (pure): the ticket number, the fee quote,
the port date, the rejection's reason; and the answers when a step cannot move."""

from __future__ import annotations

from datetime import date

from slack_sdk.models.blocks import (
    Block,
    DatePickerElement,
    DateTimePickerElement,
    Option,
    PlainTextObject,
    RadioButtonsElement,
)
from slack_sdk.models.views import View

from bot.desk.manual.steps import ManualMove
from bot.desk.manual.types import ManualPort, ManualStep, RejectionReason
from bot.slack.carried import ManualStepMeta
from bot.slack.ids import Callback
from bot.slack.ids import ManualField as M
from bot.slack.ui.manual.words import step_text, title
from bot.slack.ui.modals import message_view
from bot.slack.ui.port_in.parts import field, section, text_input

_TITLES = {
    ManualMove.SUBMIT: ("Submitted to Twilio", "Record ticket"),
    ManualMove.QUOTE: ("Fee quote received", "Record fee quote"),
    ManualMove.PORT_DATE: ("Port date set", "Set port date"),
    ManualMove.REJECT: ("Rejected by Twilio", "Record rejection"),
}


def step_view(port: ManualPort, move: ManualMove, *, today: date) -> View:
    """The modal for ``move`` on ``port`` as its board showed it (version in the metadata)."""
    heading, submit = _TITLES[move]
    meta = ManualStepMeta(manual_id=port.id, version=port.version, move=move)
    blocks: list[Block] = [section(f"*{title(port)}* · {step_text(port.step)}")]
    if move == ManualMove.SUBMIT:
        blocks.append(
            field(
                M.TICKET,
                "Twilio support ticket number",
                text_input(M.TICKET, max_length=64, placeholder="88123"),
                hint="From Twilio's confirmation e-mail; everyone on this port can quote it.",
            )
        )
    elif move == ManualMove.QUOTE:
        blocks += [
            field(
                M.QUOTE,
                "Fees quoted",
                text_input(M.QUOTE, max_length=64, placeholder="GBP 120"),
                hint="The amount and currency, as Twilio quoted them.",
            ),
            field(
                M.QUOTE_AT,
                "When Twilio sent the quote",
                DateTimePickerElement(action_id=M.QUOTE_AT),
                hint="Leave empty if it came just now. Twilio takes the quote as accepted 3 "
                "business days after sending it, unless you answer.",
                optional=True,
            ),
        ]
    elif move == ManualMove.PORT_DATE:
        blocks.append(
            field(
                M.PORT_DATE,
                "Port date",
                DatePickerElement(
                    action_id=M.PORT_DATE,
                    initial_date=port.port_date.isoformat() if port.port_date else None,
                ),
                hint="The date in Twilio's approval e-mail, when the numbers move to Twilio.",
            )
        )
    elif move == ManualMove.REJECT:
        options = [
            Option(
                value=r.value,
                text=PlainTextObject(text=r.label[:75]),
                description=PlainTextObject(text=_short_fix(r)),
            )
            for r in RejectionReason
        ]
        blocks += [
            field(
                M.REASON,
                "Why Twilio rejected it",
                RadioButtonsElement(action_id=M.REASON, options=options),
            ),
            field(
                M.NOTE,
                "What Twilio's e-mail says",
                text_input(M.NOTE, multiline=True, max_length=500),
                hint="Shown in the thread with the fix. Never paste a PIN here.",
                optional=True,
            ),
        ]
    return View(
        type="modal",
        callback_id=Callback.MANUAL_STEP,
        title=heading,
        submit=submit,
        close="Cancel",
        private_metadata=meta.dump(),
        blocks=blocks,
    )


def _short_fix(reason: RejectionReason) -> str:
    return {
        RejectionReason.PIN: "Get the PIN on file with the carrier",
        RejectionReason.ADDRESS: "Copy the address exactly as on the CSR",
        RejectionReason.UNAUTHORIZED: "The owner or an authorized user signs",
        RejectionReason.OTHER: "See the reason in Twilio's e-mail",
    }[reason]


def moved_on_text(port: ManualPort | None) -> str:
    """The port moved since the button or form was drawn."""
    if port is None:
        return "I can't find this manual port any more. Run `/port-status MP…` with its id."
    where = "is closed" if port.closed else "has moved on"
    return (
        f"This manual port {where} since that was drawn: it is now at "
        f"*{step_text(port.step)}*. Use the buttons on its board (they show what it can do "
        "now)."
    )


def refused_move_text(port: ManualPort, move: ManualMove) -> str:
    if port.step == ManualStep.CANCELED or port.step == ManualStep.COMPLETED:
        return moved_on_text(port)
    return f"*{move.label}* does not apply at {step_text(port.step)}."


def notice_view(heading: str, text: str) -> View:
    return message_view(Callback.NOTICE, heading, text)
