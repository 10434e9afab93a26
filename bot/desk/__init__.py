"""The porting desk: the operations Slack listeners, webhooks and workers call.

The only package that joins Twilio (``bot.porting``), storage (``bot.store``) and Slack (through
the durable outbox it fills with ``bot.work``); it never imports Slack's SDK.
Listeners parse and render; the desk decides. One module per operation:

- ``sync``: following requests, the one place a request's state changes (fetch, store, queue
  the Slack work), and what the reconciler drives;
- ``checks``: portability checks and the saved check runs;
- ``filing``: the /port-in drafts, claims and the filing itself;
- ``cancel``: canceling requests and numbers;
- ``signing``: the LOA's signing link, fetched fresh for the person who filed the request;
- ``followups``: what the sync queues beside change sets (Twilio's suggestions from the
  request list, the post-port checklist);
- ``refile``: re-filing rejected numbers (the form's prefill, the cancel in the old request
  before the new filing; the filing itself is ``filing``);
- ``types``: what they take and return, and the errors they raise;
- ``listing``: requests from the store, most urgent first (/port-list);
- ``manual``: manual ports, for numbers the API cannot file (``manual_types``: what they
  are; ``manual_steps``: how people move them; ``manual_schedule``: their deadlines and
  reminders, pure);
- the desk's day (pure, no I/O): ``calendar`` (business days, working hours), ``facts`` (a
  request as the planners see it, the policy), ``schedule`` (reminders and digest slots due at
  a moment) and ``agenda`` (what needs a person, most urgent first; digest and Home content).

:class:`Desk` puts them together over one Twilio client, database and outbox.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot import outbox, reconcile
from bot.desk.calendar import BusinessCalendar
from bot.desk.cancel import Cancels
from bot.desk.checks import Checks
from bot.desk.day import DeskDay
from bot.desk.facts import DeskPolicy
from bot.desk.filing import BillFetch, Filing
from bot.desk.listing import DeskListing, ListingAsk, Listings
from bot.desk.manual import ManualPorts
from bot.desk.manual_agenda import ManualListed
from bot.desk.manual_listing import open_manual
from bot.desk.records import ActionHolder, AuditRecord, Thread
from bot.desk.refile import Refiles
from bot.desk.refile_types import RefilePlan, RefileSource
from bot.desk.signing import SigningLink, SigningLinks
from bot.desk.sync import Requests, load_snapshot
from bot.desk.types import (
    BillNotReadable,
    CancelBusy,
    CancelOutcome,
    CheckResult,
    Draft,
    FiledPortIn,
    FilingFailed,
    FilingStep,
    NumberChange,
    Progress,
    RequestSnapshot,
    RequestUpdate,
    StepReport,
    SyncPolicy,
)
from bot.porting.client import TwilioPortingClient
from bot.porting.filing import PortInDetails, PortInSecrets
from bot.store.db import Database
from bot.store.models import CheckRun, utcnow

__all__ = [
    "ActionHolder",
    "AuditRecord",
    "BillNotReadable",
    "CancelBusy",
    "CancelOutcome",
    "CheckResult",
    "Desk",
    "DeskListing",
    "Draft",
    "FiledPortIn",
    "FilingFailed",
    "FilingStep",
    "NumberChange",
    "RefilePlan",
    "RefileSource",
    "RequestSnapshot",
    "RequestUpdate",
    "SigningLink",
    "SyncPolicy",
    "Thread",
    "load_snapshot",
]


class Desk:
    """The desk's operations under one roof; each method hands over to the part that owns it
    (``requests``, ``checks``, ``filing``, ``cancels``)."""

    def __init__(
        self,
        twilio: TwilioPortingClient,
        db: Database,
        *,
        porting_channel: str,
        check_concurrency: int = 40,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        slack_outbox: outbox.OutboxDoor | None = None,
        policy: SyncPolicy | None = None,
        desk_policy: DeskPolicy | None = None,
        calendar: BusinessCalendar | None = None,
        clock: Callable[[], datetime] = utcnow,
        day_poll_seconds: float = 60.0,
        one_digest_a_real_day: bool = False,
    ) -> None:
        self.twilio = twilio
        self.db = db
        self.requests = Requests(
            twilio, db, porting_channel=porting_channel, slack_outbox=slack_outbox, policy=policy
        )
        self.checks = Checks(twilio, db, concurrency=check_concurrency, sleep=sleep)
        self.cancels = Cancels(twilio, db, self.requests)
        self.desk_policy = desk_policy or DeskPolicy()
        self.calendar = calendar or BusinessCalendar(ZoneInfo("UTC"))
        self.clock = clock
        self.signing = SigningLinks(twilio, db)
        self.refiles = Refiles(db, self.requests, self.cancels)
        self.filing = Filing(twilio, db, self.requests, self.checks, self.refiles)
        self.listings = Listings(
            db,
            self.desk_policy,
            self.calendar,
            poll=timedelta(seconds=self.requests.policy.poll_seconds),
            clock=clock,
        )
        # Numbers the API cannot file, ported by a support request (bot.desk.manual).
        self.manual = ManualPorts(
            db,
            self.calendar,
            slack_outbox=slack_outbox,
            thread_wait_seconds=self.requests.policy.thread_wait_seconds,
            clock=clock,
        )
        self.day = DeskDay(
            db,
            self.desk_policy,
            self.calendar,
            clock=clock,
            poll_seconds=day_poll_seconds,
            wake=slack_outbox.wakeup.set if slack_outbox is not None else None,
            planners=(self.manual.queue_reminders,),
            one_digest_a_real_day=one_digest_a_real_day,
        )

    def today(self) -> date:
        """Today on the desk's clock, in its time zone."""
        return self.calendar.local_date(self.clock())

    # -- requests (bot.desk.sync) --------------------------------------------------------

    async def sync(self, request_sid: str) -> tuple[RequestSnapshot, RequestUpdate]:
        return await self.requests.sync(request_sid)

    async def snapshot(self, request_sid: str) -> RequestSnapshot:
        return await self.requests.snapshot(request_sid)

    async def follow(self, request_sid: str, channel: str | None = None) -> RequestSnapshot:
        return await self.requests.follow(request_sid, channel)

    async def refresh_board(self, request_sid: str) -> None:
        await self.requests.refresh_board(request_sid)

    async def discover(self, since: timedelta = reconcile.DISCOVERY_WINDOW) -> list[str]:
        return await self.requests.discover(since)

    # -- listing (bot.desk.listing) -------------------------------------------------------

    async def list_requests(self, ask: ListingAsk) -> DeskListing:
        return await self.listings.list(ask)

    async def open_manual_ports(self, now: datetime | None = None) -> list[ManualListed]:
        """Open manual ports, most urgent first, with step, filer, channel, thread and next
        deadline (for the digest and App Home; ``bot.desk.manual_listing.open_manual``)."""
        return await open_manual(self.db, now or self.manual.clock())

    # -- checks (bot.desk.checks) --------------------------------------------------------

    async def check_portability(
        self, numbers: Sequence[str], on_progress: Progress | None = None
    ) -> list[CheckResult]:
        return await self.checks.check_portability(numbers, on_progress)

    async def save_check(
        self,
        user_id: str,
        channel_id: str | None,
        results: Sequence[CheckResult],
        invalid: Sequence[str],
    ) -> str:
        return await self.checks.save_check(user_id, channel_id, results, invalid)

    async def load_check(self, check_id: str) -> tuple[CheckRun, list[CheckResult], list[str]]:
        return await self.checks.load_check(check_id)

    # -- filing (bot.desk.filing) --------------------------------------------------------

    async def save_draft(
        self, user_id: str, details: PortInDetails, refile_of: str | None = None
    ) -> str:
        return await self.filing.save_draft(user_id, details, refile_of)

    async def load_draft(self, draft_id: str) -> Draft | None:
        return await self.filing.load_draft(draft_id)

    async def check_draft(self, draft_id: str, on_progress: Progress | None = None) -> Draft:
        return await self.filing.check_draft(draft_id, on_progress)

    async def claim_filing(self, draft_id: str, attempt: int, user_id: str) -> ActionHolder | None:
        return await self.filing.claim_filing(draft_id, attempt, user_id)

    async def filing_claim(self, draft_id: str, attempt: int) -> ActionHolder | None:
        return await self.filing.filing_claim(draft_id, attempt)

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
        return await self.filing.file_port_in(
            draft,
            secrets,
            user_id=user_id,
            attempt=attempt,
            fetch_bill=fetch_bill,
            on_step=on_step,
        )

    # -- canceling (bot.desk.cancel) -----------------------------------------------------

    async def cancel_request(self, request_sid: str, user_id: str) -> CancelOutcome:
        return await self.cancels.cancel_request(request_sid, user_id)

    async def cancel_numbers(
        self, request_sid: str, numbers: Sequence[str], user_id: str
    ) -> CancelOutcome:
        return await self.cancels.cancel_numbers(request_sid, numbers, user_id)

    async def history(self, request_sid: str) -> list[AuditRecord]:
        return await self.cancels.history(request_sid)

    # -- the LOA (bot.desk.signing) -------------------------------------------------------

    async def signing_link(self, request_sid: str, user_id: str) -> SigningLink:
        return await self.signing.signing_link(request_sid, user_id)

    # -- re-filing (bot.desk.refile) -----------------------------------------------------

    async def refile_source(
        self, request_sid: str, numbers: Sequence[str] = (), code: str | None = None
    ) -> RefileSource:
        return await self.refiles.source(request_sid, numbers, code)

    async def refile_plan(self, draft: Draft) -> RefilePlan | None:
        return await self.refiles.plan(draft)

    async def refile_chain(self, request_sid: str) -> tuple[list[str], list[str]]:
        """The re-filings around a request: those it re-files, oldest first, and those
        re-filing it."""
        chain = await self.refiles.chain(request_sid)
        return chain.before, chain.after
