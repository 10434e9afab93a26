"""What a re-filing of rejected numbers is made of (pure; the Block Kit builders take these):
where the form's prefill comes from, the bill Twilio already holds, and what step 2 names.

Nothing here is secret: the account number and PINs are never stored, so the form asks for
them again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from bot.porting.filing import BILL_MAX_AGE_DAYS

# What a portability check answers for a number still in the request being re-filed (it
# leaves that request when the filing cancels it there first).
IN_ANOTHER_REQUEST = (22131, 22137)


@dataclass(frozen=True)
class Rejection:
    """Rejected numbers sharing one reason, as Twilio wrote it."""

    code: str | None
    name: str | None
    numbers: tuple[str, ...]


@dataclass(frozen=True)
class HeldBill:
    """The utility bill Twilio holds for the old request (its documents), reused when it is
    still within 30 days of its date."""

    documents: tuple[str, ...]
    name: str
    issued_on: date | None  # the date printed on it, known when the bot filed it
    latest: date | None  # it was uploaded by then (the old request's creation): dated no later

    def reusable(self, today: date) -> bool:
        """Still young enough to file with, as far as we know (an unknown date is asked)."""
        oldest = today - timedelta(days=BILL_MAX_AGE_DAYS)
        if self.issued_on is not None:
            return self.issued_on >= oldest
        return self.latest is None or self.latest >= oldest


@dataclass(frozen=True)
class Prefill:
    """The old request's details, as the bot filed them or as Twilio's copy has them."""

    customer_name: str | None = None
    customer_type: str | None = None
    account_telephone_number: str | None = None
    street: str | None = None
    street_2: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    country: str | None = None
    authorized_representative: str | None = None
    authorized_representative_email: str | None = None
    notification_emails: tuple[str, ...] = ()
    target_port_in_date: date | None = None
    channel_id: str | None = None
    golive_profile: str | None = None


@dataclass(frozen=True)
class RefileSource:
    """What the Re-file form opens with: the rejected numbers and the old request's details."""

    request_sid: str
    customer: str
    numbers: tuple[str, ...]  # to re-file (E.164)
    rejections: tuple[Rejection, ...]
    prefill: Prefill
    bill: HeldBill | None
    saved: bool  # prefilled from what the bot filed (else from Twilio's copy)
    refiled_as: RefiledAs | None = None  # these numbers were already re-filed


@dataclass(frozen=True)
class RefiledAs:
    """The request that already re-files the numbers, and its thread (if it has one)."""

    request_sid: str
    channel_id: str | None = None
    thread_ts: str | None = None


@dataclass(frozen=True)
class RefilePlan:
    """Step 2 of a re-filing: which numbers leave the old request before the new one is
    filed, and why they were rejected (for the hints on the account number and PINs)."""

    request_sid: str
    customer: str
    cancel: tuple[str, ...]
    rejections: tuple[Rejection, ...] = field(default=())
