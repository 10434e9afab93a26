"""Filing without Slack: drafts, the portability re-check, one claim per submission, and the
filing itself against the sandbox (with an injected bill download), including where it fails."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.desk import BillNotReadable, Draft, FilingFailed, FilingStep
from bot.store.models import (
    ActionClaim,
    AuditEntry,
    NumberState,
    OutboxItem,
    PortInDraft,
    RequestState,
    RequestSync,
)
from tests.bodies import (
    ACCOUNT_NUMBER,
    BILL_PDF,
    CUSTOMER_NAME,
    NOTIFICATION_EMAIL,
    PIN,
    losing_carrier,
    port_in_details,
    port_in_secrets,
)

from .conftest import SECRETS, START, Harness, payload

LOCAL = "+14155550101"
MOBILE = "+14155550201"
MANUAL = "+14155550133"  # not portable: 22133
INVALID = "+14155550134"  # the check fails: 22102
CHANNEL = "CFILING"
TARGET = START.date() + timedelta(days=10)


async def bill() -> bytes:
    return BILL_PDF


async def _checked_draft(harness: Harness, numbers: list[str]) -> Draft:
    details = port_in_details(numbers, channel_id=CHANNEL, target=TARGET)
    draft_id = await harness.desk.save_draft("U1", details)
    return await harness.desk.check_draft(draft_id)


async def _assert_nothing_filed(harness: Harness) -> None:
    assert harness.sandbox.state.requests == {}
    for model in (RequestState, NumberState, RequestSync, OutboxItem, ActionClaim):
        assert await harness.rows(model) == [], model.__name__
    text = await harness.table_text()
    assert not any(secret in text for secret in SECRETS)


async def test_a_draft_is_kept_between_the_forms_steps(harness: Harness) -> None:
    details = port_in_details([LOCAL, MOBILE], channel_id=CHANNEL, target=TARGET)

    draft_id = await harness.desk.save_draft("U1", details)

    (row,) = await harness.rows(PortInDraft)
    assert (row.id, row.user_id, row.checks) == (draft_id, "U1", None)
    draft = await harness.desk.load_draft(draft_id)
    assert draft is not None
    assert (draft.id, draft.user_id, draft.details, draft.checks) == (
        draft_id,
        "U1",
        details,
        None,
    )
    assert draft.fileable == [] and draft.blocked == []  # nothing checked yet
    assert await harness.desk.load_draft("0" * 32) is None
    with pytest.raises(LookupError):
        await harness.desk.check_draft("0" * 32)


async def test_the_recheck_keeps_only_portable_numbers_and_says_which_need_a_pin(
    harness: Harness,
) -> None:
    draft = await _checked_draft(harness, [MANUAL, LOCAL, INVALID, MOBILE])

    assert draft.fileable == [LOCAL, MOBILE]
    assert [(r.number, r.outcome, r.reason_code) for r in draft.blocked] == [
        (MANUAL, "not_portable", 22133),
        (INVALID, "error", 22102),
    ]
    assert draft.pin_numbers == [MOBILE]
    reloaded = await harness.desk.load_draft(draft.id)
    assert reloaded is not None and reloaded.checks == draft.checks


async def test_filing_creates_exactly_the_submitted_request_and_records_who_filed_it(
    harness: Harness,
) -> None:
    draft = await _checked_draft(harness, [MANUAL, LOCAL, MOBILE])
    assert await harness.desk.claim_filing(draft.id, 1, "U1") is None
    steps: list[FilingStep] = []

    async def on_step(step: FilingStep) -> None:
        steps.append(step)

    filed = await harness.desk.file_port_in(
        draft,
        port_in_secrets({MOBILE: PIN}),
        user_id="U1",
        attempt=1,
        fetch_bill=bill,
        on_step=on_step,
    )

    # Twilio has one request: the details, the secrets and the portable numbers, as typed.
    (request,) = harness.sandbox.state.requests.values()
    sid = request.sid
    assert filed.snapshot.request.request_sid == sid and filed.snapshot.filed_by == "U1"
    assert [(n.phone_number, n.pin) for n in request.numbers] == [(LOCAL, None), (MOBILE, PIN)]
    lci = {k: v for k, v in request.losing_carrier_information.items() if v is not None}
    assert lci == losing_carrier()
    assert lci["account_number"] == ACCOUNT_NUMBER
    assert request.target_port_in_date == TARGET
    assert request.notification_emails == [NOTIFICATION_EMAIL]
    assert request.documents == [filed.document_sid]
    document = harness.sandbox.state.documents[filed.document_sid]
    assert (document.document_type, document.mime_type, document.size) == (
        "utility_bill",
        "application/pdf",
        len(BILL_PDF),
    )
    assert document.friendly_name == f"Utility bill: {CUSTOMER_NAME}"
    assert steps == [FilingStep.DOWNLOAD, FilingStep.UPLOAD, FilingStep.CREATE, FilingStep.THREAD]

    # Recorded with who filed it, audited, the claim done, the draft gone.
    (state,) = await harness.rows(RequestState)
    assert (state.request_sid, state.filed_by, state.customer_name) == (sid, "U1", CUSTOMER_NAME)
    assert {n.phone_number for n in await harness.rows(NumberState)} == {LOCAL, MOBILE}
    (entry,) = await harness.rows(AuditEntry)
    assert (entry.action, entry.outcome, entry.user_id, entry.request_sid) == (
        "port_in.filed",
        "ok",
        "U1",
        sid,
    )
    assert filed.document_sid in entry.sids and MOBILE in entry.numbers
    (claim,) = await harness.rows(ActionClaim)
    assert (claim.user_id, claim.status, claim.request_sid) == ("U1", "done", sid)
    assert await harness.rows(PortInDraft) == []

    # Its thread's root waits in the outbox for the channel the form named (nobody delivers it
    # here, so the desk says the thread is not open yet).
    (root,) = await harness.outbox("root")
    assert (root.key, payload(root)) == (f"root:{sid}", {"channel": CHANNEL})
    assert filed.thread_error and "stays queued" in filed.thread_error
    text = await harness.table_text()
    assert not any(secret in text for secret in SECRETS)


async def test_a_submission_is_claimed_once(harness: Harness) -> None:
    draft = await _checked_draft(harness, [LOCAL])

    assert await harness.desk.claim_filing(draft.id, 1, "U1") is None
    held = await harness.desk.claim_filing(draft.id, 1, "U2")  # a double click, or someone else
    assert held is not None and (held.user_id, held.status) == ("U1", "in_progress")
    assert await harness.desk.claim_filing(draft.id, 2, "U2") is None  # the form sent again
    claim = await harness.desk.filing_claim(draft.id, 1)
    assert claim is not None and claim.user_id == "U1"

    await harness.desk.file_port_in(
        draft, port_in_secrets(), user_id="U1", attempt=1, fetch_bill=bill
    )

    done = await harness.desk.claim_filing(draft.id, 1, "U2")
    assert done is not None and (done.user_id, done.status) == ("U1", "done")
    assert len(harness.sandbox.state.requests) == 1


async def test_a_twilio_error_on_the_upload_files_nothing(harness: Harness) -> None:
    draft = await _checked_draft(harness, [LOCAL, MOBILE])
    await harness.desk.claim_filing(draft.id, 1, "U1")
    # Twilio's message echoes the account number: what the desk shows and stores masks it.
    harness.sandbox.inject_failures(
        1, 400, 20001, message=f"Bill rejected for account {ACCOUNT_NUMBER}", match="/Documents"
    )

    with pytest.raises(FilingFailed) as failed:
        await harness.desk.file_port_in(
            draft, port_in_secrets({MOBILE: PIN}), user_id="U1", attempt=1, fetch_bill=bill
        )

    assert failed.value.step == FilingStep.UPLOAD
    assert failed.value.error is not None and failed.value.error.code == 20001
    assert ACCOUNT_NUMBER not in failed.value.reason and "••••34" in failed.value.reason
    assert harness.sandbox.state.documents == {}
    await _assert_nothing_filed(harness)
    (entry,) = await harness.rows(AuditEntry)
    assert (entry.action, entry.outcome, entry.user_id) == ("port_in.filed", "failed", "U1")
    assert entry.detail is not None and entry.detail.startswith("Upload the bill to Twilio: 20001")
    assert await harness.desk.load_draft(draft.id) is not None  # the form can be sent again
    assert await harness.desk.claim_filing(draft.id, 1, "U1") is None  # its claim was freed


async def test_twilio_refusing_the_request_files_nothing(harness: Harness) -> None:
    draft = await _checked_draft(harness, [LOCAL, MOBILE])
    await harness.desk.claim_filing(draft.id, 1, "U1")

    with pytest.raises(FilingFailed) as failed:  # the mobile number's PIN is missing
        await harness.desk.file_port_in(
            draft, port_in_secrets(), user_id="U1", attempt=1, fetch_bill=bill
        )

    assert failed.value.step == FilingStep.CREATE
    assert failed.value.error is not None and failed.value.error.code == 22171
    await _assert_nothing_filed(harness)
    (entry,) = await harness.rows(AuditEntry)
    assert entry.outcome == "failed" and entry.detail is not None
    assert entry.detail.startswith("Create the port-in request at Twilio: 22171")
    creates = [c for c in harness.twilio_calls if c.method == "POST" and c.path.endswith("PortIn")]
    assert len(creates) == 1  # a refused create is not sent again


async def test_a_bill_that_is_not_a_pdf_or_an_image_stops_before_twilio(
    harness: Harness,
) -> None:
    draft = await _checked_draft(harness, [LOCAL])
    checks = len(harness.twilio_calls)

    async def sign_in_page() -> bytes:
        return b"<!DOCTYPE html><html>Sign in to Slack</html>"

    with pytest.raises(BillNotReadable) as failed:
        await harness.desk.file_port_in(
            draft, port_in_secrets(), user_id="U1", attempt=1, fetch_bill=sign_in_page
        )

    assert failed.value.step == FilingStep.DOWNLOAD and failed.value.bill_name == "bill.pdf"
    assert len(harness.twilio_calls) == checks  # nothing was sent to Twilio
    await _assert_nothing_filed(harness)


async def test_a_draft_with_no_portable_number_left_is_not_filed(harness: Harness) -> None:
    draft = await _checked_draft(harness, [MANUAL])
    checks = len(harness.twilio_calls)

    with pytest.raises(FilingFailed) as failed:
        await harness.desk.file_port_in(
            draft, port_in_secrets(), user_id="U1", attempt=1, fetch_bill=bill
        )

    assert failed.value.step == FilingStep.CREATE and failed.value.error is None
    assert len(harness.twilio_calls) == checks
    await _assert_nothing_filed(harness)
