"""Canceling a whole request or some of its numbers: one claim per cancel (so a double click or
two people cancel once), Twilio's answer, the audit log, and the board edited at once."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot.desk.records import ActionHolder, AuditRecord
from bot.desk.sync import Requests
from bot.desk.types import CancelBusy, CancelOutcome, RequestSnapshot
from bot.porting.client import TwilioPortingClient
from bot.porting.errors import TwilioError
from bot.porting.statuses import NumberStatus
from bot.store import audit, claims, keys
from bot.store.db import Database

log = logging.getLogger(__name__)


class Cancels:
    def __init__(
        self,
        twilio: TwilioPortingClient,
        db: Database,
        requests: Requests,
    ) -> None:
        self.twilio = twilio
        self.db = db
        self.requests = requests

    async def cancel_request(self, request_sid: str, user_id: str) -> CancelOutcome:
        """Cancel a whole request. Raises CancelBusy when someone else got there first and
        TwilioError when Twilio refuses (both recorded in the audit log)."""
        key = keys.cancel(request_sid)
        held = await claims.claim(self.db, key, "request.canceled", user_id, request_sid)
        if held is not None:
            raise CancelBusy(ActionHolder.of(held))
        outcome = CancelOutcome(request_sid, user_id, whole_request=True)
        async with self.requests.lock(request_sid):
            try:
                await self.twilio.cancel_port_in(request_sid)
            except TwilioError as error:
                await claims.release(self.db, key)
                await self._audit_cancel(outcome, "request.canceled", error)
                raise
            await claims.finish(self.db, key)
            outcome.snapshot = await self._refresh_quietly(request_sid)
            going = [
                n
                for n in (outcome.snapshot.request.phone_numbers if outcome.snapshot else [])
                if n.status in (NumberStatus.CANCELING, NumberStatus.CANCELED)
            ]
            outcome.canceled = [n.phone_number for n in going if n.phone_number]
            sids = [n.number_sid for n in going if n.number_sid]
            await self._audit_cancel(outcome, "request.canceled", sids=sids)
        await self._announce_cancel(outcome)
        return outcome

    async def cancel_numbers(
        self, request_sid: str, numbers: Sequence[str], user_id: str
    ) -> CancelOutcome:
        """Cancel some numbers (E.164) of a request, one claim per number. Numbers not in the
        request or past canceling are skipped with the reason; Twilio refusals are reported per
        number. Raises CancelBusy when the whole request is being (or was) canceled."""
        whole = await claims.get(self.db, keys.cancel(request_sid))
        if whole is not None:
            raise CancelBusy(ActionHolder.of(whole))
        outcome = CancelOutcome(request_sid, user_id, whole_request=False)
        canceled_sids: list[str] = []
        async with self.requests.lock(request_sid):
            snapshot, _ = await self.requests.refresh(request_sid)
            listed = snapshot.request.phone_numbers
            by_number = {n.phone_number: n for n in listed if n.phone_number}
            for number in numbers:
                found = by_number.get(number)
                if found is None or not found.number_sid:
                    outcome.skipped.append((number, "it is not in this request"))
                    continue
                if not found.status.cancellable:
                    outcome.skipped.append((number, f"it is already {found.status_label}"))
                    continue
                key = keys.cancel(request_sid, found.number_sid)
                held = await claims.claim(self.db, key, "numbers.canceled", user_id, request_sid)
                if held is not None:
                    outcome.busy.append((number, ActionHolder.of(held)))
                    continue
                try:
                    await self.twilio.cancel_number(request_sid, found.number_sid)
                except TwilioError as error:
                    await claims.release(self.db, key)
                    outcome.failed.append((number, error))
                    continue
                await claims.finish(self.db, key)
                outcome.canceled.append(number)
                canceled_sids.append(found.number_sid)
            outcome.snapshot = snapshot
            if outcome.canceled:
                outcome.snapshot = await self._refresh_quietly(request_sid) or snapshot
            if outcome.canceled or outcome.failed:
                await self._audit_cancel(outcome, "numbers.canceled", sids=canceled_sids)
        if outcome.canceled:
            await self._announce_cancel(outcome)
        return outcome

    async def history(self, request_sid: str) -> list[AuditRecord]:
        """Who filed and canceled what on a request, oldest first."""
        return [AuditRecord.of(e) for e in await audit.for_request(self.db, request_sid)]

    async def _refresh_quietly(self, request_sid: str) -> RequestSnapshot | None:
        try:
            snapshot, _ = await self.requests.refresh(request_sid)
        except TwilioError:
            log.warning("re-fetching %s after a cancel failed", request_sid, exc_info=True)
            return None
        return snapshot

    async def _audit_cancel(
        self,
        outcome: CancelOutcome,
        action: str,
        error: TwilioError | None = None,
        sids: Sequence[str] = (),
    ) -> None:
        failures = outcome.failed
        if error is not None:
            result = "refused"
            detail = f"{error.code or ''} {error.message}".strip()
        else:
            result = (
                "partial" if failures and outcome.canceled else ("refused" if failures else "ok")
            )
            detail = "; ".join(f"{n}: {e.code or ''} {e.message}".strip() for n, e in failures)
        await audit.add(
            self.db,
            audit.entry(
                outcome.user_id,
                action,
                result,
                request_sid=outcome.request_sid,
                sids=sids,
                numbers=outcome.canceled,
                detail=detail or None,
            ),
        )

    async def _announce_cancel(self, outcome: CancelOutcome) -> None:
        """Edit the board at once (the person is looking at it), through the outbox like every
        Slack write; a failure to queue it is logged only: the cancel itself is done and
        recorded. The thread reply saying who canceled what comes through the outbox with the
        change (``bot.desk.announce._cancelers``), so it is as durable as any other, and said
        once."""
        snapshot = outcome.snapshot
        if snapshot is None or snapshot.thread is None:
            return
        try:
            await self.requests.redraw_board(outcome.request_sid)
        except Exception:
            log.warning("announcing the cancel of %s failed", outcome.request_sid, exc_info=True)
