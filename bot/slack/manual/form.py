"""Reading the manual-port modals' state: the form (seed 003 Step 1) and the documents modal.
Pure: state in, details or documents out, or errors keyed by the input block that names the
field and the fix (``response_action: errors``)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from bot.desk.manual.steps import ManualMove, StepInput
from bot.desk.manual.types import (
    BILL_MAX_AGE_DAYS,
    DOCUMENT_TYPES,
    DocumentKind,
    ManualDetails,
    ManualDocument,
    ManualNumber,
    RejectionReason,
    group_by_country,
)
from bot.porting.models import MAX_DOCUMENT_BYTES
from bot.porting.phone import MAX_NUMBERS, api_can_file, display, parse_numbers, to_e164
from bot.slack.ids import ManualField as M
from bot.slack.ui.fmt import number_list
from bot.slack.ui.manual.form_modals import DOCUMENT_FIELDS
from bot.slack.view_state import (
    Values,
    files,
    selected_conversation,
    selected_date,
    selected_datetime,
    selected_option,
    text,
)

Errors = dict[str, str]

# A PO Box in the languages manual ports usually come in; Twilio accepts physical addresses
# only (seed 003 Step 1).
PO_BOX = re.compile(
    r"\b(p\.?\s?o\.?\s?box|pobox|post\s*office\s*box|post\s?box|postfach|postbus|"
    r"apartado\s+(postal|de\s+correos)|bo[iî]te\s+postale|casilla\s+(postal|de\s+correo)|"
    r"caixa\s+postal|casella\s+postale)\b",
    re.IGNORECASE,
)
_PER_NUMBER = re.compile(r"^\s*(.+?)\s*[:=\t]\s*(.+?)\s*$")


def day(d: date) -> str:
    return f"{d:%b} {d.day}, {d.year}"


def po_box(address: str) -> str | None:
    """The PO Box part of ``address`` when it has one."""
    match = PO_BOX.search(address)
    return match.group(0) if match else None


def _po_box_error(where: str, found: str) -> str:
    return (
        f"{where} has a PO Box (“{found}”): Twilio needs the physical address where the "
        "numbers are used, as on the carrier's record. PO Boxes are not accepted."
    )


def read_numbers(raw: str) -> tuple[list[str], str | None]:
    """One country's numbers the API cannot file, or what is wrong with them."""
    parsed = parse_numbers(raw)
    if parsed.invalid:
        shown = ", ".join(f"“{e[:30]}”" for e in parsed.invalid[:5])
        return [], (
            f"I could not read {shown} as phone numbers: use the international format, e.g. "
            "+44 20 7183 8750, one a line."
        )
    numbers = parsed.numbers
    if not numbers:
        return [], "Add at least one number to port."
    if len(numbers) > MAX_NUMBERS:
        return [], f"That is {len(numbers):,} numbers; split them into ports of {MAX_NUMBERS:,}."
    api = [n for n in numbers if api_can_file(n)]
    if api:
        return [], (
            f"{number_list(api, 5)}: Twilio's Porting API can file these, so they go through "
            "/port-in instead. Remove them here."
        )
    groups = group_by_country(numbers)
    console = [n for g in groups if g.console for n in g.numbers]
    if console:
        return [], (
            f"{number_list(console, 5)}: US toll-free numbers port through the Twilio Console "
            "(Phone Numbers › Manage › Port & Host), not a support request. Remove them here."
        )
    if len(groups) > 1:
        shown = "; ".join(f"{g.name}: {number_list(list(g.numbers), 3)}" for g in groups[:4])
        return [], (
            f"One country per manual port (each needs its own country's LOA): {shown}. Keep "
            "one country here and start another manual port for the rest."
        )
    return numbers, None


def _addresses(raw: str, numbers: Sequence[str], errors: Errors) -> dict[str, str]:
    found: dict[str, str] = {}
    for i, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        match = _PER_NUMBER.match(line)
        number = to_e164(match.group(1)) if match else None
        if match is None or number is None:
            errors[M.ADDRESSES] = (
                f"Line {i}: write the number, a colon, then its address, e.g. "
                "+44 20 7183 8751: 2 Low Road, Leeds LS1 1AA."
            )
            return {}
        if number not in numbers:
            errors[M.ADDRESSES] = f"Line {i}: {display(number)} is not among the numbers above."
            return {}
        if found_box := po_box(match.group(2)):
            errors[M.ADDRESSES] = _po_box_error(f"Line {i}", found_box)
            return {}
        found[number] = match.group(2)
    return found


