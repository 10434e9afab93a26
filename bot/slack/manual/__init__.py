"""Manual ports (numbers the Porting API cannot file): starting one (``start``: the Start
buttons, /port-in's offer, the Console path, the form), moving its steps (``steps``),
reading its modals (``form``) and delivering its thread's outbox work (``delivery``)."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.slack.deps import SlackDeps
from bot.slack.manual.start import ManualStartListeners
from bot.slack.manual.steps import ManualStepListeners
from bot.slack.permissions import Permissions

__all__ = ["ManualStartListeners", "register"]


def register(app: AsyncApp, deps: SlackDeps, permissions: Permissions) -> ManualStartListeners:
    """Register the manual-port listeners; returns the starter /port-in hands its numbers to."""
    starter = ManualStartListeners(deps, permissions)
    starter.register(app)
    ManualStepListeners(deps, permissions).register(app)
    return starter
