"""Twilio SIDs: a two-letter prefix naming the resource, then 32 hex digits."""

from __future__ import annotations

import re

SID_NAMES = {
    "AC": "account SID",
    "AD": "address SID",
    "KW": "port-in request SID",
    "PU": "port-in phone number SID",
    "PN": "phone number SID",
    "MG": "Messaging Service SID",
    "AP": "TwiML application SID",
    "TK": "SIP trunk SID",
}
_PATTERNS = {prefix: re.compile(rf"^{prefix}[0-9a-fA-F]{{32}}$") for prefix in SID_NAMES}


def is_sid(value: object, prefix: str) -> bool:
    return isinstance(value, str) and _PATTERNS[prefix].match(value) is not None


def validate_sid(value: str, prefix: str) -> str:
    """Return ``value`` if it is a ``prefix`` + 32 hex SID, else raise ValueError."""
    if not is_sid(value, prefix):
        shown = repr(value)  # values from webhook bodies may be long: shown shortened
        shown = shown if len(shown) <= 42 else shown[:41] + "…"
        raise ValueError(
            f"Invalid {SID_NAMES[prefix]} {shown}: expected {prefix} followed by 32 hex digits"
        )
    return value
