"""Filing a port-in from the /port-in form: drafts between the form's steps, the portability
re-check, one claim per submission, then the filing itself (bill, request, record, thread)."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from bot.desk.checks import Checks
from bot.desk.filed import Recorder
from bot.desk.records import ActionHolder
from bot.desk.refile.refiling import Refiles
from bot.desk.sync import Requests
from bot.desk.types import (
    BillNotReadable,
    CheckResult,
    Draft,
    FiledPortIn,
    FilingFailed,
    FilingStep,
    Progress,
    StepReport,
    describe_error,
)
from bot.errors import NotFound
from bot.porting.client import TwilioPortingClient
from bot.porting.errors import TwilioError
from bot.porting.filing import PortInDetails, PortInSecrets, build_create, sniff_bill
from bot.porting.models import PortInRequest
from bot.store import audit, claims, drafts, keys
from bot.store.db import Database
from bot.store.models import PortInDraft, utcnow

log = logging.getLogger(__name__)

T = TypeVar("T")
BillFetch = Callable[[], Awaitable[bytes]]

DRAFT_TTL = timedelta(days=2)


class Filing:
    def __init__(
        self,
        twilio: TwilioPortingClient,
        db: Database,
        requests: Requests,
        checks: Checks,
        refiles: Refiles,
        default_profile: str | None = None,
    ) -> None:
        self.twilio = twilio
        self.db = db
        self.requests = requests
        self.checks = checks
        self.refiles = refiles
        self.recorder = Recorder(db, requests)
        # The go-live profile of a request filed without a choice (the profile file's).
        self.default_profile = default_profile

    # -- drafts and claims ---------------------------------------------------------------

    async def save_draft(
        self, user_id: str, details: PortInDetails, refile_of: str | None = None
    ) -> str:
        """Keep a form's details between its steps (nothing secret is in them); ``refile_of``
        when the form re-files rejected numbers of that request."""
        await drafts.delete_before(self.db, utcnow() - DRAFT_TTL)
        draft = PortInDraft(
            id=uuid.uuid4().hex,
            user_id=user_id,
            details=details.model_dump_json(),
            refile_of=refile_of,
        )
        await drafts.save(self.db, draft)
        return draft.id

    async def load_draft(self, draft_id: str) -> Draft | None:
        row = await drafts.get(self.db, draft_id)
        if row is None:
            return None
        checks = None
        if row.checks is not None:
            checks = [CheckResult.model_validate(r) for r in json.loads(row.checks)]
        details = PortInDetails.model_validate_json(row.details)
        return Draft(row.id, row.user_id, details, checks, refile_of=row.refile_of)

    async def check_draft(self, draft_id: str, on_progress: Progress | None = None) -> Draft:
        """Re-check the portability of a draft's numbers and keep the results with it."""
        draft = await self.load_draft(draft_id)
        if draft is None:
            raise NotFound(f"No draft {draft_id}")
        draft.checks = await self.checks.check_portability(draft.details.numbers, on_progress)
        await self.refiles.let_through(draft)
        await drafts.set_checks(
            self.db, draft_id, json.dumps([r.model_dump(mode="json") for r in draft.checks])
        )
        return draft

    async def claim_filing(self, draft_id: str, attempt: int, user_id: str) -> ActionHolder | None:
        """Claim one submission of a form: None when it is ours to file, else who has it."""
        key = keys.filing(draft_id, attempt)
        return ActionHolder.maybe(await claims.claim(self.db, key, "port_in.file", user_id))

    async def filing_claim(self, draft_id: str, attempt: int) -> ActionHolder | None:
        """Who holds (or finished) one submission of a form, if anyone."""
        return ActionHolder.maybe(await claims.get(self.db, keys.filing(draft_id, attempt)))

    # -- filing --------------------------------------------------------------------------

    async def file_port_in(
        self,
        draft: Draft,
        secrets: PortInSecrets,
        *,
        user_id: str,
        attempt: int,
        fetch_bill: BillFetch,
        on_step: StepReport | None = None,
    ) -> FiledPortIn:
        """Download the bill, upload it to Twilio, (re-filing: cancel the numbers in the old
        request), create the request, record it, open its thread. Call after
        :meth:`claim_filing` won.

        Raises FilingFailed naming the step when nothing was filed (the claim is released so
        the form can be sent again; a re-filing's failure names the numbers already canceled,
        which the next attempt does not cancel again). Once Twilio accepts the request it is
        recorded with ``filed_by`` before any Slack call; a Slack failure after that is retried
        and, if it persists, reported in ``thread_error`` (the next webhook or a Follow opens
        the thread).
        """
        key = keys.filing(draft.id, attempt)
        moved: list[str] = []
        try:
            request = await self._submit(draft, secrets, fetch_bill, on_step, user_id, moved)
        except FilingFailed as failure:
            if draft.refile_of and not failure.refile_of:
                failure.refile_of, failure.canceled = draft.refile_of, moved
            await self._not_filed(key, user_id, draft.fileable, failure)
            raise
        return await self.recorder.record(
            self.default_profile, draft, request, user_id, key, on_step, moved
        )

    async def _submit(
        self,
        draft: Draft,
        secrets: PortInSecrets,
        fetch_bill: BillFetch,
        on_step: StepReport | None,
        user_id: str,
        moved: list[str],
    ) -> PortInRequest:
        """The steps that reach Twilio: the bill, its upload, (the cancel in the old request,
        whose numbers land in ``moved``), the request. Raises FilingFailed naming the step that
        failed (its reason scrubbed of the secrets)."""
        details = draft.details
        numbers = draft.fileable

        async def step(which: FilingStep, work: Awaitable[T]) -> T:
            if on_step is not None:
                await on_step(which)
            try:
                return await work
            except FilingFailed:
                raise
            except TwilioError as error:
                raise FilingFailed(which, secrets.scrub(error.message), error) from None
            except Exception as error:
                raise FilingFailed(which, secrets.scrub(describe_error(error))) from None

        async def download() -> bytes:
            content = await fetch_bill()
            if sniff_bill(content) is None:
                raise BillNotReadable(details.bill.name)
            return content

        if not numbers:
            raise FilingFailed(FilingStep.CREATE, "no portable numbers are left to file")
        if not details.bill.documents:  # else Twilio holds it already (uploaded before)
            content = await step(FilingStep.DOWNLOAD, download())
            document = await step(
                FilingStep.UPLOAD,
                self.twilio.upload_document(
                    content=content,
                    filename=details.bill.name,
                    content_type=sniff_bill(content) or details.bill.mimetype,
                    friendly_name=f"Utility bill: {details.customer_name}"[:64],
                ),
            )
            await self._keep_document(draft, document.sid)
        if draft.refile_of:
            moved += await step(FilingStep.CANCEL, self.refiles.cancel_old(draft, user_id))

        async def create() -> PortInRequest:
            body = build_create(
                draft.details,
                secrets,
                account_sid=self.twilio.account_sid,
                documents=draft.details.bill.documents,
                numbers=numbers,
            )
            return await self.twilio.create_port_in(body)

        return await step(FilingStep.CREATE, create())

    async def _keep_document(self, draft: Draft, document_sid: str) -> None:
        """The bill is at Twilio: the draft keeps it, so another press of *File* after a later
        step failed does not upload it again (and the filed details name it)."""
        bill = draft.details.bill.model_copy(update={"documents": [document_sid]})
        draft.details = draft.details.model_copy(update={"bill": bill})
        await drafts.set_details(self.db, draft.id, draft.details.model_dump_json())

    async def _not_filed(
        self, key: str, user_id: str, numbers: list[str], failure: FilingFailed
    ) -> None:
        """Nothing was filed: free the claim (the form can be sent again) and audit why."""
        await claims.release(self.db, key)
        code = f" {failure.error.code}" if failure.error and failure.error.code else ""
        await audit.add(
            self.db,
            audit.entry(
                user_id,
                "port_in.filed",
                "failed",
                numbers=numbers,
                detail=f"{failure.step.label}:{code} {failure.reason}",
            ),
        )
        log.warning("port-in filing failed at %s%s", failure.step.value, code)
