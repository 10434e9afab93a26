"""Manual ports: the numbers Twilio's Porting API cannot file (22133 MANUAL_PORTING_AVAILABLE),
ported by a support request that follows Twilio's International Porting Process (seed 003).

No API reports where such a port stands, so people move it step by step (``bot.desk.
manual.steps``); these are the values they move and what the rest of the bot reads. Nothing here
imports the store or Slack: the Block Kit builders take these types.

The six steps of seed 003: 1 submit the request (owner's name, numbers, service addresses, LOA,
CSR, a bill from the last 30 days); 2 Twilio quotes the fees, taken as accepted after three
business days without an answer; 3 Twilio approves within one business day of the accepted
quote; 4 the losing carrier approves (keep the account open with it); 5 approved with a port
date (configure the numbers before it) or rejected; 6 completed.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from bot.desk.records import Thread
from bot.errors import Conflict
from bot.porting.phone import country_name, region

MANUAL_ID_PATTERN = r"^MP[0-9a-f]{32}$"  # the shape of a Twilio SID, so it fits the same columns
MANUAL_ID = re.compile(MANUAL_ID_PATTERN)
STEPS = 6
DOCUMENT_TYPES = {  # what Twilio support takes as a scan or an electronic copy
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "tif": "image/tiff",
    "tiff": "image/tiff",
    "heic": "image/heic",
}
BILL_MAX_AGE_DAYS = 30


def new_manual_id() -> str:
    return "MP" + uuid.uuid4().hex


def is_manual_id(text: str) -> bool:
    return bool(MANUAL_ID.match(text))


@dataclass(frozen=True)
class CountryGroup:
    """Numbers the API cannot file, of one country: a manual port each (an LOA is country-
    and type-specific), or for the US (toll-free) a port-in in the Twilio Console."""

    country: str  # ISO 3166 alpha-2 ("GB"); "" when unknown
    name: str  # "United Kingdom"
    numbers: tuple[str, ...]  # E.164, in the order given

    @property
    def console(self) -> bool:
        """US numbers the API refuses (toll-free) are filed in the Console, not by ticket."""
        return self.country == "US"


def group_by_country(numbers: list[str] | tuple[str, ...]) -> list[CountryGroup]:
    """``numbers`` grouped by country, groups in the order their first number came."""
    groups: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    for number in numbers:
        code = region(number) or ""
        groups.setdefault(code, []).append(number)
        names.setdefault(code, country_name(number))
    return [CountryGroup(code, names[code], tuple(found)) for code, found in groups.items()]


class ManualStep(StrEnum):
    """Where a manual port stands (as the store keeps it)."""

    STARTED = "started"  # step 1: the support request is ready to send
    SUBMITTED = "submitted"  # step 2: sent; waiting for Twilio's fee quote
    QUOTED = "quoted"  # step 2: the quote is in; accept it, or Twilio takes it as accepted
    ACCEPTED = "accepted"  # step 3: waiting for Twilio's approval
    APPROVED = "approved"  # step 4: waiting for the losing carrier
    PORT_DATE_SET = "port_date_set"  # step 5: approved, with a port date
    REJECTED = "rejected"  # step 5: rejected; fix it and submit again
    COMPLETED = "completed"  # step 6
    CANCELED = "canceled"

    @property
    def number(self) -> int | None:
        """Its step of seed 003's six (None once canceled)."""
        return _NUMBERS[self]

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def closed(self) -> bool:
        return self in (ManualStep.COMPLETED, ManualStep.CANCELED)

    @property
    def needs_person(self) -> bool:
        """Waiting on the desk rather than on Twilio or the carrier."""
        return self in (ManualStep.STARTED, ManualStep.QUOTED, ManualStep.REJECTED)


_NUMBERS = {
    ManualStep.STARTED: 1,
    ManualStep.SUBMITTED: 2,
    ManualStep.QUOTED: 2,
    ManualStep.ACCEPTED: 3,
    ManualStep.APPROVED: 4,
    ManualStep.PORT_DATE_SET: 5,
    ManualStep.REJECTED: 5,
    ManualStep.COMPLETED: 6,
    ManualStep.CANCELED: None,
}
_LABELS = {
    ManualStep.STARTED: "send the request to Twilio support",
    ManualStep.SUBMITTED: "waiting for Twilio's fee quote",
    ManualStep.QUOTED: "fee quote received: accept it",
    ManualStep.ACCEPTED: "waiting for Twilio's approval",
    ManualStep.APPROVED: "waiting for the losing carrier",
    ManualStep.PORT_DATE_SET: "approved, port date set",
    ManualStep.REJECTED: "rejected: fix it and submit again",
    ManualStep.COMPLETED: "completed",
    ManualStep.CANCELED: "canceled",
}


