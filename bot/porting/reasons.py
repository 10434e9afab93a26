"""What each Twilio portability and rejection code means, and what the team should do next.

Sources: seed 002 (portability reason codes) and porting-operations.md §3.1 (rejection
causes and fixes).
"""

from __future__ import annotations

from dataclasses import dataclass

ERRORS_URL = "https://www.twilio.com/docs/api/errors"


@dataclass(frozen=True)
class Advice:
    code: int | str  # a code that is not a number is kept as Twilio wrote it
    name: str
    meaning: str
    next_step: str

    @property
    def link(self) -> str:
        return f"{ERRORS_URL}/{self.code}" if isinstance(self.code, int) else ERRORS_URL


NOT_PORTABLE: dict[int | str, Advice] = {
    a.code: a
    for a in (
        Advice(
            22130,
            "UNSUPPORTED",
            "Twilio does not serve this country, rate center or carrier.",
            "Nothing to fix on your side: keep the number with its carrier or choose a new "
            "Twilio number.",
        ),
        Advice(
            22131,
            "ALREADY_IN_THE_TARGET_ACCOUNT",
            "The number is already in this Twilio account or is being ported into it.",
            "Check the account's numbers and open port-ins before filing again.",
        ),
        Advice(
            22132,
            "ALREADY_IN_TWILIO_DIFFERENT_OWNER",
            "The number lives on another Twilio account.",
            "Ask the owner to transfer it between Twilio accounts (support ticket), not a port.",
        ),
        Advice(
            22133,
            "MANUAL_PORTING_AVAILABLE",
            "The Porting API cannot port this number (e.g. toll-free or outside the US).",
            "File it in the Twilio Console (US) or open a support ticket (international).",
        ),
        Advice(
            22136,
            "ALREADY_IN_ONE_OF_YOUR_TWILIO_ACCOUNTS",
            "The number is in, or being ported into, another account you own.",
            "Move it between your subaccounts instead of porting it.",
        ),
        Advice(
            22102,
            "INVALID_PHONE_NUMBER",
            "Twilio could not read this as a valid E.164 number.",
            "Check the digits and the country code.",
        ),
        Advice(
            22171,
            "MISSING_REQUIRED_FIELDS",
            "Porting this number needs more information.",
            "Check the number's country requirements before filing.",
        ),
        Advice(
            22135,
            "ERROR_INTERNAL_SERVER_ERROR",
            "Twilio had an internal error evaluating this number.",
            "Check it again later.",
        ),
        Advice(
            20003,
            "UNAUTHORIZED",
            "Twilio refused the credentials or the target account.",
            "Check the bot's Twilio credentials and account SID.",
        ),
    )
}

REJECTION: dict[int | str, Advice] = {
    a.code: a
    for a in (
        Advice(
            22150,
            "CONTACT_SUPPORT_REQUIRED",
            "The losing carrier rejected the port.",
            "E-mail porting@twilio.com with the request SID.",
        ),
        Advice(
            22151,
            "PHONE_NUMBER_WITH_CARRIER_RESTRICTION",
            "The losing carrier has a freeze, hold or unpaid balance on the number.",
            "The customer removes the freeze or pays the balance with the carrier, then re-file.",
        ),
        Advice(
            22152,
            "PHONE_NUMBER_INACTIVE_OR_DISCONNECTED",
            "The number is not active at the losing carrier.",
            "The customer reactivates service first. Never cancel old service before the "
            "port completes.",
        ),
        Advice(
            22153,
            "INVALID_END_USER_NAME",
            "The name does not match the carrier's customer service record.",
            "Get the CSR and copy the name verbatim; cancel this number and file it again.",
        ),
        Advice(
            22154,
            "INVALID_ADDRESS",
            "The service address does not match the carrier's record.",
            "Use the CSR's service address exactly (suite included, no PO box); cancel this "
            "number and file it again.",
        ),
        Advice(
            22155,
            "INVALID_PIN",
            "The port-out PIN is wrong or expired.",
            "Ask the customer for a new port-out PIN, then cancel this number and file it "
            "again with the right PIN.",
        ),
        Advice(
            22156,
            "INVALID_ACCOUNT_NUMBER",
            "The account number is wrong or missing.",
            "Take the account number from the bill or CSR; cancel this number and file it again.",
        ),
        Advice(
            22157,
            "INVALID_SUBSCRIPTION_RIGHT",
            "Invalid subscription right (Japan).",
            "Contact Twilio support.",
        ),
        Advice(
            22158,
            "PORT_DATE_REJECTED",
            "The carrier refused the requested port date (holiday or maintenance).",
            "Pick another business day and re-file.",
        ),
        Advice(
            22159,
            "NUMBER_NOT_PORTABLE_AT_CARRIER",
            "The carrier says the number cannot be ported (special feature or rate center).",
            "Move DSL/alarm/ISDN features off the line, split the order, or escalate.",
        ),
    )
}


def not_portable_advice(code: int | None, name: str | None = None) -> Advice:
    if code in NOT_PORTABLE:
        return NOT_PORTABLE[code]
    return Advice(
        code or 0,
        name or "NOT_PORTABLE",
        "Twilio says this number is not portable.",
        "Check the code on Twilio's error page.",
    )


def _number(code: int | str | None) -> int | str | None:
    """``"22153"`` → 22153: Twilio writes rejection codes as strings inside a request."""
    if isinstance(code, str):
        code = code.strip()
        return int(code) if code.isascii() and code.isdigit() else code or None
    return code


def rejection_advice(code: int | str | None, name: str | None = None) -> Advice:
    code = _number(code)
    if isinstance(code, int) and code in REJECTION:
        return REJECTION[code]
    for advice in REJECTION.values():
        if name and advice.name == name:
            return advice
    return Advice(
        code or 0,
        name or "REJECTED",
        "The losing carrier rejected the port.",
        "Check the rejection reason, then cancel the number and file it again.",
    )
