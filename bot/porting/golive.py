"""What setting up ported numbers came to, as said in Slack: the go-live report of one batch
and the alert for a number that left the account. Plain data (stored as outbox payloads and
laid out by ``bot.slack.ui.golive``); nothing secret in them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

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


class LiveFailure(BaseModel):
    number: str
    code: int | None = None
    message: str
    link: str | None = None

    @property
    def advice(self) -> str:
        return advice(self.code)


class GoLiveReport(BaseModel):
    """One batch of a request's go-live: the numbers now live (by ``profile``), those Twilio
    refused, those not in the account yet (looked for until ``waiting_until``) and those
    named missing after that; ``a2p`` says why texts will be blocked, if they will."""

    request_sid: str
    profile: str
    voice: str | None = None
    messaging: str | None = None
    live: list[str] = []
    failures: list[LiveFailure] = []
    waiting: list[str] = []
    waiting_until: datetime | None = None
    missing: list[str] = []
    a2p: str | None = None
    alert: bool = False  # the channel's alert for ``missing``, not the thread's reply


class Departure(BaseModel):
    """A number that was the account's and is no longer: ported away or released."""

    phone_number: str
    last_seen: datetime | None
    gone_at: datetime
    request_sid: str | None = None  # the bot's port-in that brought it, if any
    source: str = "sweep"  # "sweep" or "port_out" (Twilio's webhook)
    acknowledged_by: str | None = None


class Liveness(BaseModel):
    """A number as the desk knows it past its port: its go-live (state, profile, what went
    wrong) and whether the last sweep found it in the account (None: no sweep has looked)."""

    phone_number: str
    request_sid: str | None = None
    state: str | None = None  # waiting | live | failed | missing (None: no go-live)
    profile: str | None = None
    detail: str | None = None
    in_account: bool | None = None
