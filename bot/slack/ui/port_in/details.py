"""Step 1 of the /port-in form (pure builder): the request's details — numbers, the losing
carrier's account, the service address, the authorized representative, the date, the bill and
the thread's channel. The account number and PINs come in step 2 (``account``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    ContextBlock,
    DatePickerElement,
    EmailInputElement,
    MarkdownTextObject,
    Option,
    StaticSelectElement,
    TimePickerElement,
)
from slack_sdk.models.views import View

from bot.porting.filing import BILL_MAX_AGE_DAYS, BILL_TYPES, MAX_BILL_BYTES, MIN_TARGET_DAYS
from bot.porting.phone import MAX_NUMBERS
from bot.slack.carried import PortInMeta
from bot.slack.ids import Callback
from bot.slack.ids import PortInField as F
from bot.slack.ui.fmt import clip, plural
from bot.slack.ui.golive_modals import golive_field
from bot.slack.ui.port_in.parts import (
    TEXT_LIMIT,
    TIME_ZONES,
    TITLE_1,
    field,
    file_input,
    section,
    text_input,
    thread_channel,
)

Blocks = list[Block | dict[str, Any]]


def prefill(numbers: Sequence[str]) -> str | None:
    """The numbers as the paste area's initial value, or None when they do not fit."""
    joined = "\n".join(numbers)
    return joined if len(joined) <= TEXT_LIMIT else None


def details_view(
    meta: PortInMeta,
    *,
    today: date,
    numbers: Sequence[str] = (),
    note: str | None = None,
    porting_channel: str | None = None,
    profiles: Sequence[str] = (),
    profile: str | None = None,
) -> dict[str, Any]:
    """Step 1: everything Twilio's create call needs except the account number and PINs,
    and, when PORTING_PROFILES has any, the go-live profile (``profile`` chosen first).

    Returned as a dict filled into a cached template: the form opens on a trigger_id that
    lives ~3 s, and building ~30 blocks through the models on every command is most of the
    bot's cost per /port-in.
    """
    view: dict[str, Any] = json.loads(
        _details_template(today, porting_channel or None, bool(meta.check_id))
    )
    view["private_metadata"] = meta.dump()
    blocks = view["blocks"]
    extra: list[Block] = []
    if meta.check_id:
        extra.append(
            section(
                f"📋 {plural(meta.check_count, 'portable number')} from your /port-check are "
                "included. Add more below if needed."
            )
        )
    if note:
        extra.append(ContextBlock(elements=[MarkdownTextObject(text=clip(note))]))
    blocks[1:1] = [b.to_dict() for b in extra]
    if profiles:
        blocks.append(golive_field(F.GOLIVE_PROFILE, profiles, profile).to_dict())
    initial = prefill(numbers) if numbers else None
    if initial:
        numbers_field = next(b for b in blocks if b.get("block_id") == F.NUMBERS)
        numbers_field["element"]["initial_value"] = initial
    return view


@lru_cache(maxsize=16)
def _details_template(today: date, porting_channel: str | None, from_check: bool) -> str:
    blocks: Blocks = [
        section(
            "File a port-in with Twilio. *Step 1*: the request's details. *Step 2*, after I "
            "re-check portability: the account number and PINs."
        ),
        _numbers(from_check),
        *_carrier_account(),
        *_representative(),
        *_when(today),
        *_bill(today),
        _thread_channel(porting_channel),
    ]
    view = View(
        type="modal",
        callback_id=Callback.PORT_IN_DETAILS,
        title=TITLE_1,
        submit="Next",
        close="Cancel",
        blocks=blocks,
    )
    return json.dumps(view.to_dict())


def _numbers(from_check: bool) -> Block:
    return field(
        F.NUMBERS,
        "More numbers" if from_check else "Numbers to port",  # Slack adds "(optional)"
        text_input(
            F.NUMBERS,
            multiline=True,
            max_length=TEXT_LIMIT,
            placeholder="(415) 555-0100\n+1 415 555 0101",
        ),
        hint=f"US numbers, up to {MAX_NUMBERS:,}, separated by commas, spaces or new lines. "
        "About 200 fit here; for more, run /port-check with a CSV and press Start port-in.",
        optional=from_check,
    )


