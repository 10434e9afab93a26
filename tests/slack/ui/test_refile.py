"""The re-filing form's builders: step 1 prefilled (rejected fields marked, the bill Twilio
holds offered again or not), step 2 naming the cancel first, and the filing's outcome."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.desk.refile.types import HeldBill, Prefill, RefilePlan, RefileSource, Rejection
from bot.desk.types import CheckResult, Draft, FilingFailed, FilingStep
from bot.porting.filing import BILL_MAX_AGE_DAYS
from bot.porting.playbooks import PLAYBOOKS as REJECTION
from bot.slack.carried import PortInMeta
from bot.slack.ids import PortInField as F
from bot.slack.ui.port_in import filing, refile_form
from tests.slack.ui.block_kit import as_view, modal_problems
from tests.slack.ui.samples import SID, details

TODAY = date(2026, 12, 1)
HELD = HeldBill(
    ("RD" + "1" * 32,), "bill.pdf", TODAY - timedelta(days=3), TODAY - timedelta(days=2)
)


def _source(
    numbers: tuple[str, ...] = ("+14155550154",),
    *,
    codes: tuple[str, ...] = ("22154",),
    bill: HeldBill | None = HELD,
    saved: bool = True,
) -> RefileSource:
    return RefileSource(
        request_sid=SID,
        customer="Acme Plumbing LLC",
        numbers=numbers,
        rejections=tuple(Rejection(c, None, numbers) for c in codes),
        prefill=Prefill(
            customer_name="Acme Plumbing LLC",
            customer_type="Business",
            account_telephone_number="+14155550100",
            street="1 Main St",
            city="San Francisco",
            state="CA",
            zip="94105",
            country="US",
            authorized_representative="Jane Doe",
            authorized_representative_email="jane@acme.example",
            notification_emails=("ops@acme.example",),
            target_port_in_date=TODAY + timedelta(days=10),
            channel_id="CPORTING",
        ),
        bill=bill,
        saved=saved,
    )


def _block(view: dict, block_id: str) -> dict:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


def test_every_rejection_code_keeps_the_form_within_slacks_limits() -> None:
    for code in REJECTION:
        view = refile_form.refile_view(
            PortInMeta(refile_of=SID), _source(codes=(str(code),)), today=TODAY
        )
        assert modal_problems(view) == [], code
        assert view["title"]["text"] == "Re-file (1 of 2)"


@pytest.mark.parametrize(
    ("code", "fields"),
    [
        ("22153", {F.CUSTOMER_NAME, F.REP_NAME}),
        ("22154", {F.STREET}),
        ("22155", {F.PIN_ALL}),
        ("22156", {F.ACCOUNT_NUMBER}),
        ("22158", {F.TARGET_DATE}),
        ("22151", set()),  # the customer acts with the carrier: no field to correct
        (None, set()),
    ],
)
def test_the_fields_a_rejection_points_at(code: str | None, fields: set[str]) -> None:
    hints = refile_form.field_hints([Rejection(code, None, ("+14155550154",))])
    assert set(hints) == fields
    assert all(h.startswith("⚠️ Rejected for ") for h in hints.values())


def test_prefilled_fields_and_the_rejected_one_marked() -> None:
    view = refile_form.refile_view(PortInMeta(refile_of=SID), _source(), today=TODAY)
    assert _block(view, F.NUMBERS)["element"]["initial_value"] == "+14155550154"
    assert _block(view, F.ACCOUNT_PHONE)["element"]["initial_value"] == "+1 415-555-0100"
    assert _block(view, F.NOTIFY)["element"]["initial_value"] == "ops@acme.example"
    date_field = _block(view, F.TARGET_DATE)["element"]
    assert date_field["initial_date"] == (TODAY + timedelta(days=10)).isoformat()
    assert "INVALID_ADDRESS" in _block(view, F.STREET)["hint"]["text"]
    assert "Rejected" not in str(_block(view, F.CITY).get("hint"))


def test_a_refused_port_date_is_not_offered_again() -> None:
    view = refile_form.refile_view(
        PortInMeta(refile_of=SID), _source(codes=("22158",)), today=TODAY
    )
    element = _block(view, F.TARGET_DATE)["element"]
    assert "initial_date" not in element
    assert "PORT_DATE_REJECTED" in _block(view, F.TARGET_DATE)["hint"]["text"]


def test_a_bill_older_than_30_days_is_asked_for_again() -> None:
    old = HeldBill(HELD.documents, "bill.pdf", TODAY - timedelta(days=BILL_MAX_AGE_DAYS + 1), None)
    assert not old.reusable(TODAY) and HELD.reusable(TODAY)
    view = refile_form.refile_view(PortInMeta(refile_of=SID), _source(bill=old), today=TODAY)
    bill = _block(view, F.BILL)
    assert not bill.get("optional") and "more than 30 days ago" in bill["hint"]["text"]
    assert "initial_date" not in _block(view, F.BILL_DATE)["element"]
    # A bill Twilio holds without a date we know, uploaded more than 30 days ago: too old.
    assert not HeldBill(HELD.documents, "x", None, TODAY - timedelta(days=31)).reusable(TODAY)
    assert HeldBill(HELD.documents, "x", None, TODAY - timedelta(days=29)).reusable(TODAY)


def test_more_rejected_numbers_than_the_paste_area_holds_come_from_the_request() -> None:
    numbers = tuple(f"+1212555{i:04d}" for i in range(300))
    meta = PortInMeta(refile_of=SID, refile_count=300, refile_code="22154")
    view = refile_form.refile_view(meta, _source(numbers), today=TODAY)
    field = _block(view, F.NUMBERS)
    assert field["optional"] and "initial_value" not in field["element"]
    assert "Re-filing 300 numbers" in str(view["blocks"][0])
    assert modal_problems(view) == []


def _draft() -> Draft:
    checks = [CheckResult(number="+14155550207", portable=True, number_type="MOBILE")]
    return Draft("d" * 32, "UFILER", details(["+14155550207"]), checks, refile_of=SID)


def test_step_two_names_the_cancel_first_and_marks_the_pin() -> None:
    plan = RefilePlan(SID, "Acme", ("+14155550207",), (Rejection("22155", None, ()),))
    view = as_view(refile_form.account_view(_draft(), PortInMeta(draft_id="d" * 32), plan))
    assert modal_problems(view) == []
    assert (
        view["submit"]["text"] == "Cancel & re-file" and view["title"]["text"] == "Re-file (2 of 2)"
    )
    assert f"first cancels +1 415-555-0207 in `{SID}`" in str(view["blocks"])
    pin = _block(view, F.PIN_ALL)
    assert pin["hint"]["text"].startswith("⚠️ Rejected for INVALID_PIN")
    nothing_left = RefilePlan(SID, "Acme", ())
    view = as_view(refile_form.account_view(_draft(), PortInMeta(draft_id="d" * 32), nothing_left))
    assert view["submit"]["text"] == "File port-in" and "Nothing is left to cancel" in str(view)


def test_a_failure_after_the_cancel_says_the_numbers_wait_unfiled() -> None:
    failure = FilingFailed(FilingStep.CREATE, "Twilio did not answer")
    failure.refile_of, failure.canceled = SID, ["+14155550207"]
    banner = filing.failure_banner(failure)
    assert f"+1 415-555-0207 is canceled in `{SID}` and *not yet re-filed*" in banner
    assert "Nothing was filed" not in banner
    steps = _draft().steps
    assert steps == [
        FilingStep.DOWNLOAD,
        FilingStep.UPLOAD,
        FilingStep.CANCEL,
        FilingStep.CREATE,
        FilingStep.THREAD,
    ]
    shown = str(as_view(filing.filing_view(FilingStep.CANCEL, steps)))
    assert "⏳ Cancel the numbers in the old request" in shown and "✅ Upload the bill" in shown
    assert "Cancel the numbers" not in str(as_view(filing.filing_view(FilingStep.CREATE)))
