"""Deterministic sandbox test numbers and the portability rules that apply to any number.

Test numbers (all are valid numbers for ``phonenumbers``; 555-01XX numbers are fictional):

==========================  ==================================================================
Number(s)                   Behaviour
==========================  ==================================================================
+1 415 555 0100 – 0129      portable LOCAL, no PIN; ports normally
+1 415 555 0130             200 ``portable: false``, 22130 ``UNSUPPORTED``
+1 415 555 0131             200 ``portable: false``, 22131 ``ALREADY_IN_THE_TARGET_ACCOUNT``
+1 415 555 0132             200 ``portable: false``, 22132 ``ALREADY_IN_TWILIO_DIFFERENT_OWNER``
+1 415 555 0133             200 ``portable: false``, 22133 ``MANUAL_PORTING_AVAILABLE``
+1 415 555 0136             200 ``portable: false``, 22136 ``ALREADY_IN_ONE_OF_YOUR_…_ACCOUNTS``
+1 415 555 0134             400 error 22102 ``INVALID_PHONE_NUMBER`` (also refused on create)
+1 415 555 0135             500 error 22135 (portability check only; a port-in works normally)
+1 415 555 0137             400 error 22171 ``MISSING_REQUIRED_FIELDS`` (also refused on create)
+1 415 555 0150 – 0156      portable LOCAL; the losing carrier rejects it with 22150 – 22156
+1 415 555 0158, 0159       portable LOCAL; the losing carrier rejects it with 22158 / 22159
+1 415 555 0200 – 0299      portable MOBILE, ``pin_and_account_number_required: true``;
                            PIN ``0000`` → the carrier rejects it with 22155 ``INVALID_PIN``
any toll-free (8XX) number  200 ``portable: false``, 22133, ``number_type: TOLL-FREE``
any non-US number           200 ``portable: false``, 22133 ``MANUAL_PORTING_AVAILABLE``
any other valid US number   portable LOCAL, no PIN
==========================  ==================================================================

State also matters: a number in an active sandbox port-in answers 22131 (being ported into the
target account) or 22136 (into another of your accounts); a number the sandbox already ported in
answers the same way, with ``account_sid`` set. The five "business" reasons use HTTP 200 unless
``SandboxConfig.not_portable_status_code`` is 400.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

import phonenumbers

from bot.porting.phone import E164_PATTERN, is_toll_free

_E164 = re.compile(E164_PATTERN)
# NANP toll-free area codes; Twilio's own spec example (+18001234567) is not "valid" for
# phonenumbers, so toll-free is decided on the area code as well.
_TOLL_FREE_NPA = {"800", "833", "844", "855", "866", "877", "888"}
_TEST_PREFIX = "+1415555"


class Behaviour(StrEnum):
    PORTABLE = "portable"
    PORTABLE_MOBILE = "portable_mobile"
    NOT_PORTABLE = "not_portable"
    ERROR = "error"
    CARRIER_REJECTS = "carrier_rejects"


@dataclass(frozen=True)
class Reason:
    code: int
    name: str
    message: str = ""
    http_status: int = 200


NOT_PORTABLE_REASONS: dict[int, Reason] = {
    r.code: r
    for r in (
        Reason(
            22130,
            "UNSUPPORTED",
            "Phone number is in a country, rate center, or on a carrier "
            "that is not supported by Twilio.",
        ),
        Reason(
            22131,
            "ALREADY_IN_THE_TARGET_ACCOUNT",
            "Phone number already exists on your "
            "Twilio account or is currently being ported into your Twilio account.",
        ),
        Reason(
            22132,
            "ALREADY_IN_TWILIO_DIFFERENT_OWNER",
            "Phone number already exists on another Twilio account.",
        ),
        Reason(
            22133,
            "MANUAL_PORTING_AVAILABLE",
            "The phone number cannot be ported using the Twilio porting API.",
        ),
        Reason(
            22136,
            "ALREADY_IN_ONE_OF_YOUR_TWILIO_ACCOUNTS",
            "Phone number already exists in "
            "one of your accounts or is currently being ported into one of your Twilio "
            "accounts.",
        ),
    )
}

PORTABILITY_ERRORS: dict[int, Reason] = {
    r.code: r
    for r in (
        Reason(
            22102,
            "INVALID_PHONE_NUMBER",
            "E.164 format is required for numbers in the "
            "portability API. Please resend the request with an e164 formatted phone number.",
            400,
        ),
        Reason(
            22135,
            "ERROR_INTERNAL_SERVER_ERROR",
            "Internal error determining the "
            "portability of this number, please try the request again.",
            500,
        ),
        Reason(
            22171,
            "MISSING_REQUIRED_FIELDS",
            "Phone number requires additional fields to be "
            "ported and these have not been provided.",
            400,
        ),
    )
}

# Losing-carrier rejections (reference §3). 22158/22159 have no enum value in the spec; the
# names below are ours.
REJECTION_REASONS: dict[int, str] = {
    22150: "CONTACT_SUPPORT_REQUIRED",
    22151: "PHONE_NUMBER_WITH_CARRIER_RESTRICTION",
    22152: "PHONE_NUMBER_INACTIVE_OR_DISCONNECTED",
    22153: "INVALID_END_USER_NAME",
    22154: "INVALID_ADDRESS",
    22155: "INVALID_PIN",
    22156: "INVALID_ACCOUNT_NUMBER",
    22158: "PORT_DATE_REJECTED",
    22159: "PHONE_NUMBER_NOT_PORTABLE",
}
INVALID_PIN = "0000"

_NOT_PORTABLE_TEST = {130: 22130, 131: 22131, 132: 22132, 133: 22133, 136: 22136}
_ERROR_TEST = {134: 22102, 135: 22135, 137: 22171}
_REJECT_TEST = {150 + i: 22150 + i for i in range(10) if i != 7}


@dataclass(frozen=True)
class TestNumber:
    """One row of the test-number table (``until`` closes an inclusive range)."""

    __test__ = False  # not a pytest class

    number: str
    behaviour: Behaviour
    description: str
    until: str | None = None
    code: int | None = None


def _n(suffix: int) -> str:
    return f"{_TEST_PREFIX}{suffix:04d}"


TEST_NUMBERS: list[TestNumber] = [
    TestNumber(_n(100), Behaviour.PORTABLE, "Portable LOCAL, no PIN; ports normally.", _n(129)),
    *(
        TestNumber(
            _n(suffix),
            Behaviour.NOT_PORTABLE,
            f"Not portable: {NOT_PORTABLE_REASONS[code].name} (HTTP 200, portable: false).",
            code=code,
        )
        for suffix, code in _NOT_PORTABLE_TEST.items()
    ),
    *(
        TestNumber(
            _n(suffix),
            Behaviour.ERROR,
            f"HTTP {PORTABILITY_ERRORS[code].http_status} error {code} "
            f"{PORTABILITY_ERRORS[code].name}"
            + (" on the portability check only." if code == 22135 else " (also on create)."),
            code=code,
        )
        for suffix, code in _ERROR_TEST.items()
    ),
    *(
        TestNumber(
            _n(suffix),
            Behaviour.CARRIER_REJECTS,
            f"Portable LOCAL; the losing carrier rejects it: {REJECTION_REASONS[code]}.",
            code=code,
        )
        for suffix, code in _REJECT_TEST.items()
    ),
    TestNumber(
        _n(200),
        Behaviour.PORTABLE_MOBILE,
        "Portable MOBILE; PIN and account number required. PIN 0000 → carrier rejects "
        "with INVALID_PIN (22155).",
        _n(299),
        code=22155,
    ),
    TestNumber(
        "+18005551212",
        Behaviour.NOT_PORTABLE,
        "Any toll-free (8XX) number: MANUAL_PORTING_AVAILABLE, number_type TOLL-FREE.",
        code=22133,
    ),
    TestNumber(
        "+442071838750",
        Behaviour.NOT_PORTABLE,
        "Any non-US number: MANUAL_PORTING_AVAILABLE, country from the number.",
        code=22133,
    ),
    TestNumber("+12025550123", Behaviour.PORTABLE, "Any other valid US number: portable LOCAL."),
]


def markdown_table() -> str:
    """The README table of test numbers, generated from :data:`TEST_NUMBERS`."""
    rows = ["| Number | Behaviour | Code | Description |", "|---|---|---|---|"]
    for t in TEST_NUMBERS:
        number = f"{t.number} – {t.until}" if t.until else t.number
        rows.append(f"| `{number}` | {t.behaviour} | {t.code or ''} | {t.description} |")
    return "\n".join(rows)


@dataclass(frozen=True)
class NumberProfile:
    """What the sandbox's "carrier database" knows about a number, before any state."""

    phone_number: str
    country: str | None
    number_type: str  # LOCAL | MOBILE | TOLL-FREE | UNKNOWN
    pin_required: bool = False
    not_portable: Reason | None = None  # business reason: 200 portable:false
    error: Reason | None = None  # the portability check fails with this error
    rejection_code: int | None = None  # the losing carrier rejects after submission

    @property
    def portable(self) -> bool:
        return self.not_portable is None and self.error is None

    def carrier_rejection(self, pin: str | None) -> int | None:
        """The rejection code the carrier will answer with, given the PIN sent."""
        if self.rejection_code is not None:
            return self.rejection_code
        if self.number_type == "MOBILE" and pin == INVALID_PIN:
            return 22155
        return None


