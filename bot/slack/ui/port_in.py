"""The /port-in modal (pure builders): details (step 1), account number and PINs (step 2),
progress while checking and filing, and the outcome.

PINs and the account number only ever appear as empty inputs here; what Slack shows back is
masked (``••••12``).
"""

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
    ConversationSelectElement,
    DatePickerElement,
    EmailInputElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
    TimePickerElement,
)
from slack_sdk.models.views import View

from bot.desk import BillNotReadable, CheckResult, Draft, FiledPortIn, FilingFailed, FilingStep
from bot.porting.filing import (
    BILL_MAX_AGE_DAYS,
    BILL_TYPES,
    MAX_BILL_BYTES,
    MIN_TARGET_DAYS,
    PortInDetails,
    PortInSecrets,
)
from bot.porting.phone import MAX_NUMBERS, display
from bot.porting.reasons import not_portable_advice
from bot.slack.ids import Callback, pin_block
from bot.slack.ids import PortInField as F
from bot.slack.meta import PortInMeta
from bot.slack.ui.fmt import clip, number_list, plural, slack_date, user
from bot.slack.ui.modals import message_view
from bot.store.models import ActionClaim

TITLE_1 = "New port-in (1 of 2)"
TITLE_2 = "New port-in (2 of 2)"
TITLE = "New port-in"
TEXT_LIMIT = 3000  # plain_text_input max_length
PER_NUMBER_PINS = 40  # above this, PINs go in one paste area
TIME_ZONES = (
    ("America/New_York", "Eastern"),
    ("America/Chicago", "Central"),
    ("America/Denver", "Mountain"),
    ("America/Phoenix", "Arizona"),
    ("America/Los_Angeles", "Pacific"),
    ("America/Anchorage", "Alaska"),
    ("Pacific/Honolulu", "Hawaii"),
)
_BLOCKED_SHOWN = 15


def pin_layout(count: int) -> str:
    """How step 2 asks for ``count`` PINs: ``single`` (one field), ``per_number`` (one field
    for all plus one per number) or ``list`` (one field for all plus a paste area)."""
    if count <= 1:
        return "single"
    return "per_number" if count <= PER_NUMBER_PINS else "list"


def _input(
    field: str,
    label: str,
    element: object,
    *,
    hint: str | None = None,
    optional: bool = False,
) -> InputBlock:
    return InputBlock(block_id=field, label=label, element=element, hint=hint, optional=optional)


def _text(field: str, *, multiline: bool = False, max_length: int = 150, **kw: object) -> object:
    return PlainTextInputElement(action_id=field, multiline=multiline, max_length=max_length, **kw)


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=clip(text)))


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
) -> dict[str, Any]:
    """Step 1: everything Twilio's create call needs except the account number and PINs.

    Returned as a dict filled into a cached template: the form opens on a trigger_id that
    lives ~3 s, and building ~30 blocks through the models on every command is most of the
    bot's cost per /port-in.
    """
    view = json.loads(_details_template(today, porting_channel or None, bool(meta.check_id)))
    view["private_metadata"] = meta.dump()
    blocks = view["blocks"]
    extra: list[Block] = []
    if meta.check_id:
        extra.append(
            _section(
                f"📋 {plural(meta.check_count, 'portable number')} from your /port-check are "
                "included. Add more below if needed."
            )
        )
    if note:
        extra.append(ContextBlock(elements=[MarkdownTextObject(text=clip(note))]))
    blocks[1:1] = [b.to_dict() for b in extra]
    initial = prefill(numbers) if numbers else None
    if initial:
        field = next(b for b in blocks if b.get("block_id") == F.NUMBERS)
        field["element"]["initial_value"] = initial
    return view