class DocumentKind(StrEnum):
    """Seed 003 Step 1's documents, in its order."""

    LOA = "loa"
    CSR = "csr"
    BILL = "bill"

    @property
    def label(self) -> str:
        return {
            DocumentKind.LOA: "Letter of Authorization (LOA)",
            DocumentKind.CSR: "Customer Service Record (CSR)",
            DocumentKind.BILL: "Most recent bill (within 30 days)",
        }[self]

    @property
    def short(self) -> str:
        return {DocumentKind.LOA: "LOA", DocumentKind.CSR: "CSR", DocumentKind.BILL: "bill"}[self]


class ManualDocument(BaseModel):
    """A document as Slack holds it (downloaded only to copy it into the thread)."""

    kind: DocumentKind
    file_id: str
    name: str
    mimetype: str
    size: int
    url: str
    issued_on: date | None = None  # the bill's date


class ManualNumber(BaseModel):
    number: str  # E.164
    address: str | None = None  # None: the port's service address


class ManualDetails(BaseModel):
    """What the manual-port form collects (seed 003 Step 1); no PINs, no account numbers."""

    country: str  # ISO 3166 alpha-2 of the numbers
    country_name: str
    customer_name: str  # the owner's or authorized user's first and last name, or the business
    customer_type: str = "Business"  # Business | Individual
    numbers: list[ManualNumber] = Field(min_length=1)
    service_address: str
    losing_carrier: str
    documents: list[ManualDocument] = Field(default_factory=list)
    channel_id: str
    # The go-live profile its numbers get once the port completes (``bot.desk.profiles``).
    golive_profile: str | None = None

    @property
    def phone_numbers(self) -> list[str]:
        return [n.number for n in self.numbers]

    def document(self, kind: DocumentKind) -> ManualDocument | None:
        return next((d for d in self.documents if d.kind == kind), None)

    @property
    def outstanding(self) -> list[DocumentKind]:
        """The Step 1 documents not attached yet, in seed 003's order."""
        return [k for k in DocumentKind if self.document(k) is None]


class RejectionReason(StrEnum):
    """The common reasons seed 003 names (Step 5), and a catch-all."""

    PIN = "pin"
    ADDRESS = "address"
    UNAUTHORIZED = "unauthorized"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            RejectionReason.PIN: "Incorrect PIN for the account",
            RejectionReason.ADDRESS: "Address or ZIP/postcode not as on the carrier's record",
            RejectionReason.UNAUTHORIZED: "Requested by someone not authorized on the account",
            RejectionReason.OTHER: "Another reason (in Twilio's e-mail)",
        }[self]

    @property
    def fix(self) -> str:
        return {
            RejectionReason.PIN: "Ask the customer for the PIN (or passcode) on file with the "
            "losing carrier, then submit again with it.",
            RejectionReason.ADDRESS: "Get the Customer Service Record from the carrier and copy "
            "the service address exactly as it shows it (postcode included), then submit again.",
            RejectionReason.UNAUTHORIZED: "Have the account owner or an authorized user on the "
            "carrier account sign a new LOA and make the request, then submit again.",
            RejectionReason.OTHER: "Read the reason in Twilio's e-mail (Twilio's article “Why "
            "was my port request rejected” lists the common ones and their fixes), fix it, then "
            "submit again.",
        }[self]


CARRIER_NOTE = (
    "It may be necessary to contact the current carrier to resolve the rejection; depending on "
    "its porting requirements, that can add an undetermined amount of time."
)


@dataclass(frozen=True)
class ManualPort:
    """A manual port as the store holds it, for the planners and the builders."""

    id: str
    details: ManualDetails
    step: ManualStep
    filed_by: str
    version: int
    created_at: datetime
    updated_at: datetime
    step_changed_at: datetime
    thread: Thread | None = None
    ticket: str | None = None  # Twilio's support ticket number
    quote: str | None = None  # as Twilio quoted it ("GBP 120")
    quote_at: datetime | None = None  # when Twilio sent the quote
    quote_deadline: datetime | None = None  # taken as accepted then, unless answered
    accepted_at: datetime | None = None  # when the desk accepted it (None: not explicitly)
    approval_due: datetime | None = None  # when Twilio should have approved (seed 003 Step 3)
    approved_at: datetime | None = None
    port_date: date | None = None
    rejection: RejectionReason | None = None
    rejection_note: str | None = None

    @property
    def closed(self) -> bool:
        return self.step.closed

    @property
    def number_count(self) -> int:
        return len(self.details.numbers)

    @property
    def outstanding(self) -> list[DocumentKind]:
        return self.details.outstanding


@dataclass(frozen=True)
class ManualMoved:
    """A step moved: the port after the move, and who moved it from which step."""

    port: ManualPort
    previous: ManualStep
    user_id: str


class StepConflict(Conflict):
    """The port moved since the button or form was drawn (someone else, or a double click);
    ``port`` is how it stands now."""

    def __init__(self, port: ManualPort | None) -> None:
        super().__init__("the manual port moved on")
        self.port = port
