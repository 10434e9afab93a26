"""What the /port-in form refuses before anything is sent, and what it warns about.

Field errors are what carriers and Twilio reject outright: a PO Box as the service address, a
state that is not a USPS code, a ZIP that is not 5 or 5+4 digits, a target date on a weekend
or a US federal holiday or less than 7 days away, a bill older than 30 days, an account
telephone number that is not a valid US number. Each names the field's fix.

Warnings do not block (step 2 shows them before filing): what often gets a request rejected
by the losing carrier and may still be right (porting-operations.md §3.1).

Pure functions: text in, an error or a warning out (``None`` when all is well).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta

from holidays.countries.united_states import UnitedStates

from bot.desk.calendar import BusinessCalendar
from bot.porting.filing import BILL_MAX_AGE_DAYS, MIN_TARGET_DAYS, PortInDetails
from bot.porting.phone import (
    MAX_NUMBERS,
    display,
    is_toll_free,
    is_us,
    parse_numbers,
    to_e164,
)
from bot.slack.ui.fmt import escape, number_list, plural

ZIP = re.compile(r"^\d{5}(-\d{4})?$")
# "PO Box 12", "P.O. Box", "POB 12", "Post Office Box", "Postal Box", "Box 12" alone.
PO_BOX = re.compile(
    r"\b(p\s*\.?\s*o\s*\.?\s*(box|b\b)|post\s*office\s*box|postal\s+box|^\s*box\s+\d)",
    re.IGNORECASE,
)
# Mail-handling words that belong on a billing address, not where the lines are.
BILLING_WORDS = re.compile(
    r"\b(attn|attention|c/o|care\s+of|pmb|accounts?\s+payable|billing|mail\s*stop|"
    r"p\.?\s*o\.?)(?=\W|$)",
    re.IGNORECASE,
)
# A business name says so, most of the time.
BUSINESS_WORDS = re.compile(
    r"\b(llc|l\.l\.c|inc|incorporated|corp|corporation|co|company|ltd|limited|llp|lp|pllc|"
    r"pc|plc|group|holdings|partners|associates|services|solutions|systems|enterprises|"
    r"international|industries|foundation|trust|bank|church|school|university|college|"
    r"hospital|clinic|center|centre|dept|department|city|county|state|the|and|of)\b|[&@\d]",
    re.IGNORECASE,
)

# USPS codes of the states, DC and the inhabited territories (the minor outlying islands have
# no service addresses), and the names people type instead.
STATES = frozenset(UnitedStates.subdivisions) - {"UM"}


def _name_key(name: str) -> str:
    return " ".join(re.sub(r"[^A-Z ]", " ", name.upper()).split())


STATE_NAMES = {
    _name_key(name): code
    for name, code in UnitedStates.subdivisions_aliases.items()
    if code in STATES
}


def day(d: date) -> str:
    """``Dec 1, 2026``: error texts are plain text, so no Slack date tokens."""
    return f"{d:%b} {d.day}, {d.year}"


def weekday(d: date) -> str:
    """``Mon, Dec 7, 2026``."""
    return f"{d:%a}, {day(d)}"


# -- field errors -------------------------------------------------------------------------


def numbers(raw: str, extra: Sequence[str] = ()) -> tuple[list[str], str | None]:
    """The numbers to file (``extra`` first, e.g. from a /port-check run), or the error."""
    parsed = parse_numbers(raw)
    if parsed.invalid:
        shown = ", ".join(f"“{e[:30]}”" for e in parsed.invalid[:5])
        more = f" and {len(parsed.invalid) - 5} more" if len(parsed.invalid) > 5 else ""
        return [], (
            f"I could not read {shown}{more} as "
            f"{plural(len(parsed.invalid), 'a phone number', 'phone numbers', bare=True)}. "
            "Use (415) 555-0100 or "
            "+14155550100, separated by commas, spaces or new lines."
        )
    found = list(dict.fromkeys([*extra, *parsed.numbers]))
    if not found:
        return [], "Add at least one number to port."
    toll_free = [n for n in found if is_toll_free(n)]
    if toll_free:
        verb = plural(len(toll_free), "is", "are", bare=True)
        them = plural(len(toll_free), "it", "them", bare=True)
        return [], (
            f"{number_list(toll_free, 5)} {verb} toll-free: Twilio's Porting API can't port "
            f"toll-free numbers. Remove {them} here and file {them} in the Twilio Console."
        )
    foreign = [n for n in found if not is_us(n)]
    if foreign:
        return [], (
            f"{number_list(foreign, 5)}: the Porting API ports US numbers only. Remove them "
            "here and start a manual port for them: /port-in with only those numbers."
        )
    if len(found) > MAX_NUMBERS:
        return [], (
            f"That is {len(found):,} numbers; one port-in request takes at most "
            f"{MAX_NUMBERS:,}. Split the list into several requests."
        )
    return found, None


def po_box(street: str) -> str | None:
    """The error for a service address line that is a PO Box."""
    if not PO_BOX.search(street):
        return None
    return (
        "A PO Box is not a service address: the carrier compares the street address where the "
        "lines are installed, as on its customer service record (CSR). Enter that address."
    )


def state(raw: str) -> tuple[str | None, str | None]:
    """The USPS code for ``raw`` (``ca`` → ``CA``), or the error naming the code to use."""
    code = raw.strip().upper()
    if code in STATES:
        return code, None
    named = STATE_NAMES.get(_name_key(raw))
    if named:
        return None, f"Use the two-letter USPS code: {named}, not “{raw.strip()[:40]}”."
    return None, f"“{raw[:40]}” is not a US state: use its two-letter USPS code, e.g. CA or NY."


def zip_code(raw: str) -> str | None:
    if ZIP.match(raw):
        return None
    return f"“{raw[:20]}” is not a US ZIP code: use 5 digits or ZIP+4 (94105 or 94105-1234)."


def target_date(target: date, today: date, calendar: BusinessCalendar) -> str | None:
    """The error for a target date the carrier would refuse: under ``MIN_TARGET_DAYS`` days
    away, a weekend or a US federal holiday. It names a business day that works."""
    earliest = today + timedelta(days=MIN_TARGET_DAYS)
    first_ok = calendar.add_business_days(max(target, earliest), 0)
    if target < earliest:
        return (
            f"Target date must be on or after {day(earliest)} — {MIN_TARGET_DAYS} days from "
            f"today; the first business day that works is {weekday(first_ok)}. The carrier "
            "then confirms the actual date."
        )
    if target.weekday() >= 5:
        return (
            f"{day(target)} is a {target:%A}: carriers port on business days only. Pick a "
            f"weekday, e.g. {weekday(first_ok)}."
        )
    if name := calendar.holiday(target):
        return (
            f"{day(target)} is {name}, a US federal holiday: carriers don't port on holidays. "
            f"Pick another business day, e.g. {weekday(first_ok)}."
        )
    return None


def bill_date(issued: date | None, today: date) -> str | None:
    oldest = today - timedelta(days=BILL_MAX_AGE_DAYS)
    if issued is None:
        return "Enter the date printed on the bill."
    if issued > today:
        return "The bill date can't be in the future."
    if issued < oldest:
        return (
            f"This bill is from {day(issued)}: Twilio needs one issued in the last "
            f"{BILL_MAX_AGE_DAYS} days (on or after {day(oldest)}). Ask the customer for a newer "
            "bill."
        )
    return None


def account_phone(raw: str) -> tuple[str | None, str | None]:
    """The account telephone number (BTN) in E.164, or the error."""
    number = to_e164(raw)
    if number is None or not is_us(number):
        return None, (
            f"“{raw[:30]}” is not a valid US phone number: give the billing telephone number "
            "of the carrier account, e.g. (415) 555-0100."
        )
    return number, None


# -- warnings (step 2, before filing) ------------------------------------------------------


def _words(name: str) -> list[str]:
    return re.findall(r"[^\W\d_]+", name.lower())


def looks_like_a_person(name: str, representative: str) -> bool:
    """A business name that reads like a person's: the representative's own name, a name
    sharing their surname, or ``First M. Last`` — and no word a business name has."""
    if BUSINESS_WORDS.search(name):
        return False
    words, rep = _words(name), _words(representative)
    if not 2 <= len(words) <= 4:
        return False
    if words == rep or (rep and words[-1] == rep[-1]):
        return True
    return bool(re.fullmatch(r"\s*[A-Za-z'-]+\s+[A-Za-z]\.?\s+[A-Za-z'-]+\s*", name))


def warnings(details: PortInDetails, fileable: list[str]) -> list[str]:
    """What may get these details rejected by the losing carrier and is worth a second look
    (``fileable``: the numbers that will be filed)."""
    out: list[str] = []
    a = details.address
    street = " ".join(p for p in (a.street, a.street_2) if p)
    if match := BILLING_WORDS.search(street):
        out.append(
            f"The service address looks like a billing or mailing address (“{match.group(0)}”). "
            "The carrier compares the address where the lines are installed, as on its CSR: a "
            "billing address is a common rejection (INVALID_ADDRESS)."
        )
    if details.customer_type == "Business" and looks_like_a_person(
        details.customer_name, details.authorized_representative
    ):
        out.append(
            f"“{escape(details.customer_name)}” looks like a person's name, but the account is "
            "marked Business. Use the business's legal name as on the CSR; if the account is in a "
            "person's name, file it as Individual (a name mismatch is a common rejection, "
            "INVALID_END_USER_NAME)."
        )
    btn = details.account_telephone_number
    if btn and btn not in fileable and not details.account_telephone_number_stays:
        out.append(
            f"The account telephone number (BTN) {escape(display(btn))} is not among the numbers "
            "being filed and is not marked as staying with the carrier. If it stays, that's "
            "fine; if it should port too, close this form and add it. Porting the BTN while "
            "other lines stay on the account, or naming the wrong BTN, is a common rejection."
        )
    return out
