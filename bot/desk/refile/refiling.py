"""Re-filing rejected numbers: the form's prefill (what the bot filed, else Twilio's copy of
the request), the portability re-check that lets them through while the old request still
holds them, and the cancel in the old request that comes before the new filing.

Twilio has no way to update a request: the documented fix for a rejection is to cancel the
numbers and file them again with corrected details. The filing itself is ``bot.desk.filing``.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Sequence

from bot.desk.cancel import Cancels
from bot.desk.refile.types import (
    IN_ANOTHER_REQUEST,
    HeldBill,
    Prefill,
    RefiledAs,
    RefilePlan,
    RefileSource,
    Rejection,
)
from bot.desk.snapshots import snapshot_of
from bot.desk.sync import Requests
from bot.desk.types import CancelBusy, Draft, FilingFailed, FilingStep, RequestSnapshot
from bot.errors import NotFound
from bot.porting.errors import TwilioError
from bot.porting.filing import PortInDetails
from bot.porting.models import PortInNumber, PortInRequest
from bot.porting.phone import display
from bot.porting.statuses import NumberStatus, number_status
from bot.store import refiles, request_state
from bot.store.db import Database
from bot.store.request_state import StoredRequest

log = logging.getLogger(__name__)

READS_AT_ONCE = 4  # under the smallest connection pool (SQLite's: 5)

# A number named on a rejection reply may since have been canceled (Cancel number): it is
# still the one to file again.
_REFILABLE = (NumberStatus.PORT_REJECTED, NumberStatus.CANCELED)


class Refiles:
    def __init__(self, db: Database, requests: Requests, cancels: Cancels) -> None:
        self.db = db
        self.requests = requests
        self.cancels = cancels
        # A burst of Re-file clicks reads a few at a time: each read takes about a
        # millisecond, while more at once than the pool holds would each open (and close) a
        # connection of their own, which costs more than waiting.
        self._reads = asyncio.Semaphore(READS_AT_ONCE)

    async def _stored(self, request_sid: str) -> StoredRequest:
        """The request as stored; one never seen is fetched from Twilio (and stored) first.
        Raises TwilioError when Twilio does not have it."""
        stored = await request_state.load(self.db, request_sid)
        if stored is None:
            await self.requests.snapshot(request_sid)
            stored = await request_state.load(self.db, request_sid)
        if stored is None:
            raise NotFound(request_sid)
        return stored

    async def source(
        self, request_sid: str, numbers: Sequence[str] = (), code: str | None = None
    ) -> RefileSource:
        """What the Re-file form of ``request_sid`` opens with: ``numbers`` (those still
        rejected or since canceled), else its rejected numbers (with ``code`` only, if given).

        Read from the store (fast: the form opens on a trigger_id that lives ~3 s): the
        details the bot filed it with, else Twilio's copy of ``losing_carrier_information``
        as the last sync stored it (Twilio is asked only for a request never stored).
        """
        async with self._reads:
            stored = await refiles.load_rejected(self.db, request_sid, numbers)
        if stored is None:  # never stored: Twilio's copy, stored as any other first
            await self.requests.snapshot(request_sid)
            stored = await refiles.load_rejected(self.db, request_sid, numbers)
        if stored is None:
            raise NotFound(request_sid)
        snapshot = snapshot_of(stored)
        picked = _picked(snapshot.request.phone_numbers, numbers, code)
        saved = stored.state.filed_details
        details = PortInDetails.model_validate_json(saved) if saved else None
        request = snapshot.request
        channel = snapshot.thread.channel_id if snapshot.thread else None
        refiled = numbers or [n.phone_number for n in picked if n.phone_number]
        async with self._reads:
            already = await refiles.refiled_as(self.db, request_sid, refiled)
        return RefileSource(
            request_sid=request_sid,
            customer=_customer(request, details),
            numbers=tuple(n.phone_number or "" for n in picked),
            rejections=_rejections(picked),
            prefill=_prefill(request, details, channel),
            bill=_held_bill(request, details),
            saved=details is not None,
            refiled_as=RefiledAs(*already) if already else None,
        )

    async def let_through(self, draft: Draft) -> None:
        """A number the old request still holds answers "already being ported" on the
        re-check; it leaves that request right before the filing, so it can be filed."""
        if not draft.refile_of or not draft.checks:
            return
        held = await self._held_numbers(draft.refile_of)
        for result in draft.checks:
            if (
                not result.portable
                and result.error is None
                and result.reason_code in IN_ANOTHER_REQUEST
                and result.number in held
            ):
                result.portable, result.reason_code, result.reason = True, None, None

    async def plan(self, draft: Draft) -> RefilePlan | None:
        """What step 2 of a re-filing names: the numbers canceled in the old request first."""
        if not draft.refile_of:
            return None
        stored = await self._stored(draft.refile_of)
        snapshot = snapshot_of(stored)
        in_old = {n.phone_number: n for n in snapshot.request.phone_numbers if n.phone_number}
        moving = [in_old[n] for n in draft.fileable if n in in_old]
        return RefilePlan(
            request_sid=draft.refile_of,
            customer=_customer(snapshot.request, None),
            cancel=tuple(n.phone_number or "" for n in moving if n.status.cancellable),
            rejections=_rejections(moving),
        )

    async def moving(self, draft: Draft) -> list[str]:
        """The draft's numbers that the old request holds (in any status)."""
        if not draft.refile_of:
            return []
        stored = await self._stored(draft.refile_of)
        in_old = {n.phone_number for n in stored.numbers}
        return [n for n in draft.fileable if n in in_old]

    async def chain(self, request_sid: str) -> refiles.Chain:
        return await refiles.chain(self.db, request_sid)

    async def cancel_old(self, draft: Draft, user_id: str) -> list[str]:
        """Cancel the draft's numbers in the old request (Twilio refuses to port a number that
        is still in another request); returns them. Numbers canceled before (an earlier press
        of *File*, or *Cancel number*) are not canceled again. Raises FilingFailed at the
        cancel step, naming what is canceled and what is not, when any of them is still
        there: then nothing is filed."""
        old = draft.refile_of
        assert old is not None
        moving = await self.moving(draft)
        if not moving:
            return []
        try:
            outcome = await self.cancels.cancel_numbers(old, moving, user_id)
        except CancelBusy as busy:
            if busy.claim.status == "done":
                return moving  # the whole old request was canceled: its numbers are free
            raise _cancel_failed(
                old, [], f"<@{busy.claim.user_id}> is canceling the whole request right now"
            ) from None
        except TwilioError as error:
            raise _cancel_failed(old, [], error.message, error) from None
        now = _statuses(outcome.snapshot) if outcome.snapshot else {}
        free = [
            n
            for n in moving
            if now.get(n) == NumberStatus.CANCELED
            or (n in outcome.canceled and now.get(n) != NumberStatus.CANCELING)
        ]
        if len(free) == len(moving):
            return moving
        why: dict[str, str] = {n: "Twilio is still canceling it" for n in moving}
        why.update({n: reason.removeprefix("it is ") for n, reason in outcome.skipped})
        why.update({n: f"<@{h.user_id}> is canceling it" for n, h in outcome.busy})
        why.update({n: f"Twilio refused: {e.message}" for n, e in outcome.failed})
        left = "; ".join(f"{display(n)}: {why[n]}" for n in moving if n not in free)
        refusal = outcome.failed[0][1] if outcome.failed else None
        raise _cancel_failed(old, free, f"still in the old request: {left}", refusal)

    async def _held_numbers(self, request_sid: str) -> set[str]:
        _, numbers = await request_state.load_request(self.db, request_sid)
        return {n.phone_number for n in numbers if not number_status(n.status).terminal}


