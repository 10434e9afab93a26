"""The desk's timed Slack work (``bot.desk.day``): reminders, digests, App Home."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import Field

from bot.work.base import Work, digest_key, digest_owner, home_owner, reminder_key


class Reminder(Work):
    """A reminder as the planner keyed it (``bot.desk.schedule``); at delivery the desk
    decides again on fresh facts whether it is still due, and with what text."""

    kind: Literal["reminder"] = "reminder"
    ordered = False  # timed: holds back none of the owner's posts
    request_sid: str
    reminder: str = Field(serialization_alias="kind")  # a ``bot.desk.schedule.ReminderKind``
    due_day: date

    def key(self) -> str:
        return reminder_key(self.request_sid, self.reminder, self.due_day)

    def owner(self) -> str:
        return self.request_sid


class Digest(Work):
    """A channel's daily digest for the business ``day`` (on the desk's clock); ``asked``: one
    someone asked for now (the local workspace's Send digest now), keyed apart from the
    planned one by when."""

    kind: Literal["digest"] = "digest"
    ordered = False  # timed: holds back none of the owner's posts
    KEY_FIELDS = ("asked",)
    channel_id: str
    day: date
    asked: str | None = None

    def key(self) -> str:
        planned = digest_key(self.channel_id, self.day)
        return planned if self.asked is None else f"{planned}:asked:{self.asked}"

    @classmethod
    def _from_key(cls, key: str) -> dict[str, Any]:
        _, asked, when = key.partition(":asked:")
        return {"asked": when if asked else None}

    def owner(self) -> str:
        return digest_owner(self.channel_id)


class DigestFile(Work):
    """The CSV of a long digest, in the digest's thread (built with the digest; nothing
    secret)."""

    kind: Literal["digest_file"] = "digest_file"
    ordered = False  # timed: holds back none of the owner's posts
    channel_id: str
    day: date
    thread_ts: str  # the digest message's
    filename: str
    content: str

    def key(self) -> str:
        return f"digest-file:{self.channel_id}:{self.day.isoformat()}"

    def owner(self) -> str:
        return digest_owner(self.channel_id)


class Home(Work):
    """A publish of ``user_id``'s App Home: it draws the user's latest agenda."""

    kind: Literal["home"] = "home"
    edit = True
    user_id: str

    def key(self) -> str:
        return f"home:{self.user_id}"

    def owner(self) -> str:
        return home_owner(self.user_id)
