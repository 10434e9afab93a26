"""Step 1 of the /port-in form submitted: its values read and checked (with the numbers of a
re-filing or of a stored /port-check), saved as a draft, then re-checked after the ack while
the form shows the progress, and step 2 drawn."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.desk.refile.types import HeldBill
from bot.errors import NotFound
from bot.porting.errors import TwilioError
from bot.slack.carried import PortInMeta
from bot.slack.ids import PortInField as F
from bot.slack.messages import update_view
from bot.slack.port_in.form import read_details
from bot.slack.port_in.form_step import FormStep
from bot.slack.progress import ProgressThrottle
from bot.slack.ui.port_in import filing

log = logging.getLogger(__name__)

Payload = dict[str, Any]


class DetailsStep(FormStep):
    """The listener of step 1's submission (the numbers, the bill, the customer)."""

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
        view = await self.step_two(draft, PortInMeta(draft_id=draft_id))
        await update_view(client, view_id, view)
