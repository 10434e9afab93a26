"""The board's *Go live* (apply the request's profile to its ported numbers again) and
*Go-live profile…* (choose it until a number ports), and *Acknowledge…* on the alert for a
number that left the account (a modal asking why; audited). Only PORTING_ADMINS may."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.desk import load_snapshot
from bot.porting.golive import Departure
from bot.porting.statuses import NumberStatus
from bot.slack.carried import FOR_STATUS as STALE
from bot.slack.carried import AcknowledgeMeta, GoLiveMeta, Stale, button_value
from bot.slack.deps import SlackDeps
from bot.slack.ids import Action, Callback, GoLiveField
from bot.slack.permissions import Permissions
from bot.slack.press import Press, on_press
from bot.slack.ui.fmt import escape, number_list, user
from bot.slack.ui.golive_messages import departure_message
from bot.slack.ui.golive_modals import acknowledge_view, profile_view
from bot.slack.ui.modals import message_view
from bot.slack.view_state import selected_option, text

log = logging.getLogger(__name__)

Payload = dict[str, Any]
_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")


def departure_button(action: Mapping[str, Any]) -> str:
    value = str(action.get("value") or "")
    if not _E164.match(value):
        raise Stale(STALE, f"button {action.get('action_id')}")
    return value


class GoLiveListeners:
    def __init__(self, deps: SlackDeps, permissions: Permissions) -> None:
        self.deps = deps
        self.permissions = permissions

    def register(self, app: AsyncApp) -> None:
        on_press(
            app, self.deps, Action.GO_LIVE, button_value, self._go_live, name="go-live", opens=False
        )
        on_press(
            app, self.deps, Action.GOLIVE_PROFILE, button_value, self._open_profile, name="profile"
        )
        on_press(
            app,
            self.deps,
            Action.ACKNOWLEDGE_DEPARTURE,
            departure_button,
            self._open_acknowledge,
            name="acknowledge",
        )
        app.view(Callback.GOLIVE_PROFILE)(self.profile_submitted)
        app.view(Callback.ACKNOWLEDGE)(self.acknowledge_submitted)

    # -- Go live -------------------------------------------------------------------------

    async def _go_live(self, press: Press, sid: str) -> None:
        if await self.permissions.refuses(press, "apply go-live profiles"):
            return
        golive = self.deps.golive
        count = await golive.go_live(sid)
        if not count:
            await press.tell(f"No number of `{sid}` has ported yet: nothing to set up.")
            return
        await press.tell(
            f"Setting up the {count:,} ported numbers of `{sid}` by their go-live profile. The "
            "thread says what changed (nothing, if Twilio already has them right)."
        )

    # -- the profile -----------------------------------------------------------------------

    async def _open_profile(self, press: Press, sid: str) -> None:
        if await self.permissions.refuses(press, "choose go-live profiles"):
            return
        snapshot = await load_snapshot(self.deps.requests.db, sid)
        current = snapshot.golive_profile if snapshot else None
        meta = GoLiveMeta(request_sid=sid).dump()
        await press.open(profile_view(sid, self.deps.profiles.names, current, meta))

    async def profile_submitted(self, ack: AsyncAck, body: Payload, view: Payload) -> None:
        meta = GoLiveMeta.load(view.get("private_metadata"))
        chosen = selected_option(view["state"]["values"], GoLiveField.PROFILE) or "none"
        user_id = body["user"]["id"]
        if not await self.permissions.allows(user_id):
            refusal = self.permissions.refusal("choose go-live profiles")
            await ack(response_action="update", view=message_view("notice", "Not allowed", refusal))
            return
        snapshot = await load_snapshot(self.deps.requests.db, meta.request_sid)
        if snapshot is not None and any(
            n.status == NumberStatus.COMPLETED for n in snapshot.request.phone_numbers
        ):
            await ack(
                response_action="errors",
                errors={
                    GoLiveField.PROFILE: "Numbers of this request have ported: the profile is "
                    "fixed now (press Go live on the board to apply it again)."
                },
            )
            return
        if not await self.deps.golive.set_profile(meta.request_sid, chosen):
            await ack(
                response_action="errors",
                errors={GoLiveField.PROFILE: "That profile is not in PORTING_PROFILES any more."},
            )
            return
        await ack()
        self.deps.after_ack(
            self.deps.requests.refresh_board(meta.request_sid), name="profile-board"
        )

    # -- Acknowledge ---------------------------------------------------------------------

    async def _open_acknowledge(self, press: Press, number: str) -> None:
        if await self.permissions.refuses(press, "acknowledge numbers that left"):
            return
        meta = AcknowledgeMeta(phone_number=number, channel=press.channel_id, ts=press.message_ts)
        await press.open(acknowledge_view(number, meta.dump()))

    async def acknowledge_submitted(
        self, ack: AsyncAck, body: Payload, view: Payload, client: AsyncWebClient
    ) -> None:
        meta = AcknowledgeMeta.load(view.get("private_metadata"))
        why = text(view["state"]["values"], GoLiveField.WHY).strip()
        if len(why) < 3:
            await ack(
                response_action="errors",
                errors={GoLiveField.WHY: "Say why in a few words (it goes in the audit log)."},
            )
            return
        user_id = body["user"]["id"]
        if not await self.permissions.allows(user_id):
            refusal = self.permissions.refusal("acknowledge numbers that left")
            await ack(response_action="update", view=message_view("notice", "Not allowed", refusal))
            return
        departure = await self.deps.inventory.acknowledge(meta.phone_number, user_id, why)
        if departure is None:
            shown = escape(number_list([meta.phone_number]))
            done = f"{shown} needs no acknowledging now: someone did already, or it is back."
            await ack(response_action="update", view=message_view("notice", "Acknowledge", done))
            return
        await ack()
        if meta.channel and meta.ts:
            mark = self._mark(client, meta.channel, meta.ts, departure, user_id, why)
            self.deps.after_ack(mark, name="ack-mark")

    async def _mark(
        self,
        client: AsyncWebClient,
        channel: str,
        ts: str,
        departure: Departure,
        user_id: str,
        why: str,
    ) -> None:
        """The alert says it was acknowledged, by whom and why (its button goes)."""
        message = departure_message(departure, in_thread=True, acknowledged=False)
        said = f"{message.text}\n✔️ Acknowledged by {user(user_id)}: {escape(why)}"
        await client.chat_update(channel=channel, ts=ts, text=said[:3000], blocks=[])


def register(app: AsyncApp, deps: SlackDeps, permissions: Permissions) -> None:
    GoLiveListeners(deps, permissions).register(app)
