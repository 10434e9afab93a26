"""Words the manual-port builders share: moments with their time, the port's title, who."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.desk.manual_types import ManualPort, ManualStep
from bot.slack.ui.fmt import escape, plural

STEP_ICONS = {
    ManualStep.STARTED: "📝",
    ManualStep.SUBMITTED: "📨",
    ManualStep.QUOTED: "💷",
    ManualStep.ACCEPTED: "🔎",
    ManualStep.APPROVED: "🏢",
    ManualStep.PORT_DATE_SET: "📅",
    ManualStep.REJECTED: "❌",
    ManualStep.COMPLETED: "✅",
    ManualStep.CANCELED: "🚫",
}


ON_MOMENT = "{date_long} at {time}"  # after "on": never "on today" (a _pretty date can read so)


def moment(value: datetime, fmt: str = "{date_long_pretty} at {time}") -> str:
    """A moment with its time of day, each reader in their own zone; the fallback is UTC."""
    at = value.astimezone(UTC)
    return f"<!date^{int(at.timestamp())}^{fmt}|{at:%Y-%m-%d %H:%M} UTC>"


def step_text(step: ManualStep) -> str:
    """``step 2 of 6: waiting for Twilio's fee quote``."""
    if step.number is None:
        return step.label
    return f"step {step.number} of 6: {step.label}"


def title(port: ManualPort) -> str:
    """``Manual port · United Kingdom · 3 numbers``."""
    return (
        f"Manual port · {escape(port.details.country_name)} · {plural(port.number_count, 'number')}"
    )


def carrier(port: ManualPort) -> str:
    return escape(port.details.losing_carrier)
