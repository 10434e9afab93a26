"""Manual ports, the desk's side: start one, move its steps, add its documents, list them,
and plan their reminders. Every change is one transaction with its audit entry and the Slack
work it causes (the thread's root, replies, files, board edits: ``bot.work``), so the
thread follows the port exactly once whatever happens to the process.

Who may do what is the Slack side's business (``PORTING_ADMINS``); the desk records who did.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from bot import outbox, work
from bot.desk.calendar import BusinessCalendar
from bot.desk.followups import GoLiveQueue
from bot.desk.manual.schedule import (
    ManualDecision,
    ManualFacts,
    ManualReminderRef,
    decide_manual,
    plan_manual_reminders,
)
from bot.desk.manual.steps import ManualMove, StepInput, apply_move
from bot.desk.manual.types import (
    DocumentKind,
    ManualDetails,
    ManualDocument,
    ManualMoved,
    ManualPort,
    ManualStep,
    RejectionReason,
    StepConflict,
    new_manual_id,
)
from bot.desk.profiles import NONE
from bot.desk.records import AuditRecord, Thread
from bot.errors import NotFound
from bot.store import audit, manual_ports, queue
from bot.store.db import Database
from bot.store.golive_runs import GoingLive
from bot.store.manual_ports import ManualQuery, StoredManualPort
from bot.store.models import ManualPortRow, utcnow


def port_of(stored: StoredManualPort) -> ManualPort:
    """A stored manual port as the rest of the bot sees it."""
    row = stored.row
    return ManualPort(
        id=row.id,
        details=ManualDetails.model_validate_json(row.details),
        step=ManualStep(row.step),
        filed_by=row.filed_by,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        step_changed_at=row.step_changed_at,
        thread=Thread.of(stored.thread),
        ticket=row.ticket,
        quote=row.quote,
        quote_at=row.quote_at,
        quote_deadline=row.quote_deadline,
        accepted_at=row.accepted_at,
        approval_due=row.approval_due,
        approved_at=row.approved_at,
        port_date=row.port_date,
        rejection=RejectionReason(row.rejection) if row.rejection else None,
        rejection_note=row.rejection_note,
    )


def document_file(manual_id: str, document: ManualDocument) -> work.ManualFile:
    """The outbox work that copies ``document`` into the port's thread."""
    return work.ManualFile(
        manual_id=manual_id,
        document=document.kind.value,
        file_id=document.file_id,
        name=document.name,
        url=document.url,
        size=document.size,
    )


