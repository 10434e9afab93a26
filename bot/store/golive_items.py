"""The outbox payloads of go-live and the inventory: a batch's report in the request's thread
(and the channel's alert for numbers named missing), and the alert for a number that left the
account (in the porting channel, and in its request's thread if the bot ported it)."""

from __future__ import annotations

from pydantic import BaseModel

from bot.porting.golive import Departure, GoLiveReport


class GoLivePayload(BaseModel):
    report: GoLiveReport
    channel: str | None = None  # the alert's channel (None: the request's thread)


class DeparturePayload(BaseModel):
    departure: Departure
    channel: str | None = None  # the porting channel's alert (None: the request's thread)
