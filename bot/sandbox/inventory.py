"""The simulated account's own numbers (API 2010 ``IncomingPhoneNumbers``) and Messaging
Services with their US A2P 10DLC campaigns.

Numbers arrive when a port completes (and through :meth:`Inventory.seed`, for benchmarks);
the panel's "port this number away" makes one leave. Three Messaging Services exist from the
start: one with a verified campaign, one without a campaign, and the previous provider's, which
already holds every arriving number ending in ``0712`` (adding one elsewhere answers 21712, as
Twilio does). Everything is synchronous: one API call is atomic on the event loop.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .clock import iso
from .errors import SandboxError, not_found

VERIFIED_SERVICE = "MG" + "a1" * 16  # "Acme notifications": campaign VERIFIED
UNREGISTERED_SERVICE = "MG" + "b2" * 16  # "Acme marketing": no campaign
LEGACY_SERVICE = "MG" + "c3" * 16  # the previous provider's: holds numbers ending 0712
LEGACY_SUFFIX = "0712"

SETTINGS = (
    ("VoiceUrl", "voice_url"),
    ("VoiceApplicationSid", "voice_application_sid"),
    ("TrunkSid", "trunk_sid"),
    ("SmsUrl", "sms_url"),
    ("StatusCallback", "status_callback"),
    ("EmergencyAddressSid", "emergency_address_sid"),
)


@dataclass
class SimIncoming:
    sid: str
    phone_number: str
    account_sid: str
    date_created: datetime
    settings: dict[str, str | None] = field(default_factory=dict)
    service_sid: str | None = None

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "sid": self.sid,
            "account_sid": self.account_sid,
            "phone_number": self.phone_number,
            "friendly_name": self.phone_number,
            "date_created": iso(self.date_created),
            "capabilities": {"voice": True, "sms": True, "mms": True, "fax": False},
            "status": "in-use",
            "api_version": "2010-04-01",
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/IncomingPhoneNumbers/{self.sid}.json",
        }
        body.update({name: self.settings.get(name) for _, name in SETTINGS})
        return body


@dataclass
class SimService:
    sid: str
    friendly_name: str
    campaign_status: str | None  # None: no A2P 10DLC campaign registered
    campaign_sid: str = ""


class Inventory:
    """The account's numbers (kept in SID order for stable paging) and Messaging Services."""

    def __init__(self, new_sid: Callable[[str], str]) -> None:
        self._new_sid = new_sid
        self.numbers: dict[str, SimIncoming] = {}
        self.by_number: dict[str, str] = {}
        self._order: list[str] = []  # SIDs, sorted: page tokens are SIDs
        self.updates = 0  # POSTs to a number served, so tests can see nothing changed
        self.services = {
            s.sid: s
            for s in (
                SimService(VERIFIED_SERVICE, "Acme notifications", "VERIFIED", "QE" + "a1" * 16),
                SimService(UNREGISTERED_SERVICE, "Acme marketing", None),
                SimService(LEGACY_SERVICE, "Previous provider", "VERIFIED", "QE" + "c3" * 16),
            )
        }

    # -- arrivals and departures --------------------------------------------------------

    def arrive(self, phone_number: str, account_sid: str, now: datetime) -> SimIncoming:
        """``phone_number`` is the account's now (a port completed); the same one if it was."""
        known = self.by_number.get(phone_number)
        if known is not None:
            return self.numbers[known]
        number = SimIncoming(self._new_sid("PN"), phone_number, account_sid, now)
        if phone_number.endswith(LEGACY_SUFFIX):
            number.service_sid = LEGACY_SERVICE
        self.numbers[number.sid] = number
        self.by_number[phone_number] = number.sid
        bisect.insort(self._order, number.sid)
        return number

    def seed(self, count: int, account_sid: str, now: datetime) -> int:
        """Add ``count`` numbers (+1 212 5xx xxxx) at once: the benchmarks' 100,000."""
        start = len(self.numbers)
        for i in range(start, start + count):
            e164 = f"+1{2125000000 + i:010d}"
            sid = self._new_sid("PN")
            self.numbers[sid] = SimIncoming(sid, e164, account_sid, now)
            self.by_number[e164] = sid
        self._order = sorted(self.numbers)
        return len(self.numbers)

    def leave(self, phone_number: str) -> SimIncoming:
        """``phone_number`` ported away (or was released): it is no longer the account's."""
        sid = self.by_number.pop(phone_number, None)
        if sid is None:
            raise not_found(f"IncomingPhoneNumbers?PhoneNumber={phone_number}")
        number = self.numbers.pop(sid)
        index = bisect.bisect_left(self._order, sid)
        del self._order[index]
        return number

    # -- API reads and writes -----------------------------------------------------------

    def get(self, sid: str, path: str) -> SimIncoming:
        number = self.numbers.get(sid)
        if number is None:
            raise not_found(path)
        return number

    def page(self, token: str | None, size: int, phone_number: str | None) -> PageOf:
        """One page in SID order from ``token`` (the SID to start at), or the one number."""
        if phone_number is not None:
            sid = self.by_number.get(phone_number)
            return PageOf([self.numbers[sid]] if sid else [], None)
        start = bisect.bisect_left(self._order, token) if token else 0
        sids = self._order[start : start + size]
        following = self._order[start + size] if start + size < len(self._order) else None
        return PageOf([self.numbers[s] for s in sids], following)

    def update(self, number: SimIncoming, form: dict[str, str]) -> None:
        for param, name in SETTINGS:
            if param in form:
                number.settings[name] = form[param] or None
        self.updates += 1

    def add_to_service(self, service_sid: str, number_sid: str) -> SimIncoming:
        service = self.services.get(service_sid)
        if service is None:
            raise not_found(f"/v1/Services/{service_sid}")
        number = self.numbers.get(number_sid)
        if number is None:
            raise SandboxError(404, 20404, f"Phone Number {number_sid} was not found")
        if number.service_sid == service_sid:
            raise SandboxError(
                409, 21710, "Phone Number or Short Code is already in the Messaging Service."
            )
        if number.service_sid is not None:
            raise SandboxError(
                409,
                21712,
                "Phone Number or Short Code is already associated with another Messaging Service.",
            )
        number.service_sid = service_sid
        return number


@dataclass(frozen=True)
class PageOf:
    numbers: list[SimIncoming]
    next_sid: str | None
