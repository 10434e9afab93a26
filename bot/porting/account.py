"""The account's own phone numbers (API 2010 ``IncomingPhoneNumbers``) and Messaging Services
(Messaging v1): finding a number that ported in, pointing it at a voice and messaging set-up,
and reading the whole inventory page by page.

References: ``twilio_api_v2010_numbers.json`` and ``twilio_messaging_v1_services.json``. Calls
travel through the same :class:`~bot.porting.transport.TwilioTransport` as the porting ones
(timeout, retries of 429/5xx honouring ``Retry-After``, errors carrying Twilio's code, message
and link). The 2010 API takes form-encoded bodies; paging follows ``next_page_uri``.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict

from bot.porting.errors import TwilioError
from bot.porting.sids import validate_sid
from bot.porting.transport import TwilioTransport, json_or_none, parse_model

API_URL = "https://api.twilio.com"
MESSAGING_URL = "https://messaging.twilio.com"
PAGE_SIZE = 1000  # the most the 2010 API gives per page
# Twilio: "Phone Number or Short Code is already associated with another Messaging Service".
IN_ANOTHER_SERVICE = 21712
# Twilio: "Phone Number or Short Code is already in the Messaging Service".
ALREADY_IN_SERVICE = 21710
_E164 = re.compile(r"^\+[1-9][0-9]{1,14}$")


class _Settable(BaseModel):
    """The settings of a number a go-live profile sets (Twilio's field names)."""

    voice_url: str | None = None
    voice_application_sid: str | None = None
    trunk_sid: str | None = None
    sms_url: str | None = None
    status_callback: str | None = None
    emergency_address_sid: str | None = None


class IncomingNumber(_Settable):
    """One of the account's numbers, with the settings a go-live profile sets."""

    model_config = ConfigDict(extra="ignore")

    sid: str
    phone_number: str


class NumberSettings(_Settable):
    """What to set on a number (``None``: leave as it is)."""

    model_config = ConfigDict(frozen=True)

    def form(self) -> dict[str, str]:
        names = {
            "voice_url": "VoiceUrl",
            "voice_application_sid": "VoiceApplicationSid",
            "trunk_sid": "TrunkSid",
            "sms_url": "SmsUrl",
            "status_callback": "StatusCallback",
            "emergency_address_sid": "EmergencyAddressSid",
        }
        return {names[k]: v for k, v in self.model_dump().items() if v is not None}

    def differs(self, number: IncomingNumber) -> bool:
        """True when applying these settings would change ``number``."""
        return any(getattr(number, k) != v for k, v in self.model_dump().items() if v is not None)


class Usa2pCampaign(BaseModel):
    """A Messaging Service's US A2P 10DLC campaign (``Compliance/Usa2p``)."""

    model_config = ConfigDict(extra="ignore")

    sid: str | None = None
    campaign_status: str | None = None  # IN_PROGRESS, VERIFIED, FAILED…
    campaign_id: str | None = None


class AccountNumbers:
    """Typed calls on the account's numbers and Messaging Services."""

    def __init__(
        self,
        transport: TwilioTransport,
        account_sid: str,
        *,
        api_url: str = API_URL,
        messaging_url: str = MESSAGING_URL,
    ) -> None:
        self.account_sid = validate_sid(account_sid, "AC")
        self._request = transport.request
        self._api_url = api_url.rstrip("/")
        self._messaging_url = messaging_url.rstrip("/")

    # ------------------------------------------------------------------ the inventory

    async def find(self, phone_number: str) -> IncomingNumber | None:
        """The account's number ``phone_number`` (E.164), or None when it is not there."""
        if not _E164.match(phone_number):
            raise ValueError(f"Invalid phone number {phone_number!r}: expected E.164")
        body = await self._get_json(self._numbers_url(), {"PhoneNumber": phone_number})
        for row in _rows(body):
            number = IncomingNumber.model_validate(row)
            if number.phone_number == phone_number:
                return number
        return None

    async def pages(self, page_size: int = PAGE_SIZE) -> AsyncIterator[list[tuple[str, str]]]:
        """Every number in the account as ``(PN sid, E.164)`` pairs, one list per page,
        following ``next_page_uri`` (only the two fields are kept: 100,000 numbers must not
        become 100,000 models)."""
        if not 1 <= page_size <= PAGE_SIZE:
            raise ValueError(f"Invalid page size {page_size}: expected 1..{PAGE_SIZE}")
        url: str | None = self._numbers_url()
        params: dict[str, str] | None = {"PageSize": str(page_size)}
        seen: set[str] = set()
        while url is not None:
            body = await self._get_json(url, params)
            yield [
                (str(row["sid"]), str(row["phone_number"]))
                for row in _rows(body)
                if row.get("sid") and row.get("phone_number")
            ]
            next_uri = body.get("next_page_uri")
            if not next_uri or next_uri in seen:  # the last page (or a loop)
                return
            seen.add(next_uri)
            url, params = f"{self._api_url}{next_uri}", None

    async def update(self, number_sid: str, settings: NumberSettings) -> IncomingNumber:
        """Set ``settings`` on the number ``PN…`` (an overwrite: safe to retry)."""
        response = await self._request("POST", self._number_url(number_sid), data=settings.form())
        return parse_model(IncomingNumber, response)

    # ------------------------------------------------------------------ messaging

    async def add_to_service(self, service_sid: str, number_sid: str) -> bool:
        """Put the number in the Messaging Service: True when it was added, False when it was
        already there. Raises TwilioError 21712 when another service holds it."""
        url = f"{self._service_url(service_sid)}/PhoneNumbers"
        try:
            await self._request(
                "POST", url, data={"PhoneNumberSid": validate_sid(number_sid, "PN")}
            )
        except TwilioError as error:
            if error.code == ALREADY_IN_SERVICE:
                return False
            raise
        return True

    async def usa2p(self, service_sid: str) -> list[Usa2pCampaign]:
        """The service's US A2P 10DLC campaigns (empty: none registered)."""
        body = await self._get_json(f"{self._service_url(service_sid)}/Compliance/Usa2p", None)
        rows = body.get("compliance") or []
        return [Usa2pCampaign.model_validate(r) for r in rows if isinstance(r, dict)]

    # ------------------------------------------------------------------ internals

    async def _get_json(self, url: str, params: dict[str, str] | None) -> dict[str, Any]:
        response: httpx.Response = await self._request("GET", url, params=params)
        body = json_or_none(response)
        if not isinstance(body, dict):
            raise TwilioError(response.status_code, None, "Twilio returned a non-JSON page")
        return body

    def _numbers_url(self) -> str:
        return f"{self._api_url}/2010-04-01/Accounts/{self.account_sid}/IncomingPhoneNumbers.json"

    def _number_url(self, number_sid: str) -> str:
        sid = validate_sid(number_sid, "PN")
        return self._numbers_url().removesuffix(".json") + f"/{sid}.json"

    def _service_url(self, service_sid: str) -> str:
        return f"{self._messaging_url}/v1/Services/{validate_sid(service_sid, 'MG')}"


def _rows(body: dict[str, Any]) -> list[dict[str, Any]]:
    rows = body.get("incoming_phone_numbers") or []
    return [r for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []
