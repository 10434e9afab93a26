"""A manual port's board buttons: each step (a confirmed click, or a modal asking the ticket,
the quote, the port date or the reason), and adding documents. Only PORTING_ADMINS move a
port; every move is made on the version the board showed, so a double click or a stale board
moves nothing and says where the port stands now. The thread hears of each move through the
outbox (``bot.desk.manual``)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.desk.manual import ManualPorts
from bot.desk.manual_steps import ManualMove, MoveRefused, StepInput
from bot.desk.manual_types import DocumentKind, StepConflict
from bot.slack.carried import (
    MANUAL_STEP_ACTIONS,
    OLD_FORM,
    ManualAt,
    ManualStepMeta,
    Stale,
    manual_button,
)
from bot.slack.deps import SlackDeps
from bot.slack.ids import Action, Callback
from bot.slack.ids import ManualField as M
from bot.slack.manual.form import read_documents, read_step
from bot.slack.messages import tell
from bot.slack.permissions import Permissions
from bot.slack.ui.manual.form import DOCUMENT_FIELDS, documents_view
from bot.slack.ui.manual.steps import moved_on_text, notice_view, refused_move_text, step_view

log = logging.getLogger(__name__)

Payload = dict[str, Any]
DOING = "move manual ports"


class ManualStepListeners:
    def __init__(self, deps: SlackDeps, permissions: Permissions) -> None:
        self.deps = deps
        self.permissions = permissions

    def register(self, app: AsyncApp) -> None:
        for action in MANUAL_STEP_ACTIONS:
            app.action(action)(self.step_button)
        app.action(Action.MANUAL_ADD_DOCUMENTS)(self.documents_button)
        app.view(Callback.MANUAL_STEP)(self.step_submitted)
        app.view(Callback.MANUAL_DOCUMENTS)(self.documents_submitted)

    @property
    def manual(self) -> ManualPorts:
        return self.deps.desk.manual

    async def _refused(self, user_id: str, manual_id: str, what: str) -> str | None:
        """The refusal to tell ``user_id``, audited; None when allowed."""
        if await self.permissions.allows(user_id):
            return None
        await self.manual.refused(user_id, manual_id, what)
        return self.permissions.refusal(DOING)

    # -- the buttons ------------------------------------------------------------------------

    async def step_button(
        self,
        ack: AsyncAck,
        body: Payload,
        action: Payload,
        client: AsyncWebClient,
        respond: AsyncRespond,
    ) -> None:
        at = manual_button(action)
        move = MANUAL_STEP_ACTIONS[str(action["action_id"])]
        await ack()
        user_id = body["user"]["id"]
        if move.asks:
            self.deps.right_after_ack(
                self._open_step(client, body["trigger_id"], user_id, at, move, respond),
                name="manual-step-open",
            )
        else:
            self.deps.after_ack(self._click(user_id, at, move, respond), name="manual-step")

    async def _open_step(
        self,
        client: AsyncWebClient,
        trigger_id: str,
        user_id: str,
        at: ManualAt,
        move: ManualMove,
        respond: AsyncRespond,
    ) -> None:
        refusal = await self._refused(user_id, at.manual_id, move.audit_action)
        if refusal:
            await tell(respond, refusal)
            return
        port = await self.manual.get(at.manual_id)
        if port is None or port.version != at.version:
            await tell(respond, moved_on_text(port))
            return
        if not move.allowed_from(port.step):
            await tell(respond, refused_move_text(port, move))
            return
        await client.views_open(
            trigger_id=trigger_id, view=step_view(port, move, today=self.deps.desk.today())
        )

    async def _click(
        self, user_id: str, at: ManualAt, move: ManualMove, respond: AsyncRespond
    ) -> None:
        refusal = await self._refused(user_id, at.manual_id, move.audit_action)
        if refusal:
            await tell(respond, refusal)
            return
        try:
            await self.manual.move(at.manual_id, at.version, move, StepInput(), user_id)
        except StepConflict as conflict:
            await tell(respond, moved_on_text(conflict.port))
        except MoveRefused:
            port = await self.manual.get(at.manual_id)
            await tell(respond, moved_on_text(port))

    async def documents_button(
        self,
        ack: AsyncAck,
        body: Payload,
        action: Payload,
        client: AsyncWebClient,
        respond: AsyncRespond,
    ) -> None:
        at = manual_button(action)
        await ack()
        self.deps.right_after_ack(
            self._open_documents(client, body["trigger_id"], body["user"]["id"], at, respond),
            name="manual-documents-open",
        )

    async def _open_documents(
        self,
        client: AsyncWebClient,
        trigger_id: str,
        user_id: str,
        at: ManualAt,
        respond: AsyncRespond,
    ) -> None:
        refusal = await self._refused(user_id, at.manual_id, "manual.documents")
        if refusal:
            await tell(respond, refusal)
            return
        port = await self.manual.get(at.manual_id)
        if port is None or port.closed:
            await tell(respond, moved_on_text(port))
            return
        await client.views_open(
            trigger_id=trigger_id, view=documents_view(port, self.deps.desk.today())
        )

    # -- the modals -------------------------------------------------------------------------

    async def step_submitted(
        self, ack: AsyncAck, body: Payload, view: Payload, client: AsyncWebClient
    ) -> None:
        meta = ManualStepMeta.load(view.get("private_metadata"))
        if meta.move is None:
            raise Stale(f"{OLD_FORM}. Close it and press the button on the board again.", "step")
        user_id = body["user"]["id"]
        now = self.manual.clock()
        today = self.manual.calendar.local_date(now)
        given, errors = read_step(view["state"]["values"], meta.move, now=now, today=today)
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        refusal = await self._refused(user_id, meta.manual_id, meta.move.audit_action)
        if refusal:
            await ack(response_action="update", view=notice_view("Not allowed", refusal))
            return
        try:
            await self.manual.move(meta.manual_id, meta.version, meta.move, given, user_id)
        except StepConflict as conflict:
            text = moved_on_text(conflict.port)
            await ack(response_action="update", view=notice_view("Already moved", text))
            return
        except MoveRefused:
            text = moved_on_text(await self.manual.get(meta.manual_id))
            await ack(response_action="update", view=notice_view("Already moved", text))
            return
        await ack()

    async def documents_submitted(
        self, ack: AsyncAck, body: Payload, view: Payload, client: AsyncWebClient
    ) -> None:
        meta = ManualStepMeta.load(view.get("private_metadata"))
        user_id = body["user"]["id"]
        values = view["state"]["values"]
        documents, errors = read_documents(values, list(DocumentKind), self.deps.desk.today())
        if not documents and not errors:
            present = [b for k, b in DOCUMENT_FIELDS.items() if b in values] or [M.LOA]
            errors = {present[0]: "Attach at least one document."}
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        refusal = await self._refused(user_id, meta.manual_id, "manual.documents")
        if refusal:
            await ack(response_action="update", view=notice_view("Not allowed", refusal))
            return
        try:
            await self.manual.add_documents(meta.manual_id, meta.version, documents, user_id)
        except StepConflict as conflict:
            text = moved_on_text(conflict.port)
            await ack(response_action="update", view=notice_view("Already moved", text))
            return
        await ack()
