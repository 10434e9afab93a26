"""Portability of a number for an account: the test-number table plus what the sandbox holds."""

from __future__ import annotations

from collections.abc import Mapping

from .config import SANDBOX_SUBACCOUNT_SID
from .data import PortabilityAnswer, SimRequest
from .number_rules import NOT_PORTABLE_REASONS, classify


def portability(
    number: str,
    target_account: str,
    owned: Mapping[str, str],
    active: Mapping[str, SimRequest],
) -> PortabilityAnswer:
    """Portability of ``number`` for ``target_account``.

    ``owned`` maps numbers the sandbox ported in to their account; ``active`` maps numbers in a
    live port-in to its request. Either makes the number 22131 (target account) or 22136.
    """
    profile = classify(number)
    if profile.error is not None:
        return PortabilityAnswer(profile, None, None)
    owner = owned.get(number)
    if owner is not None:
        code = 22131 if owner == target_account else 22136
        return PortabilityAnswer(profile, NOT_PORTABLE_REASONS[code], owner)
    porting = active.get(number)
    if porting is not None:
        code = 22131 if porting.account_sid == target_account else 22136
        return PortabilityAnswer(profile, NOT_PORTABLE_REASONS[code], None)
    reason = profile.not_portable
    account_sid = None
    if reason is not None and reason.code == 22131:
        account_sid = target_account
    elif reason is not None and reason.code == 22136:
        account_sid = SANDBOX_SUBACCOUNT_SID
    return PortabilityAnswer(profile, reason, account_sid)