def is_e164(text: str) -> bool:
    return bool(_E164.match(text))


def is_nanp_toll_free(e164: str) -> bool:
    """+1 8XX toll-free (other countries' toll-free numbers are simply non-US)."""
    if not e164.startswith("+1") or len(e164) != 12:
        return False
    return e164[2:5] in _TOLL_FREE_NPA or is_toll_free(e164)


def _number_type(parsed: phonenumbers.PhoneNumber) -> str:
    kind = phonenumbers.number_type(parsed)
    if kind == phonenumbers.PhoneNumberType.MOBILE:
        return "MOBILE"
    if kind == phonenumbers.PhoneNumberType.TOLL_FREE:
        return "TOLL-FREE"
    if kind in (
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        return "LOCAL"
    return "UNKNOWN"


def classify(number: str) -> NumberProfile:
    """Apply the table above to one number (as received, possibly not E.164)."""
    if not is_e164(number):
        return NumberProfile(number, None, "UNKNOWN", error=PORTABILITY_ERRORS[22102])
    if is_nanp_toll_free(number):
        return NumberProfile(number, "US", "TOLL-FREE", not_portable=NOT_PORTABLE_REASONS[22133])
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        return NumberProfile(number, None, "UNKNOWN", error=PORTABILITY_ERRORS[22102])
    country = phonenumbers.region_code_for_number(parsed)
    if country != "US":
        return NumberProfile(
            number, country, _number_type(parsed), not_portable=NOT_PORTABLE_REASONS[22133]
        )
    if number.startswith(_TEST_PREFIX):
        suffix = int(number[len(_TEST_PREFIX) :])
        if suffix in _NOT_PORTABLE_TEST:
            code = _NOT_PORTABLE_TEST[suffix]
            kind = "UNKNOWN" if code == 22130 else "LOCAL"
            return NumberProfile(number, "US", kind, not_portable=NOT_PORTABLE_REASONS[code])
        if suffix in _ERROR_TEST:
            error = PORTABILITY_ERRORS[_ERROR_TEST[suffix]]
            return NumberProfile(number, "US", "LOCAL", error=error)
        if suffix in _REJECT_TEST:
            return NumberProfile(number, "US", "LOCAL", rejection_code=_REJECT_TEST[suffix])
        if 200 <= suffix <= 299:
            return NumberProfile(number, "US", "MOBILE", pin_required=True)
    return NumberProfile(number, "US", "LOCAL")