def read_document(
    values: Values, kind: DocumentKind, today: date, errors: Errors
) -> ManualDocument | None:
    """The document attached for ``kind``, checked for type and size (None: not attached or
    refused, the reason in ``errors``)."""
    block = DOCUMENT_FIELDS[kind]
    attached = files(values, block)
    if not attached:
        return None
    f = attached[0]
    name = str(f.get("name") or f.get("title") or kind.short)
    filetype = str(f.get("filetype") or name.rsplit(".", 1)[-1]).lower()
    mimetype = str(f.get("mimetype") or DOCUMENT_TYPES.get(filetype, ""))
    size = int(f.get("size") or 0)
    url = f.get("url_private_download") or f.get("url_private")
    if filetype not in DOCUMENT_TYPES and mimetype not in DOCUMENT_TYPES.values():
        errors[block] = f"{name} is not a PDF or an image: attach the {kind.short} as PDF or image."
        return None
    if size > MAX_DOCUMENT_BYTES:
        errors[block] = (
            f"{name} is {size / 1024 / 1024:.1f} MB; attach a PDF or image of at most "
            f"{MAX_DOCUMENT_BYTES // 1024 // 1024} MB."
        )
        return None
    if not url or not f.get("id"):
        errors[block] = "Slack did not give me a download link for this file; attach it again."
        return None
    issued = None
    if kind == DocumentKind.BILL:
        issued = selected_date(values, M.BILL_DATE)
        oldest = today - timedelta(days=BILL_MAX_AGE_DAYS)
        if issued is None:
            errors[M.BILL_DATE] = "Enter the date printed on the bill."
        elif issued > today:
            errors[M.BILL_DATE] = "The bill date can't be in the future."
        elif issued < oldest:
            errors[M.BILL_DATE] = (
                f"This bill is from {day(issued)}: Twilio needs the most recent bill, from the "
                f"last {BILL_MAX_AGE_DAYS} days (on or after {day(oldest)})."
            )
        if M.BILL_DATE in errors:
            return None
    return ManualDocument(
        kind=kind,
        file_id=str(f["id"]),
        name=name,
        mimetype=mimetype,
        size=size,
        url=str(url),
        issued_on=issued,
    )


def read_documents(
    values: Values, kinds: Sequence[DocumentKind], today: date
) -> tuple[list[ManualDocument], Errors]:
    errors: Errors = {}
    found = [read_document(values, kind, today, errors) for kind in kinds]
    return [d for d in found if d is not None], errors


def read_form(
    values: Values, *, today: date, porting_channel: str | None
) -> tuple[ManualDetails | None, Errors]:
    """The manual-port form: its details, or errors keyed by input block."""
    errors: Errors = {}
    numbers, error = read_numbers(text(values, M.NUMBERS))
    if error:
        errors[M.NUMBERS] = error
    customer_type = selected_option(values, M.CUSTOMER_TYPE) or "Business"
    if customer_type not in ("Business", "Individual"):
        errors[M.CUSTOMER_TYPE] = "Choose a business or a person."
    name = text(values, M.CUSTOMER_NAME)
    if not name:
        errors[M.CUSTOMER_NAME] = (
            "Enter the business name, or the owner's or authorized user's first and last name, "
            "as the carrier has them."
        )
    elif customer_type == "Individual" and len(name.split()) < 2:
        errors[M.CUSTOMER_NAME] = "Enter the person's first and last name."
    address = text(values, M.ADDRESS)
    if not address:
        errors[M.ADDRESS] = "Enter the physical address where the numbers are used."
    elif found := po_box(address):
        errors[M.ADDRESS] = _po_box_error("This address", found)
    per_number = _addresses(text(values, M.ADDRESSES), numbers, errors) if numbers else {}
    carrier = text(values, M.CARRIER)
    if not carrier:
        errors[M.CARRIER] = "Enter the carrier the numbers are with now."
    documents, document_errors = read_documents(values, list(DocumentKind), today)
    errors.update(document_errors)
    channel = selected_conversation(values, M.CHANNEL) or porting_channel
    if not channel:
        errors[M.CHANNEL] = "Choose the channel where the port's thread will live."
    if errors:
        return None, errors
    assert channel
    group = group_by_country(numbers)[0]
    return (
        ManualDetails(
            country=group.country,
            country_name=group.name,
            customer_name=name,
            customer_type=customer_type,
            numbers=[ManualNumber(number=n, address=per_number.get(n)) for n in numbers],
            service_address=address,
            losing_carrier=carrier,
            documents=documents,
            channel_id=channel,
            golive_profile=selected_option(values, M.GOLIVE_PROFILE),
        ),
        {},
    )


# -- the steps' modals -------------------------------------------------------------------------

TICKET = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._/-]{0,63}$")


def read_step(
    values: Values, move: ManualMove, *, now: datetime, today: date
) -> tuple[StepInput, Errors]:
    """What a step's modal asked for ``move``, or errors keyed by input block."""
    errors: Errors = {}
    if move == ManualMove.SUBMIT:
        ticket = text(values, M.TICKET).lstrip("#").strip()
        if not ticket:
            errors[M.TICKET] = "Enter the ticket number Twilio support gave the request."
        elif not TICKET.match(ticket):
            errors[M.TICKET] = "Use the ticket number as Twilio wrote it: letters and digits."
        return StepInput(ticket=ticket), errors
    if move == ManualMove.QUOTE:
        quote = text(values, M.QUOTE)
        sent = selected_datetime(values, M.QUOTE_AT)
        if not quote or not re.search(r"\d", quote):
            errors[M.QUOTE] = "Enter the fees Twilio quoted, with the currency, e.g. GBP 120."
        if sent is not None and sent > now + timedelta(minutes=5):
            errors[M.QUOTE_AT] = "That is in the future: when did Twilio send the quote?"
        return StepInput(quote=quote[:64], quote_at=sent), errors
    if move == ManualMove.PORT_DATE:
        port_date = selected_date(values, M.PORT_DATE)
        if port_date is None:
            errors[M.PORT_DATE] = "Choose the port date from Twilio's approval e-mail."
        elif port_date < today:
            errors[M.PORT_DATE] = (
                f"{day(port_date)} has passed. If the numbers ported, press *Completed*."
            )
        return StepInput(port_date=port_date), errors
    if move == ManualMove.REJECT:
        raw = selected_option(values, M.REASON)
        reason = RejectionReason(raw) if raw in set(RejectionReason) else None
        if reason is None:
            errors[M.REASON] = "Choose the reason closest to Twilio's e-mail."
        return StepInput(reason=reason, note=text(values, M.NOTE)[:500] or None), errors
    return StepInput(), errors
