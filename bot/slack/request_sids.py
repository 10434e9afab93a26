"""Port-in request SIDs typed into a command (/port-status, /port-cancel)."""

from __future__ import annotations

import re

from bot.slack.carried import REQUEST_SID_PATTERN

REQUEST_SID = re.compile(REQUEST_SID_PATTERN)


def parse_request_sids(text: str) -> tuple[list[str], list[str]]:
    """Request SIDs in ``text`` (each once, in order) and the words that are not SIDs."""
    sids: list[str] = []
    bad: list[str] = []
    for word in re.split(r"[\s,;]+", text.strip()):
        if not word:
            continue
        if REQUEST_SID.match(word):
            if word not in sids:
                sids.append(word)
        else:
            bad.append(word)
    return sids, bad
