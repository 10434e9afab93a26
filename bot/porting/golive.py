"""What setting up ported numbers came to, as said in Slack: the go-live report of one batch
and the alert for a number that left the account. Plain data (stored as outbox payloads and
laid out by ``bot.slack.ui.golive_messages``); nothing secret in them."""

from __future__ import annotations

from pydantic import BaseModel

from bot.work.golive import Departure, GoLiveReport, LiveFailure

__all__ = ["Departure", "GoLiveReport", "LiveFailure", "Liveness", "advice"]

# What to do about each failure Twilio may answer while a number goes live.
ADVICE = {
    21712: (
        "It is in another Messaging Service (perhaps the previous provider's set-up): remove "
        "it there (Console → Messaging → Services → that service → Sender Pool), then press "
        "*Go live*."
    ),
    20404: "Twilio does not know it: check the number in Console → Phone Numbers, then *Go live*.",
}
DEFAULT_ADVICE = "Fix it in the Twilio Console (see Twilio's page), then press *Go live*."
MISSING_ADVICE = (
    "Twilio says it ported, but it is not in this account: look in Console → Phone Numbers → "
    "Manage → Active numbers (and your subaccounts), and open a Twilio support ticket with the "
    "port-in request's SID if it is not there."
)
DEPARTURE_ADVICE = (
    "If nobody here asked for it, dispute the port-out in the Twilio Console within 48 hours: "
    "Console → Phone Numbers → Port & Host → Port-out requests (or a support ticket naming the "
    "number). If it was released on purpose, acknowledge this alert saying so."
)


def advice(code: int | None) -> str:
    return ADVICE.get(code or 0, DEFAULT_ADVICE)


class Liveness(BaseModel):
    """A number as the desk knows it past its port: its go-live (state, profile, what went
    wrong) and whether the last sweep found it in the account (None: no sweep has looked)."""

    phone_number: str
    request_sid: str | None = None
    state: str | None = None  # waiting | live | failed | missing (None: no go-live)
    profile: str | None = None
    detail: str | None = None
    in_account: bool | None = None
