"""What filing a port-in needs, in two halves kept apart on purpose.

:class:`PortInDetails` is everything people type that is not secret (it may wait in the
database between form steps). :class:`PortInSecrets` holds the PINs and the account number;
it lives only in memory for one filing and is revealed only in the body sent to Twilio.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field, SecretStr

from bot.porting.models import (
    MAX_DOCUMENT_BYTES,
    Address,
    LosingCarrierInformation,
    PortInCreate,
    PortInNumberCreate,
)
from bot.porting.phone import mask

MAX_BILL_BYTES = MAX_DOCUMENT_BYTES  # a bill is a Twilio document
BILL_MAX_AGE_DAYS = 30
MIN_TARGET_DAYS = 7
# Bill file types Twilio takes: a PDF or an image.
BILL_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "tif": "image/tiff",
    "tiff": "image/tiff",
    "heic": "image/heic",
    "webp": "image/webp",
}
_SCRUB_MIN = 4  # shorter strings are too common to scrub from text


class BillFile(BaseModel):
    """The utility bill as the chat tool holds it (downloaded only when filing), or as Twilio
    already holds it (``documents`` set: uploaded before, nothing to download)."""

    file_id: str
    name: str
    mimetype: str
    size: int
    url: str
    issued_on: date
    documents: list[str] = Field(default_factory=list)  # Twilio document SIDs (RD…)


class PortInDetails(BaseModel):
    """A port-in request's details without its secrets."""

    numbers: list[str] = Field(min_length=1, max_length=1000)
    customer_name: str
    customer_type: Literal["Business", "Individual"]
    account_telephone_number: str | None = None
    # The BTN is not being ported: it stays with the losing carrier (not sent to Twilio, whose
    # API has no field for it; it only tells the form the person meant it).
    account_telephone_number_stays: bool = False
    address: Address
    authorized_representative: str
    authorized_representative_email: str
    target_port_in_date: date | None = None
    target_port_in_time_range_start: str | None = None
    target_port_in_time_range_end: str | None = None
    notification_emails: list[str] = Field(default_factory=list)
    bill: BillFile
    channel_id: str
    # The go-live profile its numbers get as they port in (``bot.desk.profiles``; "none":
    # as Twilio delivers them; None: the profile file's default).
    golive_profile: str | None = None


@dataclass(frozen=True, repr=False)
class PortInSecrets:
    """PINs (by E.164 number) and the losing-carrier account number."""

    account_number: SecretStr | None = None
    pins: Mapping[str, SecretStr] = field(default_factory=dict)

    def __repr__(self) -> str:
        account = "set" if self.account_number else None
        return f"PortInSecrets(account_number={account}, pins={len(self.pins)})"

    def revealed(self) -> list[str]:
        """The raw secret values, for scrubbing text before it is shown, stored or logged."""
        values = [p.get_secret_value() for p in self.pins.values()]
        if self.account_number is not None:
            values.append(self.account_number.get_secret_value())
        return [v for v in values if v]

    def masked_summary(self) -> str:
        """``PIN ••••34 on 3 numbers · account ••••56``: what a confirmation may show."""
        parts: list[str] = []
        by_pin: dict[str, int] = {}
        for pin in self.pins.values():
            shown = mask(pin.get_secret_value())
            by_pin[shown] = by_pin.get(shown, 0) + 1
        for shown, count in by_pin.items():
            parts.append(f"PIN {shown} on {count:,} number{'s' if count != 1 else ''}")
        if self.account_number is not None:
            parts.append(f"account {mask(self.account_number.get_secret_value())}")
        return " · ".join(parts)

    def scrub(self, text: str) -> str:
        """``text`` with every secret replaced by its mask (Twilio messages may echo input)."""
        for secret in sorted(self.revealed(), key=len, reverse=True):
            if len(secret) >= _SCRUB_MIN:
                text = text.replace(secret, mask(secret))
        return text


def build_create(
    details: PortInDetails,
    secrets: PortInSecrets,
    *,
    account_sid: str,
    documents: Sequence[str],
    numbers: Iterable[str],
) -> PortInCreate:
    """The create body for ``numbers`` (the details' numbers that are being filed)."""
    return PortInCreate(
        account_sid=account_sid,
        documents=list(documents),
        phone_numbers=[
            PortInNumberCreate(phone_number=n, pin=secrets.pins.get(n)) for n in numbers
        ],
        losing_carrier_information=LosingCarrierInformation(
            customer_name=details.customer_name,
            customer_type=details.customer_type,
            account_number=secrets.account_number,
            account_telephone_number=details.account_telephone_number,
            authorized_representative=details.authorized_representative,
            authorized_representative_email=details.authorized_representative_email,
            address=details.address,
        ),
        notification_emails=details.notification_emails or None,
        target_port_in_date=details.target_port_in_date,
        target_port_in_time_range_start=details.target_port_in_time_range_start,
        target_port_in_time_range_end=details.target_port_in_time_range_end,
    )


def sniff_bill(content: bytes) -> str | None:
    """The MIME type of a PDF or image by its first bytes, else None (e.g. an HTML page)."""
    signatures = (
        (b"%PDF", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n", "image/png"),
        (b"\xff\xd8\xff", "image/jpeg"),
        (b"GIF87a", "image/gif"),
        (b"GIF89a", "image/gif"),
        (b"II*\x00", "image/tiff"),
        (b"MM\x00*", "image/tiff"),
    )
    for magic, mime in signatures:
        if content.startswith(magic):
            return mime
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    if content[4:8] == b"ftyp" and content[8:12] in (b"heic", b"heix", b"mif1"):
        return "image/heic"
    return None
