"""The one "Acme" port-in the tests file: its details, its secrets, and the bodies made from them
(Twilio's create JSON, the client's ``PortInCreate``, the desk's ``PortInDetails``).

Tests that need a variation pass it in (``overrides``, other numbers or secrets) instead of
writing the body out again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from pydantic import SecretStr

from bot.porting.filing import BillFile, PortInDetails, PortInSecrets
from bot.porting.models import Address, PortInCreate

CUSTOMER_NAME = "Acme Plumbing LLC"
CUSTOMER_TYPE = "Business"
REPRESENTATIVE = "Jane Doe"
REPRESENTATIVE_EMAIL = "jane@acme.example"
NOTIFICATION_EMAIL = "ops@acme.example"
ACCOUNT_TELEPHONE = "+14155550100"
STREET = "1 Main St"
CITY = "San Francisco"
STATE = "CA"
ZIP = "94105"
COUNTRY = "US"

# The secrets: they reach Twilio's create body and nothing else (no log, table or message).
PIN = "73914"
ACCOUNT_NUMBER = "5550001234"

BILL_PDF = b"%PDF-1.4 utility bill"

Numbers = Sequence[str] | Sequence[Mapping[str, Any]]


def address() -> dict[str, Any]:
    """The billing address as Twilio's JSON has it."""
    return {
        "street": STREET,
        "street_2": None,
        "city": CITY,
        "state": STATE,
        "zip": ZIP,
        "country": COUNTRY,
    }


def losing_carrier(
    *,
    account_number: str | None = ACCOUNT_NUMBER,
    account_telephone_number: str | None = ACCOUNT_TELEPHONE,
) -> dict[str, Any]:
    """``losing_carrier_information`` as Twilio's create JSON has it."""
    lci: dict[str, Any] = {
        "customer_type": CUSTOMER_TYPE,
        "customer_name": CUSTOMER_NAME,
        "account_number": account_number,
        "account_telephone_number": account_telephone_number,
        "authorized_representative": REPRESENTATIVE,
        "authorized_representative_email": REPRESENTATIVE_EMAIL,
        "address": address(),
    }
    return {k: v for k, v in lci.items() if v is not None}


def create_json(
    account_sid: str,
    documents: Sequence[str],
    numbers: Numbers,
    *,
    target: date | str | None = None,
    account_number: str | None = ACCOUNT_NUMBER,
    account_telephone_number: str | None = ACCOUNT_TELEPHONE,
    **overrides: Any,
) -> dict[str, Any]:
    """The body of ``POST /v1/Porting/PortIn``; ``numbers`` are E.164 strings or Twilio's
    ``{"phone_number": …, "pin": …}`` objects, ``overrides`` replace top-level fields."""
    body: dict[str, Any] = {
        "account_sid": account_sid,
        "documents": list(documents),
        "phone_numbers": [
            dict(n) if isinstance(n, Mapping) else {"phone_number": n} for n in numbers
        ],
        "losing_carrier_information": losing_carrier(
            account_number=account_number, account_telephone_number=account_telephone_number
        ),
        "notification_emails": [NOTIFICATION_EMAIL],
    }
    if target is not None:
        body["target_port_in_date"] = target if isinstance(target, str) else target.isoformat()
    body.update(overrides)
    return body


def port_in_create(
    account_sid: str, documents: Sequence[str], numbers: Numbers, **options: Any
) -> PortInCreate:
    """The same body as the client's model (options as :func:`create_json`)."""
    return PortInCreate.model_validate(create_json(account_sid, documents, numbers, **options))


def with_pins(numbers: Sequence[str], pins: Mapping[str, str]) -> list[dict[str, Any]]:
    """Twilio's number objects, a PIN on the numbers ``pins`` names."""
    return [
        {"phone_number": n, "pin": pins[n]} if n in pins else {"phone_number": n} for n in numbers
    ]


def bill_file(issued_on: date = date(2026, 11, 1)) -> BillFile:
    """The bill as Slack holds it when the form is sent (downloaded only when filing)."""
    return BillFile(
        file_id="F1",
        name="bill.pdf",
        mimetype="application/pdf",
        size=10,
        url="https://files.slack.com/F1",
        issued_on=issued_on,
    )


def port_in_details(
    numbers: Sequence[str],
    *,
    channel_id: str = "C1",
    target: date | None = None,
    bill: BillFile | None = None,
    **overrides: Any,
) -> PortInDetails:
    """What the /port-in form collects (nothing secret), as the desk keeps it in a draft."""
    values: dict[str, Any] = {
        "numbers": list(numbers),
        "customer_name": CUSTOMER_NAME,
        "customer_type": CUSTOMER_TYPE,
        "account_telephone_number": ACCOUNT_TELEPHONE,
        "address": Address(street=STREET, city=CITY, state=STATE, zip=ZIP, country=COUNTRY),
        "authorized_representative": REPRESENTATIVE,
        "authorized_representative_email": REPRESENTATIVE_EMAIL,
        "target_port_in_date": target,
        "notification_emails": [NOTIFICATION_EMAIL],
        "bill": bill or bill_file(),
        "channel_id": channel_id,
        **overrides,
    }
    return PortInDetails(**values)


def port_in_secrets(
    pins: Mapping[str, str] | None = None, account_number: str | None = ACCOUNT_NUMBER
) -> PortInSecrets:
    """The form's second step: PINs by number and the account number."""
    return PortInSecrets(
        account_number=SecretStr(account_number) if account_number is not None else None,
        pins={n: SecretStr(p) for n, p in (pins or {}).items()},
    )