class ManualPorts:
    """Manual ports over one database and the desk's calendar (``clock`` for tests)."""

    def __init__(
        self,
        db: Database,
        calendar: BusinessCalendar,
        *,
        slack_outbox: outbox.OutboxDoor | None = None,
        thread_wait_seconds: float = 10.0,
        clock: Callable[[], datetime] = utcnow,
        golive: GoLiveQueue | None = None,
    ) -> None:
        self.db = db
        self.calendar = calendar
        self.outbox = slack_outbox
        self.thread_wait_seconds = thread_wait_seconds
        self.clock = clock
        # Go-live (bot.desk.golive): a completed port's numbers set up by its profile.
        self.golive = golive

    def _wake(self) -> None:
        if self.outbox is not None:
            self.outbox.wakeup.set()

    async def wait_for_thread(self, port: ManualPort) -> ManualPort:
        """The port once Slack confirmed its thread's root (for a link to it); as it was
        when Slack is slow or refuses (the root stays queued and is retried)."""
        if self.outbox is None:
            return port
        try:
            await self.outbox.wait(work.manual_root_key(port.id), self.thread_wait_seconds)
        except (outbox.DeliveryError, TimeoutError, NotFound):
            return port
        return await self.get(port.id) or port

    # -- reading ---------------------------------------------------------------------------

    async def get(self, manual_id: str) -> ManualPort | None:
        stored = await manual_ports.get(self.db, manual_id)
        return None if stored is None else port_of(stored)

    async def history(self, manual_id: str) -> list[AuditRecord]:
        return [AuditRecord.of(e) for e in await audit.for_request(self.db, manual_id)]

    async def find(self, query: ManualQuery) -> list[ManualPort]:
        return [port_of(s) for s in await manual_ports.list_ports(self.db, query)]

    async def open_ports(self) -> list[ManualPort]:
        """Every open manual port, oldest first: with :meth:`ManualPort.step`, ``filed_by``,
        ``details.channel_id``, ``thread`` and :func:`bot.desk.manual.schedule.next_deadline`
        (of ``ManualFacts.of(port)``) what the digest and App Home show."""
        return [port_of(s) for s in await manual_ports.open_ports(self.db)]

    # -- starting and moving ---------------------------------------------------------------

    async def start(self, user_id: str, details: ManualDetails) -> ManualPort:
        """Open a manual port: its thread (board, the ready-to-send support request, the
        documents copied in), recorded with who started it."""
        now = self.clock()
        manual_id = new_manual_id()
        row = ManualPortRow(
            id=manual_id,
            step=ManualStep.STARTED.value,
            country=details.country,
            customer_name=details.customer_name[:200],
            number_count=len(details.numbers),
            channel_id=details.channel_id,
            filed_by=user_id,
            details=details.model_dump_json(),
            created_at=now,
            updated_at=now,
            step_changed_at=now,
        )
        queued = [
            work.ManualRoot(manual_id=manual_id, channel=details.channel_id),
            work.ManualReply(manual_id=manual_id, event="started", user_id=user_id),
            *(document_file(manual_id, d) for d in details.documents),
        ]
        outstanding = ", ".join(k.short for k in details.outstanding) or "none"
        entry = audit.entry(
            user_id,
            "manual.started",
            "ok",
            request_sid=manual_id,
            numbers=details.phone_numbers,
            detail=f"{details.country_name}; outstanding documents: {outstanding}",
        )
        await manual_ports.insert(self.db, row, details.phone_numbers, entry, queued)
        self._wake()
        port = await self.get(manual_id)
        assert port is not None
        return port

    async def move(
        self, manual_id: str, version: int, move: ManualMove, given: StepInput, user_id: str
    ) -> ManualMoved:
        """Move the port as it stood at ``version``; raises :class:`StepConflict` when it
        moved since (or is gone), ``MoveRefused`` when the move does not apply."""
        port = await self._at(manual_id, version)
        now = self.clock()
        values = apply_move(port, move, given, now=now, calendar=self.calendar)
        said = work.ManualReply(
            manual_id=manual_id,
            event="moved",
            user_id=user_id,
            move=move.value,
            previous=port.step.value,
            ticket=values.get("ticket", port.ticket),
            quote=values.get("quote", port.quote),
            quote_deadline=values.get("quote_deadline", port.quote_deadline),
            approval_due=values.get("approval_due", port.approval_due),
            port_date=values.get("port_date", port.port_date),
            reason=given.reason.value if given.reason else None,
            note=given.note,
        )
        queued = [said, work.ManualBoard(manual_id=manual_id, version=version + 1)]
        entry = audit.entry(
            user_id,
            move.audit_action,
            "ok",
            request_sid=manual_id,
            detail=_detail(move, given, port.step),
        )
        going_live = self._going_live(port) if move == ManualMove.COMPLETE else None
        if not await manual_ports.change(
            self.db, manual_id, version, values, entry, queued, now, going_live
        ):
            raise StepConflict(await self.get(manual_id))
        self._wake()
        if going_live is not None and self.golive is not None:
            self.golive.wake()
        moved = await self.get(manual_id)
        assert moved is not None
        return ManualMoved(moved, port.step, user_id)

    def _going_live(self, port: ManualPort) -> GoingLive | None:
        """The port's numbers and profile, as it completes (None: no profile)."""
        if self.golive is None:
            return None
        profile = self.golive.profile_for(port.details.golive_profile)
        if profile == NONE:
            return None
        return port.details.phone_numbers, profile, self.golive.now()

    async def add_documents(
        self, manual_id: str, version: int, documents: Sequence[ManualDocument], user_id: str
    ) -> ManualPort:
        """Attach (or replace) documents; each is copied into the thread and the board's
        outstanding list shrinks. Raises :class:`StepConflict` as :meth:`move` does."""
        port = await self._at(manual_id, version)
        kinds = {d.kind for d in documents}
        kept = [d for d in port.details.documents if d.kind not in kinds]
        ordered = sorted([*kept, *documents], key=lambda d: list(DocumentKind).index(d.kind))
        details = port.details.model_copy(update={"documents": ordered})
        said = work.ManualReply(
            manual_id=manual_id,
            event="documents",
            user_id=user_id,
            documents=[d.kind.value for d in documents],
        )
        queued = [
            said,
            *(document_file(manual_id, d) for d in documents),
            work.ManualBoard(manual_id=manual_id, version=version + 1),
        ]
        entry = audit.entry(
            user_id,
            "manual.documents",
            "ok",
            request_sid=manual_id,
            detail="added " + ", ".join(d.kind.short for d in documents),
        )
        values = {"details": details.model_dump_json()}
        if not await manual_ports.change(self.db, manual_id, version, values, entry, queued):
            raise StepConflict(await self.get(manual_id))
        self._wake()
        updated = await self.get(manual_id)
        assert updated is not None
        return updated

    async def refused(self, user_id: str, manual_id: str | None, action: str) -> None:
        """Record an attempt someone was not allowed to make."""
        entry = audit.entry(
            user_id, action, "refused", request_sid=manual_id, detail="not in PORTING_ADMINS"
        )
        await audit.add(self.db, entry)

    async def _at(self, manual_id: str, version: int) -> ManualPort:
        port = await self.get(manual_id)
        if port is None or port.version != version:
            raise StepConflict(port)
        return port

    # -- reminders (the desk's reminder worker drives these; see bot.desk.manual.schedule) --

    async def queue_reminders(self, now: datetime) -> int:
        """Queue every manual-port reminder due at ``now`` through the outbox (a reminder
        already queued is a no-op: its key is taken). Returns how many were planned. The
        reminder worker calls this on each tick, with its injected clock's ``now``."""
        planned = 0
        ports = await self.open_ports()
        async with self.db.session() as s:
            for port in ports:
                for reminder in plan_manual_reminders(ManualFacts.of(port), self.calendar, now):
                    ref = reminder.ref
                    due = work.ManualReminder(
                        manual_id=ref.manual_id, reminder=ref.kind.value, due_day=ref.due_day
                    )
                    # Queued on the outbox's own clock; ``now`` only decides what is due.
                    await queue.add(s, due)
                    planned += 1
            await s.commit()
        if planned:
            self._wake()
        return planned

    async def decide(self, ref: ManualReminderRef, now: datetime) -> ManualDecision:
        """At delivery: send, wait or drop the queued reminder ``ref``, on fresh facts."""
        port = await self.get(ref.manual_id)
        facts = None if port is None else ManualFacts.of(port)
        return decide_manual(ref, facts, self.calendar, now)


def _detail(move: ManualMove, given: StepInput, was: ManualStep) -> str:
    parts = [f"from {was.value}"]
    if move == ManualMove.SUBMIT and given.ticket:
        parts.append(f"ticket {given.ticket}")
    if move == ManualMove.QUOTE and given.quote:
        parts.append(f"quote {given.quote}")
    if move == ManualMove.PORT_DATE and given.port_date:
        parts.append(f"port date {given.port_date.isoformat()}")
    if move == ManualMove.REJECT and given.reason:
        parts.append(f"reason {given.reason.value}")
    if given.note:
        parts.append(given.note)
    return "; ".join(parts)
