"""What local mode is known by: the workspace's fixed names and its per-process signing secret.

Kept apart from the workspace itself (no Slack SDK, no server) so that settings can switch to
local mode without importing it.
"""

from __future__ import annotations

import secrets

MOUNT = "/workspace"
PERSON = "ULOCAL"  # the person at the page
PORTING_CHANNEL = "CPORTING"
GENERAL_CHANNEL = "CGENERAL"
BOT_TOKEN = "xoxb-local-workspace"
LOCAL_DATABASE = "porting-local.db"  # local mode's own database (emptied at each start)


def signing_secret() -> str:
    """A fresh signing secret per process: only this workspace can sign for the bot."""
    return secrets.token_hex(16)
