"""The LOA's signing link, for the person who filed the request only.

Twilio's ``signature_request_url`` signs the LOA on the customer's behalf, so it is treated
as a credential: fetched from Twilio each time its filer asks (never stored, never logged),
and handed back to the Slack side to show that person alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.porting.client import TwilioPortingClient
from bot.porting.statuses import RequestStatus
from bot.store import request_state
from bot.store.db import Database


@dataclass(frozen=True)
class SigningLink:
    """What the filer may be told. ``allowed`` is False for anyone else (then nothing was
    asked of Twilio); ``url`` is None when Twilio gave none, and it is only set while the
    request waits for the signature."""

    request_sid: str
    filed_by: str | None
    allowed: bool
    waiting: bool = False
    status_label: str | None = None
    url: str | None = None
    signer: str | None = None
    signer_email: str | None = None

    def __repr__(self) -> str:  # never the URL, whatever prints this
        return f"SigningLink({self.request_sid}, allowed={self.allowed}, waiting={self.waiting})"


class SigningLinks:
    def __init__(self, twilio: TwilioPortingClient, db: Database) -> None:
        self.twilio = twilio
        self.db = db

    async def signing_link(self, request_sid: str, user_id: str) -> SigningLink:
        """The request's signing link for ``user_id`` if they filed it (fresh from Twilio;
        raises TwilioError when Twilio fails)."""
        filed_by = await request_state.filer(self.db, request_sid)
        if filed_by is None or filed_by != user_id:
            return SigningLink(request_sid, filed_by, allowed=False)
        request = await self.twilio.fetch_port_in(request_sid)
        waiting = request.status == RequestStatus.WAITING_FOR_SIGNATURE
        lci = request.losing_carrier_information
        return SigningLink(
            request_sid,
            filed_by,
            allowed=True,
            waiting=waiting,
            status_label=request.status_label,
            url=request.signature_request_url if waiting else None,
            signer=lci.authorized_representative if lci else None,
            signer_email=lci.authorized_representative_email if lci else None,
        )
