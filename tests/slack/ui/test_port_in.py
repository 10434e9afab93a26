"""The /port-in form: step 1 (details), step 2 (account number and PINs) and what it shows
while it works and when it is done."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import SecretStr

from bot.desk.types import BillNotReadable, FiledPortIn, FilingFailed, FilingStep
from bot.porting.errors import TwilioError
from bot.porting.filing import PortInSecrets
from bot.slack.carried import PortInMeta
from bot.slack.ids import Callback, pin_block
from bot.slack.ids import PortInField as F
from bot.slack.ui.port_in import account, details, filing
from bot.slack.ui.port_in.parts import PER_NUMBER_PINS, pin_layout
from tests.slack.ui.block_kit import modal_problems, texts
from tests.slack.ui.samples import MANY, holder, pin_draft, snapshot

TODAY = date(2026, 11, 2)


def _ids(view: dict[str, object]) -> list[str]:
    return [b["block_id"] for b in view["blocks"] if isinstance(b, dict) and "block_id" in b]


@pytest.mark.parametrize("channel", ["CPORTING", None])
@pytest.mark.parametrize("meta", [PortInMeta(), PortInMeta(check_id="c" * 32, check_count=MANY)])
def test_step_one_keeps_slacks_limits(channel: str | None, meta: PortInMeta) -> None:
    most = [f"+1415{5550000 + i:07d}" for i in range(230)]
    assert details.prefill(most) is not None  # about 200 numbers fit the paste area
    view = details.details_view(
        meta, today=TODAY, numbers=most, note="Left out: x" * 300, porting_channel=channel
    )
    assert modal_problems(view) == []
    assert view["callback_id"] == Callback.PORT_IN_DETAILS
    assert PortInMeta.load(view["private_metadata"]) == meta
    assert {F.NUMBERS, F.CUSTOMER_NAME, F.BILL, F.BILL_DATE, F.CHANNEL} <= set(_ids(view))


def test_a_thousand_numbers_do_not_fit_the_paste_area_and_come_from_the_check() -> None:
    numbers = [f"+1415{5550000 + i:07d}" for i in range(MANY)]
    assert details.prefill(numbers) is None
    meta = PortInMeta(check_id="c" * 32, check_count=MANY)
    view = details.details_view(meta, today=TODAY)
    assert "1,000 portable numbers from your /port-check" in texts(view["blocks"])
    field = next(b for b in view["blocks"] if b.get("block_id") == F.NUMBERS)
    assert field["optional"] is True and "initial_value" not in field["element"]


def test_step_one_is_built_fresh_for_each_form() -> None:
    first = details.details_view(PortInMeta(), today=TODAY, numbers=["+14155550100"])
    second = details.details_view(PortInMeta(), today=TODAY)
    assert (
        "initial_value"
        not in next(b for b in second["blocks"] if b.get("block_id") == F.NUMBERS)["element"]
    )
    assert first["blocks"] is not second["blocks"]


@pytest.mark.parametrize(
    ("pins", "blocked"),
    [
        (1, 0),
        (2, 0),
        (PER_NUMBER_PINS, 0),
        (PER_NUMBER_PINS, 1),
        (PER_NUMBER_PINS + 1, 0),
        (MANY, 0),
        (1, MANY - 1),
        (MANY // 2, MANY // 2),
        (0, 1),
        (0, MANY),
    ],
)
def test_step_two_keeps_slacks_limits(pins: int, blocked: int) -> None:
    draft = pin_draft(pins, blocked=blocked)
    view = account.account_view(draft, PortInMeta(draft_id=draft.id), banner="⚠️" * 2000)
    assert modal_problems(view) == []
    ids = _ids(view.to_dict()) if pins else []
    if pins:
        assert (F.DROP in ids) == bool(blocked) and F.ACCOUNT_NUMBER in ids
        layout = pin_layout(pins)
        assert (F.PIN_LIST in ids) == (layout == "list")
        assert (pin_block(draft.fileable[0]) in ids) == (layout == "per_number")
    else:
        assert view.callback_id == Callback.PORT_IN_STATUS  # nothing to file: no form


def test_step_two_never_shows_a_secret_field_filled() -> None:
    view = account.account_view(pin_draft(3), PortInMeta(draft_id="d1")).to_dict()
    for block in view["blocks"]:
        assert "initial_value" not in (block.get("element") or {})


def test_progress_and_outcome_views_keep_slacks_limits() -> None:
    error = TwilioError(400, 21000, "x" * 5000, "https://www.twilio.com/docs/errors/21000")
    failures = [
        FilingFailed(FilingStep.CREATE, "y" * 5000, error),
        BillNotReadable("bill.pdf"),
        FilingFailed(FilingStep.UPLOAD, "no answer"),
    ]
    filed = FiledPortIn(snapshot(MANY), "RD1", thread_error="not_in_channel")
    secrets = PortInSecrets(account_number=SecretStr("4417789923"))
    views = [
        *(filing.filing_view(step) for step in FilingStep),
        filing.checking_view(MANY),
        filing.checking_view(MANY, 500),
        filing.already_filing_view(None),
        filing.already_filing_view(holder("port_in.file")),
        filing.already_filing_view(holder("port_in.file", "in_progress")),
        filing.trouble_view("filing", maybe_filed=True),
        filing.refused_view("🔒 no"),
        filing.filed_view(filing.filed_text(filed, secrets=secrets, permalink="https://p")),
        *(filing.filed_view(filing.failure_banner(f)) for f in failures),
    ]
    for view in views:
        assert modal_problems(view) == [] and view.callback_id == Callback.PORT_IN_STATUS
    text = filing.filed_text(filed, secrets=secrets)
    assert "4417789923" not in text and "••••23" in text
    assert "files:read" in filing.failure_banner(failures[1])
    assert filing.failed_text(failures[2], "UFILER").startswith("<@UFILER> ⚠️ *Filing stopped")


def test_the_filing_view_ticks_off_the_steps_done() -> None:
    shown = texts(filing.filing_view(FilingStep.CREATE).blocks)
    assert shown.index("✅ Download") < shown.index("⏳ Create") < shown.index("▫️ Open")
