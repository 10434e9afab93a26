"""What both submitted steps of the /port-in form share (:class:`FormStep`): the permission
check made again on each submit, and step 2's view (drawn after step 1's re-check, and again
after a failed filing)."""

from __future__ import annotations

from slack_bolt.async_app import AsyncAck
from slack_sdk.models.views import View

from bot.desk.types import Draft
from bot.slack.carried import PortInMeta
from bot.slack.deps import SlackDeps
from bot.slack.permissions import Permissions
from bot.slack.port_in.validation import warnings
from bot.slack.ui.port_in import account, filing, refile_form

DOING = "file port-ins"


class FormStep:
    """A step of the form's submission: the desk's services and who may file."""

    def __init__(self, deps: SlackDeps, permissions: Permissions) -> None:
        self.deps = deps
        self.permissions = permissions

    async def refused_in_form(self, ack: AsyncAck, user_id: str) -> bool:
        """A submitted step of the form is no proof of permission: check again, and if
        refused, say so in the form."""
        if await self.permissions.allows(user_id):
            return False
        await ack(
            response_action="update", view=filing.refused_view(self.permissions.refusal(DOING))
        )
        return True

    async def step_two(self, draft: Draft, meta: PortInMeta, banner: str | None = None) -> View:
        """Step 2: the account number and PINs; a re-filing also names the cancel in the old
        request that comes first."""
        plan = await self.deps.refiles.plan(draft) if draft.refile_of else None
        cautions = warnings(draft.details, draft.fileable)
        if plan is not None:
            return refile_form.account_view(draft, meta, plan, banner=banner, warnings=cautions)
        return account.account_view(draft, meta, banner=banner, warnings=cautions)
