"""Domain values for the builders' tests: requests, change sets, check results, drafts, claims
and history, up to the 1,000 numbers a request can hold."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from bot.desk.records import ActionHolder, AuditRecord, Thread
from bot.desk.types import (
    CheckResult,
    Draft,
    NumberChange,
    RequestSnapshot,
    RequestUpdate,
)
from bot.porting.filing import BillFile, PortInDetails
from bot.porting.models import Address, PortInNumber, PortInRequest
from bot.porting.statuses import NumberStatus, RequestStatus

SID = "KW" + "0123456789abcdef" * 2
AT = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
THREAD = Thread("CPORTING", "1700000000.000100")
# Every number status, Twilio's words for one the bot does not know last.
NUMBER_STATUSES = (
    "in_review",
    "waiting_for_signature",
    "submitted",
    "pending",
    "completed",
    "rejected",
    "canceling",
    "canceled",
    "Port Held By Carrier",
)
MANY = 1000  # the most numbers one port-in request takes


def number(i: int, status: str = "in_review") -> PortInNumber:
    return PortInNumber(
        phone_number=f"+1415{5550000 + i:07d}",
        number_sid=f"PU{i:032x}",
        raw_status=status,
        port_date=AT if status == "pending" else None,
        rejection_reason="The PIN does not match" if status == "rejected" else None,
        rejection_reason_code="22102" if status == "rejected" else None,
    )


def numbers(count: int, statuses: tuple[str, ...] = NUMBER_STATUSES) -> list[PortInNumber]:
    return [number(i, statuses[i % len(statuses)]) for i in range(count)]


def request(
    count: int, status: str = "in_progress", statuses: tuple[str, ...] = NUMBER_STATUSES
) -> PortInRequest:
    body: dict[str, Any] = {
        "port_in_request_sid": SID,
        "port_in_request_status": status,
        "target_port_in_date": "2026-11-20",
        "losing_carrier_information": {
            "customer_name": "Acme Plumbing LLC",
            "authorized_representative": "Jane Doe",
        },
    }
    r = PortInRequest.model_validate(body)
    r.phone_numbers = numbers(count, statuses)
    return r


def snapshot(
    count: int,
    status: str = "in_progress",
    *,
    thread: Thread | None = THREAD,
    statuses: tuple[str, ...] = NUMBER_STATUSES,
) -> RequestSnapshot:
    return RequestSnapshot(request(count, status, statuses), thread, "UFILER", AT)


def update(
    count: int,
    status: str = "in_progress",
    *,
    old: RequestStatus | None = RequestStatus.IN_REVIEW,
    canceled_by: dict[str, str] | None = None,
) -> RequestUpdate:
    """``count`` numbers changed from in review to every status (and the request's status)."""
    r = request(count, status)
    changes = [
        NumberChange(n, NumberStatus.IN_REVIEW, n.status, "in_review") for n in r.phone_numbers
    ]
    return RequestUpdate(r, old, changes, canceled_by=canceled_by or {})


def results(count: int) -> list[CheckResult]:
    """Portable (some needing a PIN), not portable, and failed checks, in turn."""
    out = []
    for i in range(count):
        n = f"+1415{5550000 + i:07d}"
        kind = i % 4
        if kind == 0:
            out.append(CheckResult(number=n, portable=True, number_type="LOCAL"))
        elif kind == 1:
            out.append(
                CheckResult(number=n, portable=True, number_type="MOBILE", pin_required=True)
            )
        elif kind == 2:
            out.append(
                CheckResult(
                    number=n,
                    number_type="LOCAL",
                    reason_code=22131,
                    reason="The number is already in the target account",
                )
            )
        else:
            out.append(CheckResult(number=n, reason_code=20500, error="Twilio did not answer"))
    return out


def details(numbers: list[str]) -> PortInDetails:
    return PortInDetails(
        numbers=numbers,
        customer_name="Acme Plumbing LLC",
        customer_type="Business",
        address=Address(street="1 Main St", street_2="Suite 5", city="SF", state="CA", zip="94105"),
        authorized_representative="Jane Doe",
        authorized_representative_email="jane@acme.example",
        target_port_in_date=date(2026, 11, 20),
        target_port_in_time_range_start="10:00:00-08:00",
        target_port_in_time_range_end="12:00:00-08:00",
        bill=BillFile(
            file_id="FBILL",
            name="bill.pdf",
            mimetype="application/pdf",
            size=1000,
            url="https://files.slack.com/FBILL",
            issued_on=date(2026, 10, 20),
        ),
        channel_id="CPORTING",
    )


def draft(checks: list[CheckResult]) -> Draft:
    return Draft("d" * 32, "UFILER", details([c.number for c in checks]), checks)


def pin_draft(count: int, *, blocked: int = 0) -> Draft:
    """``count`` portable mobile numbers (each needs a PIN) and ``blocked`` that cannot be
    filed."""
    checks = [
        CheckResult(number=f"+1415{5550000 + i:07d}", portable=True, number_type="MOBILE")
        for i in range(count)
    ]
    checks += [
        CheckResult(number=f"+1415{5560000 + i:07d}", reason_code=22131, reason="x")
        for i in range(blocked)
    ]
    return draft(checks)


def holder(action: str, status: str = "done") -> ActionHolder:
    return ActionHolder(f"cancel:{SID}", action, "UOTHER", status, SID, AT)


def history() -> list[AuditRecord]:
    """Every kind of line /port-status shows, and more of them than it lists."""
    lines = [
        AuditRecord(AT, "UFILER", "port_in.filed", "ok"),
        AuditRecord(AT, "UFILER", "port_in.filed", "failed", detail="Upload the bill: 20001"),
        AuditRecord(AT, "U2", "request.canceled", "refused", detail="20404 not found"),
        AuditRecord(AT, "U2", "numbers.canceled", "ok", ("+14155550000", "+14155550001")),
        AuditRecord(AT, "U3", "numbers.canceled", "partial", ("+14155550002",), "x" * 500),
        AuditRecord(AT, "U3", "numbers.canceled", "refused", detail="no"),
    ]
    return lines * 4
