"""A :class:`~bot.desk.types.RequestUpdate` as the outbox stores it: a thread reply's change
set, ``bot.work.ChangeSet``, made once here; the reply and its CSV are drawn from it as stored
(``bot.slack.ui.thread_replies``).

Kept apart from ``bot.desk.types`` so that those types, which the Block Kit builders take,
stay plain.
"""

from __future__ import annotations

from datetime import datetime

from bot.desk.types import RequestUpdate
from bot.porting.statuses import status_words
from bot.work import ChangedNumber, ChangeSet


def change_set(
    update: RequestUpdate, filed_by: str | None = None, status_since: datetime | None = None
) -> ChangeSet:
    """The change set as the outbox stores it (only the changed numbers; no secrets), with
    when the request entered its status and who signs its LOA."""
    lci = update.request.losing_carrier_information
    return ChangeSet(
        request_sid=update.request.request_sid,
        status=status_words(update.request.status, update.request.raw_status),
        old_status=(update.old_raw or update.old_status.value) if update.old_status else None,
        numbers=[
            ChangedNumber(
                phone_number=c.number.phone_number,
                number_sid=c.number.number_sid,
                port_date=c.number.port_date,
                rejection_reason=c.number.rejection_reason,
                rejection_reason_code=c.number.rejection_reason_code,
                status=status_words(c.new, c.number.raw_status),
                old=(c.was or c.old.value) if c.old else None,
            )
            for c in update.number_changes
        ],
        canceled_by=update.canceled_by,
        filed_by=filed_by,
        status_since=status_since,
        signer=lci.authorized_representative if lci else None,
        signer_email=lci.authorized_representative_email if lci else None,
    )
