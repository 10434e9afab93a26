"""The keys action claims are held under (``bot.store.claims``), built here and nowhere else:
a claim makes a mutating action happen once. (Outbox keys belong to the work they key:
``bot.work``.)
"""

from __future__ import annotations


def cancel(request_sid: str, number_sid: str | None = None) -> str:
    """The claim a cancel holds: the whole request, or one of its numbers."""
    return f"cancel:{request_sid}" + (f":{number_sid}" if number_sid else "")


def filing(draft_id: str, attempt: int) -> str:
    """The claim one submission of a /port-in form holds."""
    return f"port-in:{draft_id}:{attempt}"
