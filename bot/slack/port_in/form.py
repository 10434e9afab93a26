"""Reading and validating the /port-in form's view state: state in, a model or errors out.

Pure functions (no I/O). Errors are keyed by the input block they belong to and name the fix,
ready for ``response_action: errors``; what each field must be is in ``validation``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pydantic import SecretStr

from bot.desk.calendar import BusinessCalendar
from bot.desk.refile.types import HeldBill
from bot.desk.types import Draft
from bot.porting.filing import (
    BILL_TYPES,
    MAX_BILL_BYTES,
    MIN_TARGET_DAYS,
    BillFile,
    PortInDetails,
    PortInSecrets,
)
from bot.porting.models import Address
from bot.porting.phone import display, to_e164
from bot.slack.ids import PortInField as F
from bot.slack.ids import pin_block
from bot.slack.port_in import validation
from bot.slack.ui.fmt import number_list, plural
from bot.slack.ui.port_in.parts import TIME_ZONES, pin_layout
from bot.slack.view_state import (
    Values,
    files,
    selected_conversation,
    selected_date,
    selected_option,
    selected_options,
    selected_time,
    text,
)

Errors = dict[str, str]

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PIN = re.compile(r"^[A-Za-z0-9]{4,15}$")
ACCOUNT_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 .-]{0,63}$")
_COUNTRIES = {"US": "US", "USA": "US", "UNITED STATES": "US", "UNITED STATES OF AMERICA": "US"}


# -- step 1: details -----------------------------------------------------------------------


def _bill(
    values: Values, today: date, errors: Errors, held: HeldBill | None = None
) -> BillFile | None:
    """The bill attached, else (re-filing) the one Twilio holds; with its date checked."""
    attached = files(values, F.BILL)
    issued = selected_date(values, F.BILL_DATE)
    if error := validation.bill_date(issued, today):
        errors[F.BILL_DATE] = error
    if not attached and held is not None:
        if F.BILL_DATE in errors or issued is None:
            return None
        return BillFile(
            file_id="",
            name=held.name,
            mimetype="",
            size=0,
            url="",
            issued_on=issued,
            documents=list(held.documents),
        )
    if not attached:
        errors[F.BILL] = (
            "Attach the customer's utility bill from the losing carrier (PDF or image)."
        )
        return None
    f = attached[0]
    name = str(f.get("name") or f.get("title") or "bill")
    filetype = str(f.get("filetype") or name.rsplit(".", 1)[-1]).lower()
    mimetype = str(f.get("mimetype") or BILL_TYPES.get(filetype, ""))
    size = int(f.get("size") or 0)
    url = f.get("url_private_download") or f.get("url_private")
    if filetype not in BILL_TYPES and mimetype not in BILL_TYPES.values():
        errors[F.BILL] = f"{name} is not a PDF or an image: Twilio takes the bill as PDF or image."
    elif size > MAX_BILL_BYTES:
        errors[F.BILL] = (
            f"{name} is {size / 1024 / 1024:.1f} MB; Twilio takes bills up to "
            f"{MAX_BILL_BYTES // 1024 // 1024} MB. Attach a smaller PDF or photo."
        )
    elif not url or not f.get("id"):
        errors[F.BILL] = "Slack did not give me a download link for this file; attach it again."
    if F.BILL in errors or issued is None:
        return None
    return BillFile(
        file_id=str(f["id"]),
        name=name,
        mimetype=mimetype,
        size=size,
        url=str(url),
        issued_on=issued,
    )


def twilio_time(at: time, zone: str, on: date) -> str:
    """``10:00`` in ``America/Los_Angeles`` on ``on`` → ``10:00:00-08:00`` (DST-aware)."""
    offset = datetime.combine(on, at, ZoneInfo(zone)).strftime("%z")
    return f"{at:%H:%M}:00{offset[:3]}:{offset[3:]}"


def _window(
    values: Values, target: date | None, today: date, errors: Errors
) -> tuple[str | None, str | None]:
    start, end = selected_time(values, F.TIME_START), selected_time(values, F.TIME_END)
    zone = selected_option(values, F.TIME_ZONE)
    if start is None and end is None:
        return None, None
    if start is None or end is None:
        errors[F.TIME_START if start is None else F.TIME_END] = (
            "Give both ends of the time window, or neither."
        )
        return None, None
    if end <= start:
        errors[F.TIME_END] = "The window must end after it starts."
        return None, None
    if zone not in dict(TIME_ZONES):
        errors[F.TIME_ZONE] = "Choose the time zone of the window."
        return None, None
    on = target or today + timedelta(days=MIN_TARGET_DAYS)
    return twilio_time(start, zone, on), twilio_time(end, zone, on)


def _emails(values: Values, errors: Errors) -> tuple[str, list[str]]:
    """The e-mail that gets the LOA to sign, and the extra ones that get the signed LOA."""
    email = text(values, F.REP_EMAIL)
    if email and not EMAIL.match(email):
        errors[F.REP_EMAIL] = f"“{email[:60]}” is not an e-mail address; the LOA is sent there."
    notify = [e for e in re.split(r"[\s,;]+", text(values, F.NOTIFY)) if e]
    bad = [e for e in notify if not EMAIL.match(e)]
    if bad:
        errors[F.NOTIFY] = f"“{bad[0][:60]}” is not an e-mail address."
    return email, notify


def _address(values: Values, errors: Errors) -> Address | None:
    """The service address: no PO Box, a USPS state code, a 5 or 5+4 digit ZIP, the US."""
    street, street_2 = text(values, F.STREET), text(values, F.STREET_2)
    for block, line in ((F.STREET, street), (F.STREET_2, street_2)):
        if line and (error := validation.po_box(line)):
            errors[block] = error
    state = None
    if raw := text(values, F.STATE):
        state, error = validation.state(raw)
        if error:
            errors[F.STATE] = error
    zip_code = text(values, F.ZIP)
    if zip_code and (error := validation.zip_code(zip_code)):
        errors[F.ZIP] = error
    country = _COUNTRIES.get((text(values, F.COUNTRY) or "US").upper())
    if country is None:
        errors[F.COUNTRY] = "Twilio's Porting API ports US numbers only: the country must be US."
    city = text(values, F.CITY)
    if not (street and city and state and zip_code and country) or errors.keys() & _ADDRESS:
        return None
    return Address(
        street=street,
        street_2=street_2 or None,
        city=city,
        state=state,
        zip=zip_code,
        country=country,
    )


_ADDRESS = {F.STREET, F.STREET_2, F.CITY, F.STATE, F.ZIP, F.COUNTRY}


def read_details(
    values: Values,
    *,
    today: date,
    calendar: BusinessCalendar,
    porting_channel: str | None,
    extra_numbers: Sequence[str] = (),
    held_bill: HeldBill | None = None,
) -> tuple[PortInDetails | None, Errors]:
    """Step 1 of the form: the details model, or errors keyed by input block. ``today`` and
    ``calendar``: the desk's (the target date must be a business day 7 days out).
    ``held_bill`` (re-filing): the bill Twilio holds, filed again when none is attached."""
    errors: Errors = {}
    numbers, error = validation.numbers(text(values, F.NUMBERS), extra_numbers)
    if error:
        errors[F.NUMBERS] = error

    required = {
        F.CUSTOMER_NAME: "Enter the customer name exactly as on the losing carrier's account.",
        F.STREET: "Enter the service address as the carrier has it.",
        F.CITY: "Enter the city.",
        F.STATE: "Enter the state's two-letter USPS code (e.g. CA).",
        F.ZIP: "Enter the ZIP code.",
        F.REP_NAME: "Enter the authorized representative's first and last name.",
        F.REP_EMAIL: "Enter the e-mail address that gets the LOA to sign.",
    }
    for block, message in required.items():
        if not text(values, block):
            errors[block] = message
    customer_type = selected_option(values, F.CUSTOMER_TYPE)
    if customer_type not in ("Business", "Individual"):
        errors[F.CUSTOMER_TYPE] = "Choose Business or Individual, as the carrier has the account."
    address = _address(values, errors)
    account_phone = None
    if raw := text(values, F.ACCOUNT_PHONE):
        account_phone, error = validation.account_phone(raw)
        if error:
            errors[F.ACCOUNT_PHONE] = error
    email, notify = _emails(values, errors)

    target = selected_date(values, F.TARGET_DATE)
    if target is not None and (error := validation.target_date(target, today, calendar)):
        errors[F.TARGET_DATE] = error
    start, end = _window(values, target, today, errors)
    bill = _bill(values, today, errors, held_bill)
    channel = selected_conversation(values, F.CHANNEL) or porting_channel
    if not channel:
        errors[F.CHANNEL] = "Choose the channel where the request's thread will live."
    if errors:
        return None, errors
    assert bill is not None and channel and customer_type and address
    details = PortInDetails(
        numbers=numbers,
        customer_name=text(values, F.CUSTOMER_NAME),
        customer_type=customer_type,
        account_telephone_number=account_phone,
        account_telephone_number_stays="stays" in selected_options(values, F.BTN_STAYS),
        address=address,
        authorized_representative=text(values, F.REP_NAME),
        authorized_representative_email=email,
        target_port_in_date=target,
        target_port_in_time_range_start=start,
        target_port_in_time_range_end=end,
        notification_emails=notify,
        bill=bill,
        channel_id=channel,
        golive_profile=selected_option(values, F.GOLIVE_PROFILE),
    )
    return details, {}


# -- step 2: account number, PINs, dropping numbers ----------------------------------------


def _pin_list(raw: str, wanted: set[str], errors: Errors) -> dict[str, str]:
    pins: dict[str, str] = {}
    for i, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        match = re.match(r"^\s*(.+?)[\s,;:=]+([A-Za-z0-9]+)\s*$", line)
        number = to_e164(match.group(1)) if match else None
        if match is None or number is None:
            errors[F.PIN_LIST] = (
                f"Line {i}: write the number, then its PIN, e.g. +14155550200 1234."
            )
            return {}
        if number not in wanted:
            errors[F.PIN_LIST] = (
                f"Line {i}: {display(number)} is not a number that needs a PIN here."
            )
            return {}
        pins[number] = match.group(2)
    return pins


def read_secrets(values: Values, draft: Draft) -> tuple[PortInSecrets | None, Errors]:
    """Step 2 of the form: the secrets for the numbers being filed, or errors by block."""
    errors: Errors = {}
    blocked = draft.blocked
    if blocked and "drop" not in selected_options(values, F.DROP):
        errors[F.DROP] = (
            f"Tick this to file without {plural(len(blocked), 'number', these=True)}, or close "
            "the form and "
            "fix the list."
        )
    need = draft.pin_numbers
    account = text(values, F.ACCOUNT_NUMBER)
    if account and not ACCOUNT_NUMBER.match(account):
        errors[F.ACCOUNT_NUMBER] = "Use the account number as printed: letters, digits, dashes."
    elif need and not account:
        errors[F.ACCOUNT_NUMBER] = (
            "The losing carrier needs the account number for these numbers (mobile numbers "
            "always): it is on the customer's bill."
        )

    pins: dict[str, str] = {}
    pin_all = text(values, F.PIN_ALL)
    if pin_all and not PIN.match(pin_all):
        errors[F.PIN_ALL] = "A PIN is 4 to 15 letters or digits, as the carrier issued it."
    layout = pin_layout(len(need))
    overrides: dict[str, str] = {}
    if layout == "per_number":
        for number in need:
            typed = text(values, pin_block(number))
            if typed and not PIN.match(typed):
                errors[pin_block(number)] = "A PIN is 4 to 15 letters or digits."
            elif typed:
                overrides[number] = typed
    elif layout == "list":
        overrides = _pin_list(text(values, F.PIN_LIST), set(need), errors)
        bad = [n for n, p in overrides.items() if not PIN.match(p)]
        if bad:
            errors[F.PIN_LIST] = f"The PIN for {display(bad[0])} is not 4 to 15 letters or digits."
    missing = []
    for number in need:
        pin = overrides.get(number) or pin_all
        if pin:
            pins[number] = pin
        else:
            missing.append(number)
    if missing and F.PIN_ALL not in errors:
        if layout == "per_number":
            for number in missing:
                errors.setdefault(
                    pin_block(number),
                    "Missing PIN: the carrier requires the port-out PIN for this number.",
                )
        else:
            errors[F.PIN_ALL] = (
                f"No PIN for {number_list(missing, 5)}: give one PIN for all, or one per number "
                "below."
            )
    if errors:
        return None, errors
    return (
        PortInSecrets(
            account_number=SecretStr(account) if account else None,
            pins={n: SecretStr(p) for n, p in pins.items()},
        ),
        {},
    )
