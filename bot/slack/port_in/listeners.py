"""/port-in and the Start port-in button: open the form, its two steps, filing, and telling the
submitter. Listeners parse, call the desk and render; slow work runs after the ack."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot.desk.manual.types import group_by_country
from bot.desk.refile.types import HeldBill
from bot.desk.types import Draft, FilingFailed, FilingStep
from bot.errors import NotFound
from bot.porting.errors import TwilioError
from bot.porting.filing import MAX_BILL_BYTES, PortInSecrets
from bot.porting.phone import api_can_file, parse_numbers
from bot.slack.carried import PortInMeta, button_value
from bot.slack.deps import SlackDeps
from bot.slack.ids import Action, Callback, Command
from bot.slack.ids import PortInField as F
from bot.slack.manual import ManualStartListeners
from bot.slack.messages import dm, permalink, update_view
from bot.slack.permissions import Permissions
from bot.slack.port_in.form import read_details, read_secrets
from bot.slack.port_in.validation import bill_date, warnings
from bot.slack.press import Press, on_press
from bot.slack.progress import ProgressThrottle
from bot.slack.ui.check import invalid_line, too_many_text
from bot.slack.ui.port_in import account, filing, refile_form
from bot.slack.ui.port_in.details import details_view, prefill

log = logging.getLogger(__name__)

Payload = dict[str, Any]
DOING = "file port-ins"


class PortInListeners:
    """The listeners of /port-in and of Start port-in: the form, its two steps, the filing."""

    def __init__(
        self, deps: SlackDeps, permissions: Permissions, manual: ManualStartListeners
    ) -> None:
        self.deps = deps
        self.permissions = permissions
        self.manual = manual  # numbers the API cannot file go to a manual port

    def register(self, app: AsyncApp) -> None:
        app.command(Command.PORT_IN)(self.port_in)
        on_press(
            app, self.deps, Action.START_PORT_IN, button_value, self._start, name="port-in-start"
        )
        app.view(Callback.PORT_IN_DETAILS)(self.details_submitted)
        app.view(Callback.PORT_IN_ACCOUNT)(self.account_submitted)

    async def refused_in_form(self, ack: AsyncAck, user_id: str) -> bool:
        """A submitted step of the form is no proof of permission: check again, and if
        refused, say so in the form."""
        if await self.permissions.allows(user_id):
            return False
        await ack(
            response_action="update", view=filing.refused_view(self.permissions.refusal(DOING))
        )
        return True

    def form(self, meta: PortInMeta, numbers: list[str], note: str | None = None) -> Payload:
        return details_view(
            meta,
            today=self.deps.today(),
            numbers=numbers,
            note=note,
            porting_channel=self.deps.porting_channel or None,
            profiles=self.deps.profiles.names,
            profile=self.deps.profiles.default,
        )

    async def port_in(
        self, ack: AsyncAck, command: Payload, client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        parsed = parse_numbers(command.get("text") or "")
        if parsed.too_many:
            await ack(text=too_many_text(len(parsed.numbers)))
            return
        numbers = [n for n in parsed.numbers if api_can_file(n)]
        manual = group_by_country([n for n in parsed.numbers if not api_can_file(n)])
        if numbers and prefill(numbers) is None:
            await ack(
                text="That is more numbers than the form can hold. Run /port-check with a CSV "
                "of them, then press *Start port-in* under the results."
            )
            return
        await ack()
        press = Press(client, command["trigger_id"], command["user_id"], respond)
        if manual and not numbers:  # only numbers the API cannot file: the manual flow
            self.deps.right_after_ack(
                self.manual.offer(press, manual, filing=False),
                name="port-in-manual",
            )
            return
        notes = [f"Left out: {invalid_line(parsed.invalid)}"] if parsed.invalid else []
        if manual:
            count = sum(len(g.numbers) for g in manual)
            notes.append(
                f"Left out: {count:,} numbers the Porting API cannot file (toll-free or outside "
                "the US); my message in the channel offers them as a manual port."
            )
        self.deps.right_after_ack(
            self._open(press, numbers, " ".join(notes) or None),
            name="port-in-open",
        )
        if manual:
            self.deps.after_ack(
                self.manual.offer(press, manual, filing=True),
                name="port-in-manual-offer",
            )

    async def _open(self, press: Press, numbers: list[str], note: str | None) -> None:
        # The trigger_id lives about 3 s: nothing slow before views.open.
        if await self.permissions.refuses(press, DOING):
            return
        await press.open(self.form(PortInMeta(), numbers, note))

    async def _start(self, press: Press, check_id: str) -> None:
        """Start port-in under /port-check's results: the form with its portable numbers."""
        if await self.permissions.refuses(press, DOING):
            return
        try:
            _, results, _ = await self.deps.checks.load_check(check_id)
        except NotFound:
            await press.tell("Those results are gone; run /port-check again.")
            return
        portable = [r.number for r in results if r.portable]
        if prefill(portable) is not None:
            view = self.form(PortInMeta(), portable)
        else:  # too many for the paste area: the form reads them from the stored check
            view = self.form(PortInMeta(check_id=check_id, check_count=len(portable)), [])
        await press.open(view)

    async def details_submitted(
        self, ack: AsyncAck, body: Payload, view: Payload, client: AsyncWebClient
    ) -> None:
        user_id = body["user"]["id"]
        meta = PortInMeta.load(view.get("private_metadata"))
        extra: list[str] = []
        held: HeldBill | None = None
        if meta.refile_of:
            try:
                source = await self.deps.refiles.source(meta.refile_of, code=meta.refile_code)
            except (TwilioError, NotFound):
                await ack(
                    response_action="errors",
                    errors={
                        F.NUMBERS: f"I could not read {meta.refile_of} to re-file it: try again "
                        "in a minute, or file the numbers with /port-in."
                    },
                )
                return
            held = source.bill if source.bill and source.bill.reusable(self.deps.today()) else None
            extra = list(source.numbers) if meta.refile_count else []
        if meta.check_id:
            try:
                _, results, _ = await self.deps.checks.load_check(meta.check_id)
            except NotFound:
                await ack(
                    response_action="errors",
                    errors={
                        F.NUMBERS: "The numbers of your /port-check are gone: paste them here "
                        "or run /port-check again."
                    },
                )
                return
            extra = [r.number for r in results if r.portable]
        details, errors = read_details(
            view["state"]["values"],
            today=self.deps.today(),
            calendar=self.deps.calendar,
            porting_channel=self.deps.porting_channel or None,
            extra_numbers=extra,
            held_bill=held,
        )
        if details is not None:  # a bill linked from elsewhere is not one to fetch with the token
            errors = self.deps.files.refusals({F.BILL: (details.bill.url, details.bill.name)})
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        assert details is not None
        if await self.refused_in_form(ack, user_id):
            return
        draft_id = await self.deps.filing.save_draft(user_id, details, meta.refile_of)
        await ack(response_action="update", view=filing.checking_view(len(details.numbers)))
        self.deps.after_ack(self._recheck(client, view["id"], draft_id), name="port-in-recheck")

    async def _recheck(self, client: AsyncWebClient, view_id: str, draft_id: str) -> None:
        async def show(done: int, total: int) -> None:
            await update_view(client, view_id, filing.checking_view(total, done))

        progress = ProgressThrottle(show)
        try:
            draft = await self.deps.filing.check_draft(draft_id, progress)
        except Exception:
            log.exception("re-checking draft %s failed", draft_id)
            await update_view(client, view_id, filing.trouble_view("re-checking the numbers"))
            return
        await progress.settled()
        view = await self._step_two(draft, PortInMeta(draft_id=draft_id))
        await update_view(client, view_id, view)

    async def _step_two(self, draft: Draft, meta: PortInMeta, banner: str | None = None) -> View:
        """Step 2: the account number and PINs; a re-filing also names the cancel in the old
        request that comes first."""
        plan = await self.deps.refiles.plan(draft) if draft.refile_of else None
        cautions = warnings(draft.details, draft.fileable)
        if plan is not None:
            return refile_form.account_view(draft, meta, plan, banner=banner, warnings=cautions)
        return account.account_view(draft, meta, banner=banner, warnings=cautions)

    async def account_submitted(
        self, ack: AsyncAck, body: Payload, view: Payload, client: AsyncWebClient
    ) -> None:
        user_id = body["user"]["id"]
        meta = PortInMeta.load(view.get("private_metadata"))
        draft = await self.deps.filing.load_draft(meta.draft_id) if meta.draft_id else None
        if draft is None or draft.user_id != user_id or draft.checks is None:
            held = await self.deps.filing.filing_claim(meta.draft_id or "", meta.attempt)
            await ack(response_action="update", view=filing.already_filing_view(held))
            return
        secrets, errors = read_secrets(view["state"]["values"], draft)
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        assert secrets is not None
        if await self.refused_in_form(ack, user_id):
            return
        # The bill's age is judged again now: step 1 may have been sent days ago.
        if stale := bill_date(draft.details.bill.issued_on, self.deps.today()):
            await ack(response_action="update", view=filing.stale_bill_view(stale))
            return
        # One filing per submission: a double click or a replayed payload finds the claim.
        held = await self.deps.filing.claim_filing(draft.id, meta.attempt, user_id)
        if held is not None:
            await ack(response_action="update", view=filing.already_filing_view(held))
            return
        await ack(response_action="update", view=filing.filing_view(draft.steps[0], draft.steps))
        self.deps.after_ack(
            self._file(client, view["id"], draft, secrets, meta.attempt, user_id),
            name="port-in-file",
        )

    async def _file(
        self,
        client: AsyncWebClient,
        view_id: str,
        draft: Draft,
        secrets: PortInSecrets,
        attempt: int,
        user_id: str,
    ) -> None:
        steps = draft.steps  # as they stand now (the bill, once uploaded, is not again)

        async def on_step(step: FilingStep) -> None:
            await update_view(client, view_id, filing.filing_view(step, steps))

        try:
            result = await self.deps.filing.file_port_in(
                draft,
                secrets,
                user_id=user_id,
                attempt=attempt,
                fetch_bill=lambda: self.deps.download(draft.details.bill.url, MAX_BILL_BYTES),
                on_step=on_step,
            )
        except FilingFailed as failure:
            retry = PortInMeta(draft_id=draft.id, attempt=attempt + 1)
            view = await self._step_two(draft, retry, filing.failure_banner(failure))
            if not await update_view(client, view_id, view):
                await dm(client, user_id, filing.failed_text(failure, user_id))
            return
        except Exception:  # a bug or the database: say so rather than spin forever
            log.exception("filing draft %s failed unexpectedly", draft.id)
            view = filing.trouble_view("filing", maybe_filed=True)
            await update_view(client, view_id, view)
            return
        thread = result.snapshot.thread
        link = await permalink(client, thread.channel_id, thread.thread_ts) if thread else None
        text = filing.filed_text(result, secrets=secrets, permalink=link)
        await update_view(client, view_id, filing.filed_view(text))
        await dm(client, user_id, text)


def register(
    app: AsyncApp, deps: SlackDeps, permissions: Permissions, manual: ManualStartListeners
) -> None:
    PortInListeners(deps, permissions, manual).register(app)
