"""What local mode is known by: the workspace's fixed names, and its per-process bot token and
signing secret.

Kept apart from the workspace itself (no Slack SDK, no server) so that settings can switch to
local mode without importing it.
"""

from __future__ import annotations

import secrets

MOUNT = "/workspace"
PERSON = "ULOCAL"  # the person at the page
PORTING_CHANNEL = "CPORTING"
GENERAL_CHANNEL = "CGENERAL"
LOCAL_DATABASE = "porting-local.db"  # local mode's own database (emptied at each start)


# Where the page and the Web API stand-in answer: this machine only, by name or address. Any
# other Host (a DNS-rebinding page, say) is refused before a route runs.
LOCAL_HOSTS = ("127.0.0.1", "localhost")


def bot_token() -> str:
    """A fresh bot token per process: no published constant another page or process could use
    against the workspace (it is told to the bot in-process, never shown)."""
    return "xoxb-local-" + secrets.token_urlsafe(24)


def signing_secret() -> str:
    """A fresh signing secret per process: only this workspace can sign for the bot."""
    return secrets.token_hex(16)
