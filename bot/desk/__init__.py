"""The porting desk: the operations Slack listeners, webhooks and workers call.

The only package that joins Twilio (``bot.porting``), storage (``bot.store``) and Slack (through
the durable outbox it fills with ``bot.work``); it never imports Slack's SDK.
Listeners parse and render; the desk decides. One module per operation:

- ``sync``: following requests, the one place a request's state changes (fetch, store, queue
  the Slack work), and what the reconciler drives;
- ``checks``: portability checks and the saved check runs;
- ``filing``: the /port-in drafts, claims and the filing itself (``filed``: recording it once
  Twilio has it);
- ``cancel``: canceling requests and numbers;
- ``signing``: the LOA's signing link, fetched fresh for the person who filed the request;
- ``followups``: what the sync queues beside change sets (Twilio's suggestions from the
  request list, the post-port checklist);
- ``refile/``: re-filing rejected numbers (the form's prefill, the cancel in the old request
  before the new filing; the filing itself is ``filing``);
- ``types``: what they take and return, and the errors they raise;
- ``desk_listing``: requests (and manual ports) from the store, most urgent first (/port-list);
- ``manual/``: manual ports, for numbers the API cannot file (``ports``: the service;
  ``types``: what they are; ``steps``: how people move them; ``schedule``: their deadlines
  and reminders, pure);
- the desk's day (pure, no I/O): ``calendar`` (business days, working hours), ``facts`` (a
  request as the planners see it, the policy), ``schedule`` (reminders and digest slots due at
  a moment) and ``agenda`` (what needs a person, most urgent first; digest and Home content).

:class:`Desk` builds them once over one Twilio client, database and outbox; Slack's listeners
get the services they use through ``bot.slack.deps.SlackDeps``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot import outbox
from bot.desk.calendar import BusinessCalendar
from bot.desk.cancel import Cancels
from bot.desk.checks import Checks
from bot.desk.day import DeskDay
from bot.desk.desk_listing import DeskListing, Listings
from bot.desk.facts import DeskPolicy
from bot.desk.filing import Filing
from bot.desk.golive import GoLive
from bot.desk.inventory import Inventory
from bot.desk.manual.ports import ManualPorts
from bot.desk.profiles import Profiles
from bot.desk.records import ActionHolder, AuditRecord, Thread
from bot.desk.refile.refiling import Refiles
from bot.desk.refile.types import RefilePlan, RefileSource
from bot.desk.signing import SigningLink, SigningLinks
from bot.desk.snapshots import load_snapshot
from bot.desk.sync import Requests
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
    RequestSnapshot,
    RequestUpdate,
    SyncPolicy,
)
from bot.porting.client import TwilioPortingClient
from bot.porting.golive import Liveness
from bot.store.db import Database
from bot.store.models import utcnow

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


def _account_watch(
    twilio: TwilioPortingClient,
    db: Database,
    profiles: Profiles,
    porting_channel: str,
    clock: Callable[[], datetime],
    golive_retry: timedelta,
    inventory_seconds: float,
    wake: Callable[[], None] | None,
) -> tuple[GoLive, Inventory]:
    """Numbers set up by their request's go-live profile as they port in (``bot.desk.golive``,
    the desk's clock) and the account's numbers swept for ones that left
    (``bot.desk.inventory``, the system clock)."""
    golive = GoLive(
        twilio.numbers,
        db,
        profiles,
        clock=clock,
        porting_channel=porting_channel,
        retry_window=golive_retry,
        wake_outbox=wake,
    )
    inventory = Inventory(
        twilio.numbers,
        db,
        clock=utcnow,
        porting_channel=porting_channel,
        every_seconds=inventory_seconds,
        wake_outbox=wake,
    )
    return golive, inventory


class Desk:
    """The desk's services built once over one Twilio client, database and outbox; callers use
    the service that owns an operation (``requests``, ``checks``, ``filing``, ``cancels``,
    ``signing``, ``refiles``, ``listings``, ``manual``, ``day``)."""

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
        profiles: Profiles | None = None,
        golive_retry: timedelta = timedelta(hours=1),
        inventory_seconds: float = 0.0,
        one_digest_a_real_day: bool = False,
        clock_rate: float = 1.0,
    ) -> None:
        self.twilio = twilio
        self.db = db
        wake = slack_outbox.wakeup.set if slack_outbox is not None else None
        # Built first, so the services that use them get them in their constructors.
        self.profiles = profiles or Profiles()
        self.golive, self.inventory = _account_watch(
            twilio, db, self.profiles, porting_channel, clock, golive_retry, inventory_seconds, wake
        )
        self.requests = Requests(
            twilio,
            db,
            porting_channel=porting_channel,
            slack_outbox=slack_outbox,
            policy=policy,
            golive=self.golive,
        )
        self.checks = Checks(twilio, db, concurrency=check_concurrency, sleep=sleep)
        self.cancels = Cancels(twilio, db, self.requests)
        self.desk_policy = desk_policy or DeskPolicy()
        self.calendar = calendar or BusinessCalendar(ZoneInfo("UTC"))
        self.clock = clock
        self.signing = SigningLinks(twilio, db)
        self.refiles = Refiles(db, self.requests, self.cancels)
        self.filing = Filing(
            twilio,
            db,
            self.requests,
            self.checks,
            self.refiles,
            default_profile=self.profiles.default,
        )
        self.listings = Listings(
            db,
            self.desk_policy,
            self.calendar,
            poll=timedelta(seconds=self.requests.policy.poll_seconds),
            clock=clock,
        )
        # Numbers the API cannot file, ported by a support request (bot.desk.manual.ports).
        self.manual = ManualPorts(
            db,
            self.calendar,
            slack_outbox=slack_outbox,
            thread_wait_seconds=self.requests.policy.thread_wait_seconds,
            clock=clock,
            golive=self.golive,
        )
        self.day = DeskDay(
            db,
            self.desk_policy,
            self.calendar,
            clock=clock,
            poll_seconds=day_poll_seconds,
            wake=wake,
            planners=(self.manual.queue_reminders,),
            one_digest_a_real_day=one_digest_a_real_day,
            departures=self.inventory.departures,
            rate=clock_rate,
        )

    async def liveness(self, numbers: Sequence[str]) -> dict[str, Liveness]:
        """Each number's go-live and whether it is in the account now (/port-status)."""
        in_account = await self.inventory.in_account(list(numbers))
        return await self.golive.liveness(numbers, in_account)
