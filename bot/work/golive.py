"""The Slack work of go-live and the inventory: a go-live batch's reply in the request's thread
(or, for numbers named missing, the alert in the porting channel), and the alert for a number
that left the account (in the porting channel, and in its request's thread)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from bot.work.base import Work


class LiveFailure(BaseModel):
    """A number Twilio refused to set up: its code, message and link."""

    number: str
    code: int | None = None
    message: str
    link: str | None = None


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


class GoLive(Work):
    """A go-live batch's reply in the request's thread, or (``channel``) the alert there for
    the numbers it names missing; once per batch."""

    kind: Literal["golive"] = "golive"
    OWNER_FIELD = "request_sid"
    request_sid: str
    batch: int
    channel: str | None = None
    report: GoLiveReport

    def key(self) -> str:
        alert = "-alert" if self.channel else ""
        return f"golive{alert}:{self.request_sid}:{self.batch}"


class Departed(Work):
    """The alert for a number that left the account: in ``channel`` (the porting channel's,
    under the owner ``inventory``), or in its request's thread (``channel`` None). Once per
    departure."""

    kind: Literal["departed"] = "departed"
    OWNER_FIELD = "owner_id"
    owner_id: str
    channel: str | None = None
    departure: Departure

    def key(self) -> str:
        where = "" if self.channel else "-thread"
        gone = self.departure.gone_at.isoformat()
        return f"departed{where}:{self.departure.phone_number}:{gone}"