def _carrier_account() -> Blocks:
    """The customer and the service address, as on the losing carrier's account."""
    return [
        section("*Losing carrier account* — exactly as on the customer service record (CSR)"),
        field(
            F.CUSTOMER_NAME,
            "Customer name",
            text_input(F.CUSTOMER_NAME, placeholder="Acme Plumbing LLC"),
            hint="The person or business on the losing carrier's account, spelled exactly as "
            "the carrier has it: the carrier compares it letter by letter.",
        ),
        field(
            F.CUSTOMER_TYPE,
            "Customer type",
            StaticSelectElement(
                action_id=F.CUSTOMER_TYPE,
                placeholder="Business or Individual",
                options=[
                    Option(value="Business", text="Business"),
                    Option(value="Individual", text="Individual"),
                ],
            ),
            hint="As the carrier has the account: a business or a consumer account.",
        ),
        field(
            F.ACCOUNT_PHONE,
            "Account telephone number (BTN)",
            text_input(F.ACCOUNT_PHONE, max_length=30),
            hint="The billing telephone number of the carrier account (often the main number).",
            optional=True,
        ),
        field(
            F.BTN_STAYS,
            "BTN staying behind",
            CheckboxesElement(
                action_id=F.BTN_STAYS,
                options=[
                    Option(
                        value="stays",
                        text="The BTN stays with the losing carrier (other lines stay too)",
                    )
                ],
            ),
            hint="Tick it when the BTN is, on purpose, not among the numbers to port.",
            optional=True,
        ),
        field(
            F.STREET,
            "Service address",
            text_input(F.STREET, placeholder="1 Main St"),
            hint="Where the lines are installed, exactly as on the carrier account (not a "
            "billing address or PO Box): a mismatch is a common rejection.",
        ),
        field(F.STREET_2, "Suite, unit or floor", text_input(F.STREET_2), optional=True),
        field(F.CITY, "City", text_input(F.CITY)),
        field(
            F.STATE,
            "State",
            text_input(F.STATE, max_length=40, placeholder="CA"),
            hint="The two-letter USPS code (CA, NY, TX).",
        ),
        field(
            F.ZIP, "ZIP code", text_input(F.ZIP, max_length=10), hint="5 digits (ZIP+4 is fine)."
        ),
        field(
            F.COUNTRY,
            "Country",
            text_input(F.COUNTRY, max_length=30, initial_value="US"),
            hint="Twilio's Porting API ports US numbers only.",
        ),
    ]


def _representative() -> Blocks:
    return [
        section("*Authorized representative* — signs the Letter of Authorization (LOA)"),
        field(
            F.REP_NAME,
            "Authorized representative",
            text_input(F.REP_NAME, placeholder="Jane Doe"),
            hint="First and last name of a person authorized on the carrier account.",
        ),
        field(
            F.REP_EMAIL,
            "Their e-mail",
            EmailInputElement(action_id=F.REP_EMAIL, placeholder="jane@acme.example"),
            hint="Twilio e-mails the LOA here; it expires if not signed within 30 days.",
        ),
    ]


def _when(today: date) -> Blocks:
    """The target date, the time window and who else gets the signed LOA."""
    earliest = today + timedelta(days=MIN_TARGET_DAYS)
    return [
        section("*When*"),
        field(
            F.TARGET_DATE,
            "Target port date",
            DatePickerElement(action_id=F.TARGET_DATE, placeholder="Pick a date"),
            hint=f"A business day on or after {earliest:%b} {earliest.day} ({MIN_TARGET_DAYS} days "
            "from today; no weekends or US federal holidays). The carrier confirms the actual "
            "date (FOC).",
            optional=True,
        ),
        field(
            F.TIME_START,
            "Port window starts",
            TimePickerElement(action_id=F.TIME_START),
            optional=True,
        ),
        field(
            F.TIME_END, "Port window ends", TimePickerElement(action_id=F.TIME_END), optional=True
        ),
        field(
            F.TIME_ZONE,
            "Time zone of the window",
            StaticSelectElement(
                action_id=F.TIME_ZONE,
                placeholder="Time zone",
                options=[Option(value=zone, text=name) for zone, name in TIME_ZONES],
            ),
            optional=True,
        ),
        field(
            F.NOTIFY,
            "Also send the signed LOA to",
            text_input(F.NOTIFY, multiline=True, max_length=1000),
            hint="E-mail addresses, separated by commas or spaces.",
            optional=True,
        ),
    ]


def _bill(today: date) -> Blocks:
    oldest_bill = today - timedelta(days=BILL_MAX_AGE_DAYS)
    return [
        section("*Utility bill*"),
        file_input(
            F.BILL,
            "Utility bill from the losing carrier",
            f"PDF or image, at most {MAX_BILL_BYTES // 1024 // 1024} MB, issued in the last "
            f"{BILL_MAX_AGE_DAYS} days, showing the account, the customer name and the service "
            "address.",
            BILL_TYPES,
        ),
        field(
            F.BILL_DATE,
            "Date printed on the bill",
            DatePickerElement(action_id=F.BILL_DATE, placeholder="Bill date"),
            hint=f"It must be on or after {oldest_bill:%b} {oldest_bill.day} "
            f"({BILL_MAX_AGE_DAYS} days ago).",
        ),
    ]


def _thread_channel(porting_channel: str | None) -> Block:
    return thread_channel(
        F.CHANNEL,
        porting_channel,
        hint="The request's thread and live status board go here (invite the bot first).",
    )
