"""Who the workspace is: its team and the one app installed in it (the porting bot)."""

from __future__ import annotations

from dataclasses import dataclass

TEAM_ID = "T1"
TEAM_DOMAIN = "fake-workspace"
BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
APP_ID = "A1"


@dataclass(frozen=True)
class Identity:
    """The ids the Web API answers with and every payload carries."""

    team_id: str = TEAM_ID
    team_domain: str = TEAM_DOMAIN
    team_name: str = "Fake Workspace"
    bot_user_id: str = BOT_USER_ID
    bot_id: str = BOT_ID
    app_id: str = APP_ID
    bot_name: str = "porting-bot"
    bot_display_name: str = "Porting Bot"
    # Where permalinks point (https://<workspace>.slack.com in real Slack).
    web_url: str = "https://fake.slack"
