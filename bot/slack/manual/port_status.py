"""/port-status for a manual port (``/port-status MP…``): its board, history, numbers and
documents, privately to whoever asked."""

from __future__ import annotations

from datetime import UTC, datetime

from slack_bolt.async_app import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.desk.manual.ports import ManualPorts
from bot.slack.messages import permalink, tell
from bot.slack.ui.manual.manual_board import board_text
from bot.slack.ui.manual.manual_status import manual_status_blocks


async def manual_status(
    manual: ManualPorts, client: AsyncWebClient, respond: AsyncRespond, manual_id: str
) -> None:
    port = await manual.get(manual_id)
    if port is None:
        await tell(respond, f"I have no manual port {manual_id}. Check the id on its board.")
        return
    link = None
    if port.thread is not None:
        link = await permalink(client, port.thread.channel_id, port.thread.thread_ts)
    history = await manual.history(manual_id)
    await respond(
        text=board_text(port),
        blocks=manual_status_blocks(port, datetime.now(UTC), permalink=link, history=history),
        response_type="ephemeral",
        replace_original=False,
    )
