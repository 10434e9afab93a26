"""A stand-in for Slack: the workspace the tests run the bot against, and, in local mode
(``python -m bot`` with no Slack app configured), the one people try it in from a browser.

Layout: ``core`` (the :class:`Workspace`), ``identity``, ``state`` (users, channels, messages,
threads, files, views, triggers, response URLs), ``records`` (calls and replies),
``blockkit`` (Slack's Block Kit limits), ``api_chat`` / ``api_views`` / ``api_files`` (the Web
API methods), ``responses`` (``response_url``), ``http`` (the Web API over HTTP),
``payloads`` (what Slack POSTs to an app, signed). Local mode adds ``local`` (the
:class:`~bot.workspace.local.LocalWorkspace`), ``page`` (the page's routes), ``push`` (its
Server-Sent Events), ``interactions`` and ``modals`` (what people do, sent to the app as
Slack's requests), ``manifest`` and ``static/`` (the page itself).
"""

from bot.workspace.core import Workspace
from bot.workspace.identity import Identity

__all__ = ["Identity", "Workspace"]
