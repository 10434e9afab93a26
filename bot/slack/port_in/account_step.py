"""Step 2 of the /port-in form submitted: the account number and PINs read, the bill's age
judged again, the filing claimed once (a double click finds the claim), then filed after the ack
with each step shown in the form, and the submitter told in the form and by DM."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.desk.types import Draft, FilingFailed, FilingStep
from bot.porting.filing import MAX_BILL_BYTES, PortInSecrets
from bot.slack.carried import PortInMeta
from bot.slack.messages import dm, permalink, update_view
from bot.slack.port_in.form import read_secrets
from bot.slack.port_in.form_step import FormStep
from bot.slack.port_in.validation import bill_date
from bot.slack.ui.port_in import filing

log = logging.getLogger(__name__)

Payload = dict[str, Any]


class AccountStep(FormStep):
    """The listener of step 2's submission, and the filing that follows it."""

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
            view = await self.step_two(draft, retry, filing.failure_banner(failure))
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
