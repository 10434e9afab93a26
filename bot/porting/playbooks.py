"""What to do about a number the losing carrier rejected: one playbook per rejection code.

Each playbook says why the carrier said no, in plain words; who must act (the customer, the
porting desk or Twilio support); the exact steps; which action fits (re-file with corrected
details, cancel the number, contact Twilio support, or wait); and which detail of the filing
the rejection points at, when there is one. Any other code, or a rejection with no code, gets
the fallback.

Twilio's API cannot update a request, so a detail that was wrong is fixed by canceling the
rejected number and filing it again (seed 001, Action Required). Sources: Twilio's error pages
22150–22159 (twilio-porting.md §3) and porting-operations.md §3.1 (causes and fixes).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

ERRORS_URL = "https://www.twilio.com/docs/api/errors"
SUPPORT_EMAIL = "porting@twilio.com"
REJECTION_CODES = range(22150, 22160)  # the codes Twilio relays from a losing carrier


class Actor(StrEnum):
    """Who must act before the number can port."""

    CUSTOMER = "customer"
    DESK = "desk"
    TWILIO = "twilio"

    @property
    def label(self) -> str:
        return {"customer": "the customer", "desk": "the porting desk", "twilio": "Twilio support"}[
            self.value
        ]


class Remedy(StrEnum):
    """Which action fits the rejection."""

    REFILE = "refile"  # cancel the rejected number, file it again with the details corrected
    CANCEL = "cancel"  # cancel the number: it cannot port as it is
    SUPPORT = "support"  # ask Twilio support what the carrier needs
    WAIT = "wait"  # nothing to do here until someone else has acted

    @property
    def label(self) -> str:
        return {
            "refile": "re-file with corrected details",
            "cancel": "cancel the number",
            "support": "contact Twilio support",
            "wait": "wait",
        }[self.value]


class FiledField(StrEnum):
    """The detail of a filing a rejection points at (the /port-in form maps each to its
    field)."""

    CUSTOMER_NAME = "customer_name"
    SERVICE_ADDRESS = "address"
    ACCOUNT_NUMBER = "account_number"
    PIN = "pin"
    TARGET_DATE = "target_port_in_date"

    @property
    def label(self) -> str:
        return {
            "customer_name": "customer name",
            "address": "service address",
            "account_number": "account number",
            "pin": "PIN",
            "target_port_in_date": "target date",
        }[self.value]


@dataclass(frozen=True)
class Playbook:
    code: int | str | None  # a code that is not a number is kept as Twilio wrote it
    name: str
    cause: str
    who: Actor
    steps: tuple[str, ...]
    remedy: Remedy
    field: FiledField | None = None
    # What a re-file form says on ``field`` ("Rejected for INVALID_ADDRESS: …").
    field_hint: str | None = None
    known: bool = True  # False for the fallback

    @property
    def link(self) -> str:
        return f"{ERRORS_URL}/{self.code}" if isinstance(self.code, int) else ERRORS_URL

    @property
    def title(self) -> str:
        """``INVALID_PIN (22155)``; ``REJECTED (no code)`` when Twilio gave none."""
        return f"{self.name} ({self.code if self.code is not None else 'no code'})"


_REFILE = (
    "Cancel each rejected number and file it again with {}: Twilio's API cannot change a request."
)


def _by_code(*playbooks: Playbook) -> dict[int, Playbook]:
    table: dict[int, Playbook] = {}
    for p in playbooks:
        if not isinstance(p.code, int) or p.code in table:
            raise ValueError(f"playbook code {p.code!r}: not a number, or twice")
        table[p.code] = p
    return table


PLAYBOOKS: dict[int, Playbook] = _by_code(
    Playbook(
        22150,
        "CONTACT_SUPPORT_REQUIRED",
        "The losing carrier rejected the number for a reason Twilio's porting team has to "
        "look into; the API does not say which.",
        Actor.TWILIO,
        (
            f"E-mail {SUPPORT_EMAIL} (or answer on the request's support ticket) with the "
            "request SID and the rejected numbers.",
            "Ask what the carrier answered and which detail to correct.",
            "Then re-file the numbers with that correction, or cancel them if they cannot port.",
        ),
        Remedy.SUPPORT,
    ),
    Playbook(
        22151,
        "PHONE_NUMBER_WITH_CARRIER_RESTRICTION",
        "The losing carrier holds the number: a port-out freeze (slamming protection), a "
        "billing hold or an unpaid balance on the account.",
        Actor.CUSTOMER,
        (
            "The customer calls the losing carrier and asks it to lift the port-out freeze, "
            "or pays the balance.",
            "Wait for the carrier to confirm the number is free to port.",
            _REFILE.format("the same details"),
        ),
        Remedy.REFILE,
    ),
    Playbook(
        22152,
        "PHONE_NUMBER_INACTIVE_OR_DISCONNECTED",
        "The number is not active at the losing carrier: its service was disconnected, or "
        "it is not on the account named in the request.",
        Actor.CUSTOMER,
        (
            "The customer asks the losing carrier to reactivate the number on the account "
            "(a disconnected number can be lost for good within days).",
            "Keep the old service active until the port completes: never cancel it first.",
            _REFILE.format("the same details once it is active")
            + " If the carrier cannot restore it, cancel the number.",
        ),
        Remedy.REFILE,
    ),
    Playbook(
        22153,
        "INVALID_END_USER_NAME",
        "The customer name does not match the losing carrier's customer service record "
        "(CSR): “ABC Inc” for “ABC Incorporated”, a previous owner, a person for a business.",
        Actor.DESK,
        (
            "Ask the customer for the CSR (or a recent bill) from the losing carrier.",
            "Copy the account holder's name letter by letter, and check the authorized "
            "representative is on that account.",
            "If the account holder itself is wrong, the customer fixes it with the carrier first.",
            _REFILE.format("the name exactly as on the CSR"),
        ),
        Remedy.REFILE,
        FiledField.CUSTOMER_NAME,
        "Rejected for INVALID_END_USER_NAME: enter the account holder's name exactly as on "
        "the carrier's CSR.",
    ),
    Playbook(
        22154,
        "INVALID_ADDRESS",
        "The service address does not match the losing carrier's record: a billing "
        "address instead of the service address, a missing suite, an old address, a ZIP "
        "or state written differently, a PO Box.",
        Actor.DESK,
        (
            "Get the service address from the carrier's CSR (the address where the line is "
            "installed, not the billing address).",
            "Enter it exactly as the CSR has it: suite or unit, city, state and ZIP; never "
            "a PO Box.",
            _REFILE.format("the corrected address"),
        ),
        Remedy.REFILE,
        FiledField.SERVICE_ADDRESS,
        "Rejected for INVALID_ADDRESS: enter the service address exactly as on the carrier's CSR.",
    ),
    Playbook(
        22155,
        "INVALID_PIN",
        "The port-out PIN is wrong, expired or missing.",
        Actor.CUSTOMER,
        (
            "The customer asks the losing carrier for a new port-out PIN (wireless carriers "
            "issue it in their app or by phone; it expires after a few days).",
            _REFILE.format("the new PIN"),
        ),
        Remedy.REFILE,
        FiledField.PIN,
        "Rejected for INVALID_PIN: enter the new port-out PIN the carrier issued.",
    ),
    Playbook(
        22156,
        "INVALID_ACCOUNT_NUMBER",
        "The account number at the losing carrier is wrong or missing (mobile numbers "
        "always need it).",
        Actor.DESK,
        (
            "Take the account number from the customer's latest bill or CSR (for a mobile "
            "number, ask the carrier: it can differ from the billing account).",
            _REFILE.format("the corrected account number"),
        ),
        Remedy.REFILE,
        FiledField.ACCOUNT_NUMBER,
        "Rejected for INVALID_ACCOUNT_NUMBER: enter the account number exactly as on the "
        "carrier's bill or CSR.",
    ),
    Playbook(
        22157,
        "INVALID_SUBSCRIPTION_RIGHT",
        "The carrier says the subscription right is invalid (a Japan-only NTT rejection; "
        "US ports should not see it).",
        Actor.TWILIO,
        (
            f"Send the request SID and the numbers to {SUPPORT_EMAIL} and ask what the "
            "carrier needs.",
            "Re-file or cancel the numbers as Twilio advises.",
        ),
        Remedy.SUPPORT,
    ),
    Playbook(
        22158,
        "PORT_DATE_REJECTED",
        "The losing carrier refused the requested port date: a weekend or holiday, its "
        "maintenance window, or too soon.",
        Actor.DESK,
        (
            "Pick another business day at least 7 days out (not a weekend or a US federal "
            "holiday).",
            _REFILE.format("the new target date"),
        ),
        Remedy.REFILE,
        FiledField.TARGET_DATE,
        "Rejected for PORT_DATE_REJECTED: pick another business day, at least 7 days out.",
    ),
    Playbook(
        22159,
        "PHONE_NUMBER_NOT_PORTABLE",
        "The losing carrier says the number cannot port as it is: a service on the line "
        "(DSL, alarm, ISDN, Centrex, a hunt group) or its rate center blocks it.",
        Actor.CUSTOMER,
        (
            "The customer asks the carrier which service blocks the port, and moves or "
            "removes it (DSL and alarm lines are the usual ones); then re-file the number.",
            f"If nothing can be removed, ask {SUPPORT_EMAIL} whether it can port another way.",
            "Otherwise cancel the number: it stays with its carrier, and the other numbers "
            "keep going.",
        ),
        Remedy.CANCEL,
    ),
)


def _number(code: int | str | None) -> int | str | None:
    """``"22153"`` → 22153: Twilio writes rejection codes as strings inside a request."""
    if isinstance(code, str):
        code = code.strip()
        return int(code) if code.isascii() and code.isdigit() else code or None
    return code


def fallback(code: int | str | None = None, name: str | None = None) -> Playbook:
    """The playbook for a code we have none for, or a rejection without a code."""
    return Playbook(
        code,
        name or "REJECTED",
        "The losing carrier rejected the number; I have no playbook for this reason.",
        Actor.DESK,
        (
            "Read the reason Twilio gave"
            + (" and the code's page on Twilio's site." if isinstance(code, int) else "."),
            f"If it does not say what to correct, ask {SUPPORT_EMAIL} with the request SID.",
            "Then cancel the number and file it again with the correction, or cancel it if it "
            "cannot port.",
        ),
        Remedy.SUPPORT,
        known=False,
    )


def playbook(code: int | str | None, name: str | None = None) -> Playbook:
    """The playbook for a rejection, by its code (as Twilio writes it), else by its name."""
    number = _number(code)
    if isinstance(number, int) and number in PLAYBOOKS:
        return PLAYBOOKS[number]
    if name:
        wanted = name.strip().upper()
        for p in PLAYBOOKS.values():
            if wanted == p.name:
                return p
    return fallback(number, name)
