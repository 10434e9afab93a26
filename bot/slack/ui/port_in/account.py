"""Step 2 of the /port-in form (pure builder), once portability is re-checked: the numbers
that will be filed and those that cannot be, the account number and the PINs.

PINs and the account number only ever appear as empty inputs here; what Slack shows back is
masked (``••••12``).
"""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    ContextBlock,
    MarkdownTextObject,
    Option,
)
from slack_sdk.models.views import View

from bot.desk.types import CheckResult, Draft
from bot.porting.filing import PortInDetails
from bot.porting.phone import display
from bot.porting.reasons import not_portable_advice
from bot.slack.carried import PortInMeta
from bot.slack.ids import Callback, pin_block
from bot.slack.ids import PortInField as F
from bot.slack.ui.check import advice_name
from bot.slack.ui.fmt import escape, number_list, plural, slack_date
from bot.slack.ui.modals import message_view
from bot.slack.ui.port_in.parts import (
    TEXT_LIMIT,
    TITLE,
    TITLE_2,
    field,
    pin_layout,
    section,
    text_input,
)

_BLOCKED_SHOWN = 15


def summary(details: PortInDetails) -> str:
    a = details.address
    street = ", ".join(p for p in (a.street, a.street_2) if p)
    when = slack_date(details.target_port_in_date) if details.target_port_in_date else "any"
    if details.target_port_in_time_range_start and details.target_port_in_time_range_end:
        when += (
            f" between {details.target_port_in_time_range_start[:5]} and "
            f"{details.target_port_in_time_range_end[:5]} "
            f"(UTC{details.target_port_in_time_range_start[8:]})"
        )
    place = escape(f"{street}, {a.city}, {a.state} {a.zip}")
    signer = escape(
        f"{details.authorized_representative} ({details.authorized_representative_email})"
    )
    return (
        f"*{escape(details.customer_name)}* ({escape(details.customer_type.lower())}) · {place}\n"
        f"LOA to {signer} · target date {when}\n"
        f"Bill: {escape(details.bill.name)} of {slack_date(details.bill.issued_on)} · "
        f"thread in <#{details.channel_id}>"
    )


def blocked_line(result: CheckResult) -> str:
    if result.error is not None:
        return f"• {display(result.number)}: could not be checked ({escape(result.error)})"
    advice = not_portable_advice(result.reason_code, result.reason)
    return f"• {display(result.number)}: {advice_name(advice)} ({advice.code}). {advice.next_step}"


def account_view(
    draft: Draft,
    meta: PortInMeta,
    *,
    banner: str | None = None,
    warnings: Sequence[str] = (),
) -> View:
    """Step 2: drop the numbers that cannot be filed, give the account number and PINs.
    ``warnings``: what may get the request rejected, shown before filing (not blocking)."""
    fileable, need = draft.fileable, draft.pin_numbers
    if not fileable:
        return nothing_to_file_view(draft)
    blocks: list[Block] = []
    if banner:
        blocks.append(section(banner))
    blocks += [
        section(summary(draft.details)),
        section(f"✅ {plural(len(fileable), 'number')} will be filed: {number_list(fileable)}"),
        *_warnings(warnings),
        *_blocked(draft),
        field(
            F.ACCOUNT_NUMBER,
            "Account number at the losing carrier",
            text_input(F.ACCOUNT_NUMBER, max_length=64),
            hint="As printed on the customer's bill: the carrier compares it with the account.",
            optional=not need,
        ),
        *_pins(need),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="🔒 The account number and PINs go to Twilio only: they are not "
                    "stored, logged or shown again (confirmations show ••••12)."
                )
            ]
        ),
    ]
    return View(
        type="modal",
        callback_id=Callback.PORT_IN_ACCOUNT,
        title=TITLE_2,
        submit="File port-in",
        close="Cancel",
        private_metadata=meta.dump(),
        blocks=blocks,
    )


def _warnings(warnings: Sequence[str]) -> list[Block]:
    if not warnings:
        return []
    lines = "\n".join(f"• {w}" for w in warnings)
    return [section(f"⚠️ *Check before filing* (you can still file as it is):\n{lines}")]


def _blocked(draft: Draft) -> list[Block]:
    """The numbers that cannot be filed now, and the box to tick to file without them."""
    blocked, fileable = draft.blocked, draft.fileable
    if not blocked:
        return []
    lines = [blocked_line(r) for r in blocked[:_BLOCKED_SHOWN]]
    if len(blocked) > _BLOCKED_SHOWN:
        lines.append(f"…and {len(blocked) - _BLOCKED_SHOWN:,} more.")
    drop = f"Drop {plural(len(blocked), 'number', these=True)}"
    return [
        section(f"⛔ {plural(len(blocked), 'number')} can't be filed now:\n" + "\n".join(lines)),
        field(
            F.DROP,
            "Drop them?",
            CheckboxesElement(
                action_id=F.DROP,
                options=[Option(value="drop", text=f"{drop} and file the other {len(fileable):,}")],
            ),
        ),
    ]


def _pins(need: list[str]) -> list[Block]:
    """The PIN fields for the numbers that need one: one for all, then per number or a paste
    area (``pin_layout``)."""
    if not need:
        return []
    blocks: list[Block] = [
        section(
            "🔐 Required: the port-out PIN the losing carrier issued, for "
            f"{number_list(need)} (mobile numbers always need one)."
        ),
    ]
    layout = pin_layout(len(need))
    if layout == "single":
        # The one number that needs it: required, and said so (no per-number fields here).
        blocks.append(
            field(
                F.PIN_ALL,
                f"PIN for {display(need[0])}",
                text_input(F.PIN_ALL, max_length=15),
                hint=f"Required: the carrier will not release {display(need[0])} without it.",
            )
        )
        return blocks
    below = "each number below" if layout == "per_number" else "the list below"
    blocks.append(
        field(
            F.PIN_ALL,
            f"PIN for all {plural(len(need), 'number')}",
            text_input(F.PIN_ALL, max_length=15),
            hint=f"Every one needs a PIN: one here covers them all, or give one for {below} "
            "(a PIN given there wins).",
            optional=True,
        )
    )
    if layout == "per_number":
        blocks += [
            field(
                pin_block(n),
                f"PIN for {display(n)}",
                text_input(pin_block(n), max_length=15),
                optional=True,
            )
            for n in need
        ]
    elif layout == "list":
        blocks.append(
            field(
                F.PIN_LIST,
                "PINs per number",
                text_input(F.PIN_LIST, multiline=True, max_length=TEXT_LIMIT),
                hint="One per line: the number, then its PIN (+14155550200 1234).",
                optional=True,
            )
        )
    return blocks


def nothing_to_file_view(draft: Draft) -> View:
    lines = [blocked_line(r) for r in draft.blocked[:_BLOCKED_SHOWN]]
    return message_view(
        Callback.PORT_IN_STATUS,
        TITLE,
        "⛔ None of these numbers can be filed now:\n" + "\n".join(lines),
        context="Nothing was filed. Fix the list, then run /port-in again.",
    )
