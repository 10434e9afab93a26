"""Every key the store is keyed by, built here and nowhere else.

Outbox keys make queueing idempotent and are stamped on the Slack message (its metadata, or
the file's name), so they must not change once items carry them. Claim keys make a mutating
action happen once (``bot.store.claims``).
"""

from __future__ import annotations

import uuid

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
