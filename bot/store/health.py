"""How the durable queues are doing (``/readyz``): the Slack outbox and the sync schedule."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Health:
    """What every queue reports: how many of its entries keep failing, and the first one's
    last error. Each queue adds its own counts."""

    failing: int
    last_error: str | None

    def as_dict(self) -> dict[str, int | float | str | None]:
        return asdict(self)


@dataclass(frozen=True)
class OutboxHealth(Health):
    pending: int
    oldest_pending_seconds: float | None


@dataclass(frozen=True)
class SyncHealth(Health):
    tracked: int  # requests followed (discovery aside)
    overdue: int  # due more than a minute ago
