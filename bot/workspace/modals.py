"""Modals on the page: a submission goes to the app as Slack's ``view_submission`` and its
``response_action`` is applied as Slack applies it (errors shown on their input blocks, the
view updated, a view pushed, the stack cleared, or the view closed); closing sends
``view_closed`` when the view asked for it; opening the Home tab sends ``app_home_opened``.

A ``response_action`` Slack would not take (errors on a block that is no input, an invalid
view, a fourth modal) shows Slack's "We had some trouble connecting" instead.
"""

from __future__ import annotations

import json

from bot.workspace import payloads
from bot.workspace.api_views import STACK_LIMIT, echo_view
from bot.workspace.blockkit import view_errors
from bot.workspace.interactions import JSON, Refused, Sender, state_values
from bot.workspace.state import Answering, ViewRecord

TROUBLE = "We had some trouble connecting. Try again?"


class Modals(Sender):
    def _top(self, user: str, view_id: str) -> ViewRecord:
        stack = self.ws.state.stack(user)
        if not stack or stack[-1] != view_id:
            raise Refused("not_found")
        return self.ws.state.views[view_id]

    async def submit(self, user: str, view_id: str, values: JSON) -> None:
        record = self._top(user, view_id)
        view = {**record.view, "state": {"values": state_values(self.ws, values)}}
        payload = payloads.view_submission(
            self.me,
            view,
            user_id=user,
            user_name=self.ws.user_name(user),
            trigger_id=self.ws.state.issue_trigger(user),
        )
        record.answering = answering = Answering()
        try:
            answer = await self._send(payloads.interactive(payload, secret=self.secret))
            if isinstance(answer, str):
                self._trouble(record)
                return
            try:
                body = json.loads(answer.content) if answer.content.strip() else {}
            except ValueError:
                body = None
            if not isinstance(body, dict):
                self._trouble(record)
                return
            self._apply_submission(user, record, body)
        finally:
            record.answering = None
            answering.done()

    def _trouble(self, record: ViewRecord) -> None:
        record.errors = {"": TROUBLE}
        self.ws.state.refresh_view(record)

    def _apply_submission(self, user: str, record: ViewRecord, body: JSON) -> None:
        state = self.ws.state
        action = body.get("response_action")
        if action is None:
            state.close_views(user, all_of_them=False)
        elif action == "clear":
            state.close_views(user, all_of_them=True)
        elif action == "errors":
            inputs = {
                b.get("block_id") for b in record.view.get("blocks", []) if b.get("type") == "input"
            }
            errors = body.get("errors") or {}
            if not isinstance(errors, dict) or not errors or not set(errors) <= inputs:
                self._trouble(record)  # Slack cannot show an error on a block that is no input
                return
            record.errors = {str(k): str(v) for k, v in errors.items()}
            state.refresh_view(record)
        elif action in ("update", "push"):
            view = body.get("view")
            full = action == "push" and len(state.stack(user)) >= STACK_LIMIT
            if not isinstance(view, dict) or view_errors(view) or full:
                self._trouble(record)
                return
            if action == "update":
                keep = {k: record.view[k] for k in ("root_view_id", "previous_view_id")}
                record.view = echo_view(self.ws, view, record.view["id"], **keep)
                record.errors = {}
                state.refresh_view(record)
            else:
                stack = state.stack(user)
                view_id = state.next_id("V")
                shown = echo_view(
                    self.ws, view, view_id, root_view_id=stack[0], previous_view_id=stack[-1]
                )
                state.show_view(ViewRecord(shown, user), push=True)
        else:
            self._trouble(record)

    async def close(self, user: str, view_id: str, *, everything: bool) -> None:
        """The modal's Cancel (top view) or its ✕ (the whole stack)."""
        self._top(user, view_id)
        for record in self.ws.state.close_views(user, all_of_them=everything):
            if record.view.get("notify_on_close"):
                payload = payloads.view_closed(
                    self.me,
                    record.view,
                    user_id=user,
                    is_cleared=everything,
                    user_name=self.ws.user_name(user),
                )
                await self._send(payloads.interactive(payload, secret=self.secret))

    async def open_home(self, user: str) -> None:
        """The App Home tab opened (the app hears of it if it subscribed)."""
        manifest = self.ws.manifest
        if not manifest.home_tab or "app_home_opened" not in manifest.bot_events:
            return
        im = self.ws.state.im_with(user)
        event = {
            "type": "app_home_opened",
            "user": user,
            "channel": im["id"],
            "tab": "home",
            "event_ts": payloads.action_ts(),
        }
        body = payloads.event_callback(self.me, event)
        await self._send(payloads.event(body, secret=self.secret))
