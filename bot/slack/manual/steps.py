"""A manual port's board buttons: each step (a confirmed click, or a modal asking the ticket,
the quote, the port date or the reason), and adding documents. Only PORTING_ADMINS move a
port; every move is made on the version the board showed, so a double click or a stale board
moves nothing and says where the port stands now. The thread hears of each move through the
outbox (``bot.desk.manual.ports``)."""

from __future__ import annotations

import functools
import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.desk.manual.ports import ManualPorts
from bot.desk.manual.steps import ManualMove, MoveRefused, StepInput
from bot.desk.manual.types import DocumentKind, StepConflict
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
from bot.slack.permissions import Permissions
from bot.slack.press import Press, on_press
from bot.slack.ui.manual.form_modals import DOCUMENT_FIELDS, documents_view
from bot.slack.ui.manual.step_modals import moved_on_text, notice_view, refused_move_text, step_view

log = logging.getLogger(__name__)

Payload = dict[str, Any]
DOING = "move manual ports"
DOCUMENTS = "manual.documents"  # the audit log's action for added documents


class ManualStepListeners:
    def __init__(self, deps: SlackDeps, permissions: Permissions) -> None:
        self.deps = deps
        self.permissions = permissions

    def register(self, app: AsyncApp) -> None:
        for action_id, move in MANUAL_STEP_ACTIONS.items():
            # A move that asks something opens its modal; the others move at the click.
            asks = bool(move.asks)
            then = self._open_step if asks else self._click
            name = "manual-step-open" if asks else "manual-step"
            on_press(
                app,
                self.deps,
                action_id,
                manual_button,
                functools.partial(then, move),
                name=name,
                opens=asks,
            )
        on_press(
            app,
            self.deps,
            Action.MANUAL_ADD_DOCUMENTS,
            manual_button,
            self._open_documents,
            name="manual-documents-open",
        )
        app.view(Callback.MANUAL_STEP)(self.step_submitted)
        app.view(Callback.MANUAL_DOCUMENTS)(self.documents_submitted)

    @property
    def manual(self) -> ManualPorts:
        return self.deps.manual

    async def _refused(self, user_id: str, manual_id: str, what: str) -> str | None:
        """The refusal to show ``user_id`` in a modal, audited; None when allowed."""
        if await self.permissions.allows(user_id):
            return None
        await self.manual.refused(user_id, manual_id, what)
        return self.permissions.refusal(DOING)

    async def _refuses(self, press: Press, manual_id: str, what: str) -> bool:
        """True (audited, and the presser told why) when they may not move manual ports."""
        audit = functools.partial(self.manual.refused, press.user_id, manual_id, what)
        return await self.permissions.refuses(press, DOING, audit=audit)

    # -- the buttons ------------------------------------------------------------------------

    async def _open_step(self, move: ManualMove, press: Press, at: ManualAt) -> None:
        if await self._refuses(press, at.manual_id, move.audit_action):
            return
        port = await self.manual.get(at.manual_id)
        if port is None or port.version != at.version:
            await press.tell(moved_on_text(port))
            return
        if not move.allowed_from(port.step):
            await press.tell(refused_move_text(port, move))
            return
        await press.open(step_view(port, move, today=self.deps.today()))

    async def _click(self, move: ManualMove, press: Press, at: ManualAt) -> None:
        if await self._refuses(press, at.manual_id, move.audit_action):
            return
        try:
            await self.manual.move(at.manual_id, at.version, move, StepInput(), press.user_id)
        except StepConflict as conflict:
            await press.tell(moved_on_text(conflict.port))
        except MoveRefused:
            port = await self.manual.get(at.manual_id)
            await press.tell(moved_on_text(port))

    async def _open_documents(self, press: Press, at: ManualAt) -> None:
        """Add documents: the modal with the file inputs still outstanding."""
        if await self._refuses(press, at.manual_id, DOCUMENTS):
            return
        port = await self.manual.get(at.manual_id)
        if port is None or port.closed:
            await press.tell(moved_on_text(port))
            return
        await press.open(documents_view(port, self.deps.today()))

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
        documents, errors = read_documents(values, list(DocumentKind), self.deps.today())
        errors = errors or self.deps.files.refusals(
            {DOCUMENT_FIELDS[d.kind]: (d.url, d.name) for d in documents}
        )
        if not documents and not errors:
            present = [b for k, b in DOCUMENT_FIELDS.items() if b in values] or [M.LOA]
            errors = {present[0]: "Attach at least one document."}
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        refusal = await self._refused(user_id, meta.manual_id, DOCUMENTS)
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
