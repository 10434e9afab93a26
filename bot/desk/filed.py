"""A filed port-in recorded: its state, audit entries and claim in one transaction (a re-filing
also the old request's), then applied and given its thread."""

from __future__ import annotations

import logging

from bot import work
from bot.desk.records import Thread
from bot.desk.sync import Requests
from bot.desk.types import (
    Draft,
    FiledPortIn,
    FilingStep,
    RequestSnapshot,
    StepReport,
    describe_error,
)
from bot.porting.models import PortInRequest
from bot.porting.statuses import stored_status
from bot.store import audit, drafts, refiles, request_state
from bot.store.db import Database
from bot.store.models import RequestState, utcnow

log = logging.getLogger(__name__)


class Recorder:
    """What happens once Twilio has the request; failures from here on are reported, never
    raised as "not filed"."""

    def __init__(self, db: Database, requests: Requests) -> None:
        self.db = db
        self.requests = requests

    async def record(
        self,
        default_profile: str | None,
        draft: Draft,
        request: PortInRequest,
        user_id: str,
        key: str,
        on_step: StepReport | None,
        moved: list[str],
    ) -> FiledPortIn:
        """Twilio has the request: record it with who filed it (and, re-filing, the old
        thread's reply naming it), then apply it and open its thread. From here on failures
        are reported, never raised as "not filed"."""
        details = draft.details
        numbers = draft.fileable
        sid = request.request_sid
        log.info("port-in %s filed by %s (%d numbers)", sid, user_id, len(numbers))
        async with self.requests.lock(sid):
            state = RequestState(
                request_sid=sid,
                status=stored_status(request.status, request.raw_status),
                customer_name=details.customer_name,
                target_date=request.target_port_in_date,
                number_count=len(request.phone_numbers),
                filed_by=user_id,
                updated_at=utcnow(),
                filed_details=details.model_dump_json(),
                refile_of=draft.refile_of,
                golive_profile=details.golive_profile or default_profile,
            )
            await self.record_filed(state, request, draft, user_id, key, moved)
            # From here on the request exists: whatever fails is reported, never raised as
            # "not filed" (the reconciler and the outbox catch up).
            snapshot = RequestSnapshot(
                request, None, user_id, state.updated_at, refile_of=draft.refile_of
            )
            thread_error = None
            try:
                _, state = await self.requests.apply(request)
                snapshot.thread = Thread.of(await request_state.get_thread(self.db, sid))
                if snapshot.thread is None:
                    if on_step is not None:
                        await on_step(FilingStep.THREAD)
                    thread_error = await self.open_thread_or_say_why(snapshot, details.channel_id)
                else:  # a webhook adopted it first: show who filed it on its board
                    await self.requests.redraw_board(sid)
                await drafts.delete_draft(self.db, draft.id)
            except Exception as error:
                log.warning("after filing %s: %s", sid, describe_error(error), exc_info=True)
                thread_error = thread_error or describe_error(error)
        documents = details.bill.documents
        return FiledPortIn(
            snapshot,
            documents[0] if documents else "",
            thread_error,
            refile_of=draft.refile_of,
            canceled=moved,
        )

    async def record_filed(
        self,
        state: RequestState,
        request: PortInRequest,
        draft: Draft,
        user_id: str,
        key: str,
        moved: list[str],
    ) -> None:
        """The request's state, its audit entry and the finished claim in one transaction;
        a re-filing adds the old request's audit entry, its thread's reply and a board edit."""
        sid = request.request_sid
        old = draft.refile_of
        filed = audit.entry(
            user_id,
            "port_in.filed",
            "ok",
            request_sid=sid,
            sids=[
                *draft.details.bill.documents,
                *(n.number_sid for n in request.phone_numbers if n.number_sid),
            ],
            numbers=draft.fileable,
            detail=f"re-files {old}" if old else None,
        )
        if old is None:
            await request_state.record_filed(self.db, state, filed, key)
            return
        refiled = audit.entry(  # on the old request: its numbers moved to ``sid``
            user_id,
            "port_in.refiled",
            "ok",
            request_sid=old,
            sids=[sid],
            numbers=moved,
            detail=sid,
        )
        await refiles.record_refiled(
            self.db,
            state,
            [filed, refiled],
            key,
            work.Refiled(request_sid=old, new_request_sid=sid, numbers=moved, user_id=user_id),
            channel=draft.details.channel_id,
            board_seconds=self.requests.policy.board_seconds,
        )
        self.requests.wake_outbox()

    async def open_thread_or_say_why(self, snapshot: RequestSnapshot, channel: str) -> str | None:
        """Open the request's thread; on a Slack failure say why (the root stays queued in the
        outbox, which retries it, so it is late, not lost)."""
        try:
            await self.requests.open_thread(snapshot, channel)
        except Exception as error:
            reason = describe_error(error)
            log.warning("thread of %s not open yet: %s", snapshot.request.request_sid, reason)
            return reason
        return None