@lru_cache(maxsize=16)
def _details_template(today: date, porting_channel: str | None, from_check: bool) -> str:
    earliest = today + timedelta(days=MIN_TARGET_DAYS)
    oldest_bill = today - timedelta(days=BILL_MAX_AGE_DAYS)
    blocks: list[Block | dict] = [
        _section(
            "File a port-in with Twilio. *Step 1*: the request's details. *Step 2*, after I "
            "re-check portability: the account number and PINs."
        ),
        _input(
            F.NUMBERS,
            "More numbers (optional)" if from_check else "Numbers to port",
            _text(
                F.NUMBERS,
                multiline=True,
                max_length=TEXT_LIMIT,
                placeholder="(415) 555-0100\n+1 415 555 0101",
            ),
            hint=f"US numbers, up to {MAX_NUMBERS:,}, separated by commas, spaces or new lines. "
            "About 200 fit here; for more, run /port-check with a CSV and press Start port-in.",
            optional=from_check,
        ),
        _section("*Losing carrier account* — exactly as on the customer service record (CSR)"),
        _input(
            F.CUSTOMER_NAME,
            "Customer name",
            _text(F.CUSTOMER_NAME, placeholder="Acme Plumbing LLC"),
            hint="The person or business on the losing carrier's account, spelled exactly as "
            "the carrier has it: the carrier compares it letter by letter.",
        ),
        _input(
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
        _input(
            F.ACCOUNT_PHONE,
            "Account telephone number (BTN)",
            _text(F.ACCOUNT_PHONE, max_length=30),
            hint="The billing telephone number of the carrier account (often the main number).",
            optional=True,
        ),
        _input(
            F.STREET,
            "Service address",
            _text(F.STREET, placeholder="1 Main St"),
            hint="The service address on the carrier account, exactly as the carrier has it: "
            "a mismatch is a common rejection.",
        ),
        _input(F.STREET_2, "Suite, unit or floor", _text(F.STREET_2), optional=True),
        _input(F.CITY, "City", _text(F.CITY)),
        _input(
            F.STATE,
            "State",
            _text(F.STATE, max_length=40),
            hint="Spelled the way the carrier has it (CA or California).",
        ),
        _input(F.ZIP, "ZIP code", _text(F.ZIP, max_length=10), hint="5 digits (ZIP+4 is fine)."),
        _input(
            F.COUNTRY,
            "Country",
            _text(F.COUNTRY, max_length=30, initial_value="US"),
            hint="Twilio's Porting API ports US numbers only.",
        ),
        _section("*Authorized representative* — signs the Letter of Authorization (LOA)"),
        _input(
            F.REP_NAME,
            "Authorized representative",
            _text(F.REP_NAME, placeholder="Jane Doe"),
            hint="First and last name of a person authorized on the carrier account.",
        ),
        _input(
            F.REP_EMAIL,
            "Their e-mail",
            EmailInputElement(action_id=F.REP_EMAIL, placeholder="jane@acme.example"),
            hint="Twilio e-mails the LOA here; it expires if not signed within 30 days.",
        ),
        _section("*When*"),
        _input(
            F.TARGET_DATE,
            "Target port date",
            DatePickerElement(action_id=F.TARGET_DATE, placeholder="Pick a date"),
            hint=f"On or after {earliest:%b} {earliest.day} ({MIN_TARGET_DAYS} days from today). "
            "The carrier confirms the actual date (FOC).",
            optional=True,
        ),
        _input(
            F.TIME_START,
            "Port window starts",
            TimePickerElement(action_id=F.TIME_START),
            optional=True,
        ),
        _input(
            F.TIME_END, "Port window ends", TimePickerElement(action_id=F.TIME_END), optional=True
        ),
        _input(
            F.TIME_ZONE,
            "Time zone of the window",
            StaticSelectElement(
                action_id=F.TIME_ZONE,
                placeholder="Time zone",
                options=[Option(value=zone, text=name) for zone, name in TIME_ZONES],
            ),
            optional=True,
        ),
        _input(
            F.NOTIFY,
            "Also send the signed LOA to",
            _text(F.NOTIFY, multiline=True, max_length=1000),
            hint="E-mail addresses, separated by commas or spaces.",
            optional=True,
        ),
        _section("*Utility bill*"),
        {
            "type": "input",
            "block_id": F.BILL,
            "label": {"type": "plain_text", "text": "Utility bill from the losing carrier"},
            "hint": {
                "type": "plain_text",
                "text": "PDF or image, at most "
                f"{MAX_BILL_BYTES // 1024 // 1024} MB, issued in the last {BILL_MAX_AGE_DAYS} "
                "days, showing the account, the customer name and the service address.",
            },
            "element": {
                "type": "file_input",
                "action_id": F.BILL,
                "filetypes": sorted(BILL_TYPES),
                "max_files": 1,
            },
        },
        _input(
            F.BILL_DATE,
            "Date printed on the bill",
            DatePickerElement(action_id=F.BILL_DATE, placeholder="Bill date"),
            hint=f"It must be on or after {oldest_bill:%b} {oldest_bill.day} "
            f"({BILL_MAX_AGE_DAYS} days ago).",
        ),
        _input(
            F.CHANNEL,
            "Thread in",
            ConversationSelectElement(
                action_id=F.CHANNEL,
                initial_conversation=porting_channel or None,
                default_to_current_conversation=not porting_channel,
                filter={"include": ["public", "private"], "exclude_bot_users": True},
            ),
            hint="The request's thread and live status board go here (invite the bot first).",
        ),
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


def checking_view(total: int, done: int = 0) -> View:
    progress = f" ({done:,} of {total:,})" if done else ""
    return message_view(
        Callback.PORT_IN_STATUS,
        TITLE,
        f"⏳ Re-checking the portability of {plural(total, 'number')}{progress}…",
        context="Step 2 (account number and PINs) opens here when the check is done.",
    )


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
    return (
        f"*{details.customer_name}* ({details.customer_type.lower()}) · {street}, {a.city}, "
        f"{a.state} {a.zip}\n"
        f"LOA to {details.authorized_representative} ({details.authorized_representative_email})"
        f" · target date {when}\n"
        f"Bill: {details.bill.name} of {slack_date(details.bill.issued_on)} · "
        f"thread in <#{details.channel_id}>"
    )


def blocked_line(result: CheckResult) -> str:
    if result.error is not None:
        return f"• {display(result.number)}: could not be checked ({result.error})"
    advice = not_portable_advice(result.reason_code, result.reason)
    return f"• {display(result.number)}: {advice.name} ({advice.code}). {advice.next_step}"


def account_view(draft: Draft, meta: PortInMeta, *, banner: str | None = None) -> View:
    """Step 2: drop the numbers that cannot be filed, give the account number and PINs."""
    fileable, blocked, need = draft.fileable, draft.blocked, draft.pin_numbers
    if not fileable:
        return nothing_to_file_view(draft)
    blocks: list[Block] = []
    if banner:
        blocks.append(_section(banner))
    blocks += [
        _section(summary(draft.details)),
        _section(f"✅ {plural(len(fileable), 'number')} will be filed: {number_list(fileable)}"),
    ]
    if blocked:
        lines = [blocked_line(r) for r in blocked[:_BLOCKED_SHOWN]]
        if len(blocked) > _BLOCKED_SHOWN:
            lines.append(f"…and {len(blocked) - _BLOCKED_SHOWN:,} more.")
        blocks.append(
            _section(
                f"⛔ {plural(len(blocked), 'number')} can't be filed now:\n" + "\n".join(lines)
            )
        )
        blocks.append(
            _input(
                F.DROP,
                "Drop them?",
                CheckboxesElement(
                    action_id=F.DROP,
                    options=[
                        Option(
                            value="drop",
                            text=(
                                "Drop this number"
                                if len(blocked) == 1
                                else f"Drop these {len(blocked):,} numbers"
                            )
                            + f" and file the other {len(fileable):,}",
                        )
                    ],
                ),
            )
        )
    blocks.append(
        _input(
            F.ACCOUNT_NUMBER,
            "Account number at the losing carrier",
            _text(F.ACCOUNT_NUMBER, max_length=64),
            hint="As printed on the customer's bill: the carrier compares it with the account.",
            optional=not need,
        )
    )
    if need:
        blocks.append(
            _section(
                f"🔐 {plural(len(need), 'number')} {'needs' if len(need) == 1 else 'need'} the "
                "port-out PIN the losing carrier issued (mobile numbers always do)."
            )
        )
        blocks.append(
            _input(
                F.PIN_ALL,
                f"PIN for all {plural(len(need), 'number')}" if len(need) > 1 else "PIN",
                _text(F.PIN_ALL, max_length=15),
                hint="When one PIN covers the account. A PIN typed for a single number below wins.",
                optional=True,
            )
        )
        layout = pin_layout(len(need))
        if layout == "per_number":
            blocks += [
                _input(
                    pin_block(n),
                    f"PIN for {display(n)}",
                    _text(pin_block(n), max_length=15),
                    optional=True,
                )
                for n in need
            ]
        elif layout == "list":
            blocks.append(
                _input(
                    F.PIN_LIST,
                    "PINs per number",
                    _text(F.PIN_LIST, multiline=True, max_length=TEXT_LIMIT),
                    hint="One per line: the number, then its PIN (+14155550200 1234).",
                    optional=True,
                )
            )
    blocks.append(
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="🔒 The account number and PINs go to Twilio only: they are not "
                    "stored, logged or shown again (confirmations show ••••12)."
                )
            ]
        )
    )
    return View(
        type="modal",
        callback_id=Callback.PORT_IN_ACCOUNT,
        title=TITLE_2,
        submit="File port-in",
        close="Cancel",
        private_metadata=meta.dump(),
        blocks=blocks,
    )


