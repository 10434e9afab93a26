"""The manual-port form (pure): seed 003 Step 1's items for one country's numbers, and the
documents modal that adds the ones still outstanding."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DatePickerElement,
    MarkdownTextObject,
    Option,
    RadioButtonsElement,
)
from slack_sdk.models.views import View

from bot.desk.manual.types import (
    BILL_MAX_AGE_DAYS,
    DOCUMENT_TYPES,
    DocumentKind,
    ManualPort,
)
from bot.porting.models import MAX_DOCUMENT_BYTES
from bot.porting.phone import display
from bot.slack.carried import ManualStepMeta
from bot.slack.ids import Callback
from bot.slack.ids import ManualField as M
from bot.slack.ui.fmt import clip, plural
from bot.slack.ui.golive_modals import golive_field
from bot.slack.ui.manual.words import title
from bot.slack.ui.port_in.parts import (
    TEXT_LIMIT,
    field,
    file_input,
    section,
    text_input,
    thread_channel,
)

FORM_TITLE = "New manual port"
DOCUMENTS_TITLE = "Add documents"
DOCUMENT_FIELDS = {DocumentKind.LOA: M.LOA, DocumentKind.CSR: M.CSR, DocumentKind.BILL: M.BILL}
_DOCUMENT_HINTS = {
    DocumentKind.LOA: "The Letter of Authorization for this country and number type, signed "
    "by the owner or an authorized user (each country has its own).",
    DocumentKind.CSR: "The Customer Service Record from the losing carrier.",
    DocumentKind.BILL: f"The most recent phone bill, issued in the last {BILL_MAX_AGE_DAYS} "
    "days, showing the account, the owner's name and the address of every number.",
}


def prefill(numbers: Sequence[str]) -> str | None:
    """The numbers as the form shows them (one a line), or None when they do not fit."""
    joined = "\n".join(display(n) for n in numbers)
    return joined if len(joined) <= TEXT_LIMIT else None


def manual_form(
    *,
    country_name: str | None,
    numbers: Sequence[str],
    today: date,
    porting_channel: str | None,
    note: str | None = None,
    profiles: Sequence[str] = (),
    profile: str | None = None,
) -> View:
    """A manual port's Step 1 (seed 003): who owns the numbers, each number, the physical
    service address of each, the losing carrier, and the documents (missing ones allowed)."""
    where = f" from {country_name}" if country_name else ""
    count = (
        f"{plural(len(numbers), 'number', these=True)}{where}"
        if numbers
        else f"these numbers{where}"
    )
    they = plural(len(numbers), "it", "they", bare=True, verb="ports")
    blocks: list[Block | dict[str, Any]] = [
        section(
            f"🌍 Twilio's Porting API cannot file {count} (22133 "
            f"MANUAL_PORTING_AVAILABLE): {they} through a request to Twilio support "
            "(International Porting Process). Fill in what the request needs; I'll lay it out "
            "ready to send and follow it step by step in a thread."
        ),
    ]
    if note:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=clip(note))]))
    blocks += [
        *_owner_fields(numbers),
        section(
            "*Documents* — attach what you have; anything missing is listed as outstanding on "
            "the board until you add it."
        ),
        *document_inputs(list(DocumentKind), today),
        thread_channel(
            M.CHANNEL,
            porting_channel,
            hint="The port's thread and its board go here (invite the bot first).",
        ),
    ]
    if profiles:
        blocks.append(golive_field(M.GOLIVE_PROFILE, profiles, profile))
    return View(
        type="modal",
        callback_id=Callback.MANUAL_FORM,
        title=FORM_TITLE,
        submit="Start manual port",
        close="Cancel",
        blocks=blocks,
    )


def _owner_fields(numbers: Sequence[str]) -> list[Block | dict[str, Any]]:
    """The form's questions about the numbers: which, whose, where, with which carrier."""
    return [
        field(
            M.NUMBERS,
            "Numbers to port",
            text_input(
                M.NUMBERS,
                multiline=True,
                max_length=TEXT_LIMIT,
                placeholder="+44 20 7183 8750\n+44 20 7183 8751",
                initial_value=prefill(numbers),
            ),
            hint="In international format (+44 …), one country per manual port.",
        ),
        field(
            M.CUSTOMER_TYPE,
            "The account belongs to",
            RadioButtonsElement(
                action_id=M.CUSTOMER_TYPE,
                options=[
                    Option(value="Business", label="A business"),
                    Option(value="Individual", label="A person"),
                ],
                initial_option=Option(value="Business", label="A business"),
            ),
        ),
        field(
            M.CUSTOMER_NAME,
            "Business name, or the owner's first and last name",
            text_input(M.CUSTOMER_NAME, max_length=200, placeholder="Acme Ltd"),
            hint="The owner or an authorized user of the carrier account, exactly as the "
            "carrier has it.",
        ),
        field(
            M.ADDRESS,
            "Physical service address",
            text_input(
                M.ADDRESS,
                multiline=True,
                max_length=500,
                placeholder="1 High Street, London EC1A 1AA, United Kingdom",
            ),
            hint="Where the numbers are used, as on the carrier's record (street, town, "
            "postcode, country). Twilio does not accept PO Boxes.",
        ),
        field(
            M.ADDRESSES,
            "Numbers at another address",
            text_input(
                M.ADDRESSES,
                multiline=True,
                max_length=TEXT_LIMIT,
                placeholder="+44 20 7183 8751: 2 Low Road, Leeds LS1 1AA, United Kingdom",
            ),
            hint="Only where a number's address differs from the one above: one line each, "
            "the number, then a colon, then its address.",
            optional=True,
        ),
        field(
            M.CARRIER,
            "Losing carrier",
            text_input(M.CARRIER, max_length=100, placeholder="BT"),
            hint="The carrier the numbers are with now.",
        ),
    ]


def document_inputs(kinds: Sequence[DocumentKind], today: date) -> list[Block | dict[str, Any]]:
    """One optional file input per document kind (PDF or image, 10 MB), and the bill's date."""
    size = MAX_DOCUMENT_BYTES // 1024 // 1024
    blocks: list[Block | dict[str, Any]] = []
    for kind in kinds:
        hint = f"{_DOCUMENT_HINTS[kind]} PDF or image, at most {size} MB."
        blocks.append(
            file_input(DOCUMENT_FIELDS[kind], kind.label, hint, DOCUMENT_TYPES, optional=True)
        )
        if kind == DocumentKind.BILL:
            oldest = today - timedelta(days=BILL_MAX_AGE_DAYS)
            blocks.append(
                field(
                    M.BILL_DATE,
                    "Date printed on the bill",
                    DatePickerElement(action_id=M.BILL_DATE, placeholder="Bill date"),
                    hint=f"With a bill: on or after {oldest:%b} {oldest.day} "
                    f"({BILL_MAX_AGE_DAYS} days ago).",
                    optional=True,
                )
            )
    return blocks


def documents_view(port: ManualPort, today: date) -> View:
    """Add the documents still outstanding (or replace one)."""
    missing = port.outstanding or list(DocumentKind)
    return View(
        type="modal",
        callback_id=Callback.MANUAL_DOCUMENTS,
        title=DOCUMENTS_TITLE,
        submit="Add documents",
        close="Cancel",
        private_metadata=ManualStepMeta(manual_id=port.id, version=port.version).dump(),
        blocks=[
            section(
                f"*{title(port)}* — outstanding: "
                + ", ".join(k.label for k in port.outstanding or [])
                if port.outstanding
                else f"*{title(port)}* — every document is attached; a new one replaces it."
            ),
            *document_inputs(missing, today),
        ],
    )
