"""Validation of ``POST /v1/Porting/PortIn`` bodies, failing with Twilio-shaped 400 errors.

Codes: 20001 for schema problems (Twilio's generic invalid-parameter code), 22171 when fields
a number needs are missing (PIN / account number for mobile, an address), 22172 for numbers
that are not E.164 or not all US, 22173 for a bad address SID, 22137 for a number already
being ported, 22102 for an invalid number. Codes for date, size and document rules are not
published by Twilio; those use 20001 and are guesses.
"""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from typing import Any, Literal, get_args

from .config import SANDBOX_FOREIGN_ACCOUNT_SID
from .data import CreatePlan, PlannedNumber
from .errors import SandboxError, bad_request
from .number_rules import classify, is_e164
from .state import PortingState

MAX_NUMBERS = 1000
SidPrefix = Literal["AC", "AD", "KW", "PU", "RD", "PN", "MG", "AP", "TK"]
_SIDS: dict[str, re.Pattern[str]] = {
    prefix: re.compile(rf"^{prefix}[0-9a-fA-F]{{32}}$") for prefix in get_args(SidPrefix)
}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_OFFSET_TIME = re.compile(r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")
_CUSTOMER_TYPES = ("Business", "Individual")
_ADDRESS_FIELDS = ("street", "city", "state", "zip", "country")
_LCI_REQUIRED = ("customer_name", "authorized_representative", "authorized_representative_email")
_LCI_KEYS = (
    "customer_type",
    "customer_name",
    "account_number",
    "account_telephone_number",
    "authorized_representative",
    "authorized_representative_email",
    "address_sid",
    "address",
    "authorized_representative_katakana",
    "katakana_name",
    "sub_municipality",
    "building",
)


def is_sid(prefix: SidPrefix, value: str) -> bool:
    """``value`` is a Twilio SID with ``prefix`` (two letters and 32 hex digits)."""
    return bool(_SIDS[prefix].match(value))


def _missing(name: str, code: int = 20001) -> SandboxError:
    return bad_request(f"Missing required parameter {name}", code)


def _text(container: dict[str, Any], key: str, name: str, required: bool) -> str | None:
    value = container.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise _missing(name)
        return None
    if not isinstance(value, str):
        raise bad_request(f"Invalid parameter {name}: expected a string")
    return value


def _lci(raw: Any) -> dict[str, Any]:
    name = "losing_carrier_information"
    if raw is None:
        raise _missing(name)
    if not isinstance(raw, dict):
        raise bad_request(f"Invalid parameter {name}: expected an object")
    for key in _LCI_REQUIRED:
        _text(raw, key, f"{name}.{key}", required=True)
    email = raw["authorized_representative_email"]
    if not _EMAIL.match(email):
        raise bad_request(f"Invalid parameter {name}.authorized_representative_email: {email!r}")
    customer_type = _text(raw, "customer_type", f"{name}.customer_type", required=False)
    if customer_type is not None and customer_type not in _CUSTOMER_TYPES:
        raise bad_request(
            f"Invalid parameter {name}.customer_type: must be one of {', '.join(_CUSTOMER_TYPES)}"
        )
    for key in ("account_number", "account_telephone_number"):
        _text(raw, key, f"{name}.{key}", required=False)
    address_sid = _text(raw, "address_sid", f"{name}.address_sid", required=False)
    address = raw.get("address")
    if address_sid is None and address is None:
        # GUESS: 22171 (required fields missing); either form of address is needed for the LOA.
        raise _missing(f"{name}.address or {name}.address_sid", 22171)
    if address_sid is not None and not is_sid("AD", address_sid):
        raise bad_request(f"Invalid parameter {name}.address_sid: {address_sid!r}", 22173)
    if address is not None:
        if not isinstance(address, dict):
            raise bad_request(f"Invalid parameter {name}.address: expected an object")
        for key in _ADDRESS_FIELDS:
            _text(address, key, f"{name}.address.{key}", required=True)
        _text(address, "street_2", f"{name}.address.street_2", required=False)
    lci = {key: raw.get(key) for key in _LCI_KEYS}
    if address is not None:
        lci["address"] = {
            "street": address["street"],
            "street_2": address.get("street_2"),
            "city": address["city"],
            "state": address["state"],
            "zip": address["zip"],
            "country": address["country"],
        }
    return lci


def _documents(raw: Any, state: PortingState) -> list[str]:
    if raw is None:
        raise _missing("documents")
    if not isinstance(raw, list) or not raw:
        raise bad_request("Invalid parameter documents: at least one document SID is required")
    has_bill = False
    for sid in raw:
        if not isinstance(sid, str) or not is_sid("RD", sid):
            raise bad_request(f"Invalid parameter documents: {sid!r} is not a document SID")
        document = state.documents.get(sid)
        if document is None:
            # GUESS: 400/20001 rather than 404 for an unknown document in the body.
            raise bad_request(f"Invalid parameter documents: document {sid} was not found")
        if document.document_type == "utility_bill" and document.mime_type:
            has_bill = True
    if not has_bill:
        raise bad_request(
            "Invalid parameter documents: at least one uploaded utility_bill with content is "
            "required"
        )
    return list(raw)


def _pin(entry: dict[str, Any], index: int) -> str | None:
    pin = entry.get("pin")
    if pin is None or pin == "":
        return None
    if isinstance(pin, bool) or not isinstance(pin, str | int):
        raise bad_request(f"Invalid parameter phone_numbers[{index}].pin: expected a string")
    return str(pin)


def _numbers(
    raw: Any, lci: dict[str, Any], account_sid: str, state: PortingState
) -> list[PlannedNumber]:
    if raw is None:
        raise _missing("phone_numbers")
    if not isinstance(raw, list) or not raw:
        raise bad_request("Invalid parameter phone_numbers: at least one phone number is required")
    if len(raw) > MAX_NUMBERS:
        raise bad_request(
            f"Invalid parameter phone_numbers: at most {MAX_NUMBERS} numbers per request "
            f"({len(raw)} given)"
        )
    entries: list[tuple[str, str | None]] = []
    seen: set[str] = set()
    for index, entry in enumerate(raw):
        if not isinstance(entry, dict):
            raise bad_request(f"Invalid parameter phone_numbers[{index}]: expected an object")
        number = entry.get("phone_number")
        if not isinstance(number, str) or not number:
            raise _missing(f"phone_numbers[{index}].phone_number")
        if not is_e164(number):
            raise bad_request(
                f"Invalid parameter phone_numbers[{index}].phone_number: {number!r} is not in "
                "E.164 format",
                22172,
            )
        if number in seen:
            raise bad_request(f"Invalid parameter phone_numbers: {number} is listed twice")
        seen.add(number)
        entries.append((number, _pin(entry, index)))

    profiles = [classify(number) for number, _ in entries]
    countries = {p.country for p in profiles if p.country}
    if len(countries) > 1:
        raise bad_request(
            "Phone numbers from several countries ("
            + ", ".join(sorted(countries))
            + ") cannot be in one port in request",
            22172,
        )
    planned: list[PlannedNumber] = []
    active = state.active_numbers()
    for index, ((number, pin), profile) in enumerate(zip(entries, profiles, strict=True)):
        if profile.error is not None and profile.error.code != 22135:
            raise bad_request(f"{number}: {profile.error.message}", profile.error.code)
        if profile.country != "US":
            # GUESS: 22172; the Porting API only ports US numbers.
            raise bad_request(
                f"{number} is not a US number; only US numbers can be ported with the API", 22172
            )
        if profile.number_type == "TOLL-FREE":
            # GUESS: 22133 (manual porting), as the portability check answers.
            raise bad_request(
                f"{number} is toll-free; toll-free numbers cannot be ported with the API", 22133
            )
        if number in active:
            raise bad_request(
                f"{number}: Port is already in progress with one of your Twilio accounts", 22137
            )
        if profile.pin_required:
            if pin is None:
                raise _missing(f"phone_numbers[{index}].pin (required for {number})", 22171)
            if not lci.get("account_number"):
                raise _missing(
                    f"losing_carrier_information.account_number (required for {number})", 22171
                )
        answer = state.portability(number, account_sid, active)
        planned.append(PlannedNumber(number, pin, profile, answer.reason))
    return planned


def _target_date(raw: Any, state: PortingState) -> date | None:
    if raw is None:
        return None
    try:
        target = date.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        target = None
    if target is None or len(raw) != 10:
        raise bad_request(f"Invalid parameter target_port_in_date: {raw!r} is not YYYY-MM-DD")
    earliest = state.clock.today() + timedelta(days=state.config.min_target_days)
    if target < earliest:
        # GUESS: 20001; Twilio documents the 7-day rule but not its error code.
        raise bad_request(
            f"Invalid parameter target_port_in_date: must be at least "
            f"{state.config.min_target_days} days in the future (on or after {earliest})"
        )
    return target


def _offset_time(body: dict[str, Any], key: str) -> str | None:
    raw = body.get(key)
    if raw is None:
        return None
    if not isinstance(raw, str) or not _OFFSET_TIME.match(raw):
        raise _bad_time(key, raw)
    try:
        time.fromisoformat(raw)
    except ValueError:
        raise _bad_time(key, raw) from None
    return raw


def _bad_time(key: str, raw: Any) -> SandboxError:
    return bad_request(
        f"Invalid parameter {key}: {raw!r} is not an ISO offset time such as 10:15:00-08:00"
    )


def _emails(raw: Any) -> list[str] | None:
    if raw is None:
        return None
    if not isinstance(raw, list) or not all(isinstance(e, str) and _EMAIL.match(e) for e in raw):
        raise bad_request("Invalid parameter notification_emails: expected a list of e-mails")
    return list(raw)


def validate_create(body: Any, state: PortingState) -> CreatePlan:
    """Check a create body against the spec and the sandbox's state; return what to create."""
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object")
    account_sid = body.get("account_sid")
    if account_sid is None:
        raise _missing("account_sid")
    if not isinstance(account_sid, str) or not is_sid("AC", account_sid):
        raise bad_request(f"Invalid parameter account_sid: {account_sid!r}")
    if account_sid == SANDBOX_FOREIGN_ACCOUNT_SID:
        raise SandboxError(403, 20003, f"Permission denied for account {account_sid}")
    lci = _lci(body.get("losing_carrier_information"))
    documents = _documents(body.get("documents"), state)
    target = _target_date(body.get("target_port_in_date"), state)
    start = _offset_time(body, "target_port_in_time_range_start")
    end = _offset_time(body, "target_port_in_time_range_end")
    emails = _emails(body.get("notification_emails"))
    numbers = _numbers(body.get("phone_numbers"), lci, account_sid, state)
    extras = {}
    for key in ("bundle_sid", "portability_advance_carrier", "auto_cancel_approval_numbers"):
        value = body.get(key)
        if value is not None and not isinstance(value, str):
            raise bad_request(f"Invalid parameter {key}: expected a string")
        extras[key] = value
    return CreatePlan(
        account_sid=account_sid,
        documents=documents,
        losing_carrier_information=lci,
        numbers=numbers,
        notification_emails=emails,
        target_port_in_date=target,
        target_port_in_time_range_start=start,
        target_port_in_time_range_end=end,
        **extras,
    )
