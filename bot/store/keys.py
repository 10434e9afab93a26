"""Every key the store is keyed by, built here and nowhere else.

Outbox keys make queueing idempotent and are stamped on the Slack message (its metadata, or
the file's name), so they must not change once items carry them. Claim keys make a mutating
action happen once (``bot.store.claims``).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

# -- outbox items (``bot.store.outbox``) ------------------------------------------------------


def root(request_sid: str) -> str:
    """The request's thread root: one per request, ever."""
    return f"root:{request_sid}"


def reply(request_sid: str) -> str:
    """A new reply in the request's thread (one per change set)."""
    return f"reply:{request_sid}:{uuid.uuid4().hex}"


def file(reply_key: str) -> str:
    """The CSV that follows the reply ``reply_key``."""
    return f"file:{reply_key}"


def board(request_sid: str) -> str:
    """The request's status board edit: one row per request, re-armed for each change."""
    return f"board:{request_sid}"


# Reminder and digest keys are made by the desk's pure planners (``bot.desk.schedule.
# reminder_key``: ``remind:{request}:{kind}:{local due date}``; ``bot.desk.digest_plan.
# digest_key``: ``digest:{channel}:{local date}``), which the Block Kit builders read and so
# cannot import the store; the items below take them as given.


def digest_file(channel_id: str, day: date) -> str:
    """The CSV posted with a long digest."""
    return f"digest-file:{channel_id}:{day.isoformat()}"


def home(user_id: str) -> str:
    """A user's App Home publish: one row per user, re-armed for each change it shows."""
    return f"home:{user_id}"


def checklist(request_sid: str) -> str:
    """The post-port checklist reply: one per request, ever."""
    return f"checklist:{request_sid}"


def golive(request_sid: str, batch: int, *, alert: bool = False) -> str:
    """A go-live batch's reply (``alert``: the channel's alert for numbers named missing)."""
    return f"golive{'-alert' if alert else ''}:{request_sid}:{batch}"


def departed(phone_number: str, gone_at: datetime, *, thread: bool = False) -> str:
    """The alert for a number that left the account at ``gone_at`` (``thread``: its copy in
    the request's thread): once per departure."""
    return f"departed{'-thread' if thread else ''}:{phone_number}:{gone_at.isoformat()}"


# -- manual ports (``bot.store.manual_ports``): their own thread, like a request's ------------


def manual_root(manual_id: str) -> str:
    """A manual port's thread root (its board): one per port, ever."""
    return f"manual-root:{manual_id}"


def manual_reply(manual_id: str) -> str:
    """A reply in a manual port's thread (the support request, a step moved)."""
    return f"manual-reply:{manual_id}:{uuid.uuid4().hex}"


def manual_file(manual_id: str, what: str) -> str:
    """A file in a manual port's thread: a document (``loa:F123``) or the request's text."""
    return f"manual-file:{manual_id}:{what}"


def manual_board(manual_id: str, version: int) -> str:
    """The board edit that shows ``version`` of a manual port."""
    return f"manual-board:{manual_id}:{version}"


def manual_reminder(manual_id: str, kind: str, due_day: date) -> str:
    """A manual port's reminder: once per kind and due day (``bot.desk.manual_schedule``)."""
    return f"remind:{manual_id}:{kind}:{due_day.isoformat()}"


def refiled(old_sid: str, new_sid: str) -> str:
    """The old request's reply saying it was re-filed as ``new_sid``: once per re-filing."""
    return f"refiled:{old_sid}:{new_sid}"


# -- action claims (``bot.store.claims``) -----------------------------------------------------


def cancel(request_sid: str, number_sid: str | None = None) -> str:
    """The claim a cancel holds: the whole request, or one of its numbers."""
    return f"cancel:{request_sid}" + (f":{number_sid}" if number_sid else "")


def filing(draft_id: str, attempt: int) -> str:
    """The claim one submission of a /port-in form holds."""
    return f"port-in:{draft_id}:{attempt}"
