"""What each Twilio portability code means, and what the team should do next.

Source: seed 002 (portability reason codes). What to do about a carrier's rejection
(22150–22159) is in ``bot.porting.playbooks``.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.porting.playbooks import ERRORS_URL


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


def not_portable_advice(code: int | None, name: str | None = None) -> Advice:
    if code in NOT_PORTABLE:
        return NOT_PORTABLE[code]
    return Advice(
        code or 0,
        name or "NOT_PORTABLE",
        "Twilio says this number is not portable.",
        "Check the code on Twilio's error page.",
    )
