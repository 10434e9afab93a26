"""Portability: whether Twilio can port one number into the account (``GET
/v1/Porting/Portability/PhoneNumber/{number}``, reference §1)."""

from __future__ import annotations

import re

import httpx

from bot.porting.models import Portability
from bot.porting.phone import E164_PATTERN
from bot.porting.porting_calls import PortingCalls
from bot.porting.sids import validate_sid
from bot.porting.transport import json_or_none, parse_model

_E164 = re.compile(E164_PATTERN)


class PortabilityCalls(PortingCalls):
    """The portability check (what /port-check and the form's re-check ask)."""

    async def check_portability(
        self,
        phone_number: str,
        *,
        target_account_sid: str | None = None,
        address_sid: str | None = None,
    ) -> Portability:
        """Portability of one E.164 number. Not-portable answers (HTTP 200 or 4xx) are returned
        as ``Portability(portable=False, ...)``; other errors raise TwilioError."""
        _validate_e164(phone_number)
        params: dict[str, str] = {}
        if target_account_sid is not None:
            params["TargetAccountSid"] = validate_sid(target_account_sid, "AC")
        if address_sid is not None:
            params["AddressSid"] = validate_sid(address_sid, "AD")
        # Literal "+" in the path, as the official SDK sends it (reference §1).
        response = await self._request(
            "GET",
            f"{self._numbers_url}/v1/Porting/Portability/PhoneNumber/{phone_number}",
            params=params,
            tolerate=_is_not_portable_answer,
        )
        if response.is_success:
            return parse_model(Portability, response)
        body = dict(json_or_none(response))
        body.setdefault("phone_number", phone_number)
        body["portable"] = False
        return Portability.model_validate(body)


def _is_not_portable_answer(response: httpx.Response) -> bool:
    # Twilio's docs say not-portable results may come back as HTTP 4xx carrying the Portability
    # reason fields (reference §1). 429 and 5xx are failures, never answers.
    if not 400 <= response.status_code < 500 or response.status_code == 429:
        return False
    body = json_or_none(response)
    return isinstance(body, dict) and body.get("not_portable_reason_code") is not None


def _validate_e164(phone_number: str) -> str:
    if not isinstance(phone_number, str) or not _E164.match(phone_number):
        raise ValueError(
            f"Invalid phone number {phone_number!r}: expected E.164, e.g. +14155550100"
        )
    return phone_number