def nothing_to_file_view(draft: Draft) -> View:
    lines = [blocked_line(r) for r in draft.blocked[:_BLOCKED_SHOWN]]
    return message_view(
        Callback.PORT_IN_STATUS,
        TITLE,
        "⛔ None of these numbers can be filed now:\n" + "\n".join(lines),
        context="Nothing was filed. Fix the list, then run /port-in again.",
    )


def filing_view(current: FilingStep) -> View:
    steps = list(FilingStep)
    lines = []
    for step in steps:
        if steps.index(step) < steps.index(current):
            icon = "✅"
        elif step == current:
            icon = "⏳"
        else:
            icon = "▫️"
        lines.append(f"{icon} {step.label}")
    return message_view(
        Callback.PORT_IN_STATUS,
        "Filing port-in",
        "Filing…\n" + "\n".join(lines),
        context="You can close this; I'll DM you the outcome.",
    )


def already_filing_view(claim: ActionClaim | None) -> View:
    """A second submission of a form: it never files twice."""
    if claim is None:
        text = "This form expired or was already sent. Run /port-in to start again."
    elif claim.status == "done" and claim.request_sid:
        text = f"✅ This form was already filed as `{claim.request_sid}`."
    else:
        text = (
            "⏳ This form is already being filed (a second click does nothing). I'll DM you "
            "the outcome."
        )
    return message_view(Callback.PORT_IN_STATUS, "Filing port-in", text)