def _statuses(snapshot: RequestSnapshot) -> dict[str, NumberStatus]:
    return {n.phone_number: n.status for n in snapshot.request.phone_numbers if n.phone_number}


def _cancel_failed(
    old: str, canceled: list[str], reason: str, error: TwilioError | None = None
) -> FilingFailed:
    failure = FilingFailed(FilingStep.CANCEL, reason, error)
    failure.refile_of, failure.canceled = old, canceled
    return failure


def _picked(
    numbers: Sequence[PortInNumber], wanted: Sequence[str], code: str | None
) -> list[PortInNumber]:
    if wanted:
        asked = set(wanted)
        return [n for n in numbers if n.phone_number in asked and n.status in _REFILABLE]
    rejected = [n for n in numbers if n.phone_number and n.status == NumberStatus.PORT_REJECTED]
    if code:
        rejected = [n for n in rejected if (n.rejection_reason_code or "") == code]
    return rejected


def _rejections(numbers: Sequence[PortInNumber]) -> tuple[Rejection, ...]:
    by_code: dict[tuple[str | None, str | None], list[str]] = defaultdict(list)
    for n in numbers:
        if n.rejection_reason_code or n.rejection_reason:
            by_code[(n.rejection_reason_code, n.rejection_reason)].append(n.phone_number or "")
    return tuple(Rejection(c, name, tuple(ns)) for (c, name), ns in by_code.items())


def _customer(request: PortInRequest, details: PortInDetails | None) -> str:
    if details is not None:
        return details.customer_name
    lci = request.losing_carrier_information
    return (lci.customer_name if lci else None) or "customer not on file"


def _prefill(request: PortInRequest, details: PortInDetails | None, channel: str | None) -> Prefill:
    if details is not None:
        a = details.address
        return Prefill(
            customer_name=details.customer_name,
            customer_type=details.customer_type,
            account_telephone_number=details.account_telephone_number,
            street=a.street,
            street_2=a.street_2,
            city=a.city,
            state=a.state,
            zip=a.zip,
            country=a.country,
            authorized_representative=details.authorized_representative,
            authorized_representative_email=details.authorized_representative_email,
            notification_emails=tuple(details.notification_emails),
            target_port_in_date=details.target_port_in_date,
            channel_id=channel or details.channel_id,
            golive_profile=details.golive_profile,
        )
    lci = request.losing_carrier_information
    address = lci.address if lci else None
    return Prefill(
        customer_name=lci.customer_name if lci else None,
        customer_type=lci.customer_type if lci else None,
        account_telephone_number=lci.account_telephone_number if lci else None,
        street=address.street if address else None,
        street_2=address.street_2 if address else None,
        city=address.city if address else None,
        state=address.state if address else None,
        zip=address.zip if address else None,
        country=address.country if address else None,
        authorized_representative=lci.authorized_representative if lci else None,
        authorized_representative_email=lci.authorized_representative_email if lci else None,
        notification_emails=tuple(request.notification_emails or ()),
        target_port_in_date=request.target_port_in_date,
        channel_id=channel,
    )


def _held_bill(request: PortInRequest, details: PortInDetails | None) -> HeldBill | None:
    created = request.date_created.date() if request.date_created else None
    if details is not None and (details.bill.documents or request.documents):
        bill = details.bill
        documents = tuple(bill.documents or request.documents or ())
        return HeldBill(documents, bill.name, bill.issued_on, created)
    if request.documents:
        return HeldBill(tuple(request.documents), "the bill Twilio holds", None, created)
    return None
