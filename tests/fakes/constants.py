"""The ids and secrets the tests' Slack requests carry (matching the fake's ``auth.test``)."""

from bot.workspace.identity import Identity

SIGNING_SECRET = "test-signing-secret"
"""Signing secret for the Bolt app under test; every builder signs with it by default."""
BOT_TOKEN = "xoxb-test-token"
"""Bot token for the ``AsyncWebClient`` under test."""
ME = Identity()
TEAM_ID = ME.team_id
"""Workspace id (matches the fake's ``auth.test``)."""
TEAM_DOMAIN = ME.team_domain
"""Workspace domain sent in payloads."""
API_APP_ID = ME.app_id
"""App id sent in payloads."""
BOT_USER_ID = ME.bot_user_id
"""The bot's user id (matches the fake's ``auth.test``)."""