def trouble_view(doing: str, *, maybe_filed: bool = False) -> View:
    """Something unexpected (not Twilio, not the form) stopped us."""
    then = (
        "It may have reached Twilio: look in the porting channel or ask `/port-status` before "
        "filing again."
        if maybe_filed
        else "Nothing was filed. Run /port-in to start again."
    )
    return message_view(
        Callback.PORT_IN_STATUS, TITLE, f"⚠️ Something went wrong while {doing}. {then}"
    )


def filing_reason(failure: FilingFailed) -> str:
    """Why filing stopped, with what to check in Slack when the cause is on Slack's side."""
    if isinstance(failure, BillNotReadable):
        return (
            f"what Slack sent for {failure.bill_name} is not a PDF or an image "
            "(is the bot allowed to read files? it needs the files:read scope)"
        )
    return failure.reason


def failure_banner(failure: FilingFailed) -> str:
    error = failure.error
    code = f" {error.code}" if error is not None and error.code else ""
    link = f" <{error.more_info}|More about{code}>" if error is not None and error.more_info else ""
    said = f"Twilio said{code}: " if error is not None else ""
    reason = clip(filing_reason(failure), 1500)
    return (
        f"⚠️ *Filing stopped at: {failure.step.label}.* {said}{reason}.{link}\n"
        "Nothing was filed. Fix what's needed, type the account number and PINs again, and press "
        "*File port-in*."
    )


def filed_text(result: FiledPortIn, *, secrets: PortInSecrets, permalink: str | None = None) -> str:
    r = result.snapshot.request
    lci = r.losing_carrier_information
    rep = (lci.authorized_representative if lci else None) or "the authorized representative"
    customer = (lci.customer_name if lci else None) or "the customer"
    lines = [
        f"✅ Filed `{r.request_sid}` for *{customer}*: {plural(len(r.phone_numbers), 'number')}.",
        f"Next: Twilio reviews it, then e-mails the LOA to {rep} to sign.",
    ]
    if masked := secrets.masked_summary():
        lines.append(f"Sent to Twilio: {masked}.")
    if permalink:
        lines.append(f"Thread and status board: <{permalink}|open the thread>.")
    if result.thread_error:
        lines.append(
            f"⚠️ I could not open its Slack thread ({result.thread_error}). It opens on Twilio's "
            f"next update, or press *Follow* in `/port-status {r.request_sid}`."
        )
    return "\n".join(lines)


def filed_view(text: str) -> View:
    return message_view(Callback.PORT_IN_STATUS, "Port-in filed", text)


def failed_text(failure: FilingFailed, filed_by: str) -> str:
    """The DM a submitter gets when filing failed (in case the modal was closed)."""
    return f"{user(filed_by)} {failure_banner(failure)}"
