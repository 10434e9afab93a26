"""Builds the Bolt AsyncApp and registers every listener: one package per feature
(``check``, ``status``, ``port_in``, ``cancel``, ``port_list``, ``home``, ``signature``,
``playbooks``, ``manual``, ``refile``), and ``failures`` for what goes wrong in any."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import (
    cancel,
    check,
    golive,
    home,
    manual,
    playbooks,
    port_in,
    port_list,
    refile,
    signature,
    status,
)
from bot.slack.deps import SlackDeps
from bot.slack.failures import Failures
from bot.slack.permissions import Permissions

log = logging.getLogger(__name__)


def build_bolt_app(client: AsyncWebClient, signing_secret: str, deps: SlackDeps) -> AsyncApp:
    app = AsyncApp(
        client=client,
        signing_secret=signing_secret or None,
        # Long-lived server: ack first, keep working after the HTTP response.
        process_before_response=False,
        # A static bot token: never fall into OAuth mode because of stray env vars.
        installation_store=None,
        oauth_settings=None,
        # A request no listener takes gets Bolt's 404 and one log line from the error handler.
        raise_error_for_unhandled_request=True,
    )
    failures = Failures(client, deps.tasks)
    failures.register(app)
    deps.on_failure = failures.after_ack

    permissions = Permissions(deps.admins, client)
    if permissions.everyone:
        log.warning(
            "PORTING_ADMINS is not set: everyone in the workspace can file and cancel port-ins"
        )
    check.register(app, deps)
    status.register(app, deps)
    starter = manual.register(app, deps, permissions)
    port_in.register(app, deps, permissions, starter)
    cancel.register(app, deps, permissions)
    refile.register(app, deps, permissions)
    port_list.register(app, deps)
    home.register(app, deps)
    signature.register(app, deps)
    playbooks.register(app, deps)
    golive.register(app, deps, permissions)
    return app
