"""/port-check's modal, results, progress and CSV."""

from __future__ import annotations

import csv
import io

import pytest

from bot.slack.ids import Action, Block, Callback, Input
from bot.slack.ui import check
from tests.slack.ui.block_kit import (
    action_ids,
    block_types,
    message_problems,
    modal_problems,
    texts,
)
from tests.slack.ui.samples import MANY, results


def test_the_modal_keeps_slacks_limits() -> None:
    view = check.check_modal().to_dict()
    assert modal_problems(view) == []
    assert view["callback_id"] == Callback.CHECK_MODAL
    inputs = {b["block_id"]: b["element"]["action_id"] for b in view["blocks"] if "element" in b}
    assert inputs == {Block.CHECK_TEXT: Input.CHECK_TEXT, Block.CHECK_FILE: Input.CHECK_FILE}


@pytest.mark.parametrize("count", [0, 1, check.INLINE_LIMIT, check.INLINE_LIMIT + 1, MANY])
@pytest.mark.parametrize("invalid", [0, 1, 40])
def test_every_result_keeps_slacks_limits(count: int, invalid: int) -> None:
    r, bad = results(count), [f"not a number {i}" * 3 for i in range(invalid)]
    for blocks in (
        check.check_blocks(r, bad, check_id="c" * 32),
        check.check_blocks(r, bad, shared_by="USHARER"),
        check.progress_blocks(count // 2, max(count, 1), r),
    ):
        assert message_problems(check.check_text(r, bad), blocks) == []


def test_a_few_numbers_line_by_line_then_share_and_start() -> None:
    blocks = check.check_blocks(results(4), check_id="c1")
    assert block_types(blocks) == ["header", "section", "section", "section", "section", "actions"]
    assert action_ids(blocks) == [Action.SHARE_CHECK, Action.START_PORT_IN]
    assert "Start port-in with 2 portable numbers" in texts(blocks)
    shared = check.check_blocks(results(4), shared_by="U1")
    assert action_ids(shared) == [] and "Shared by <@U1>" in texts(shared)


def test_a_thousand_numbers_are_a_summary_and_a_csv() -> None:
    r = results(MANY)
    blocks = check.check_blocks(r, check_id="c1")
    assert block_types(blocks) == ["header", "section", "context", "actions"]
    assert "✅ 500 portable (250 need a PIN and account number)" in texts(blocks)
    rows = list(csv.reader(io.StringIO(check.check_csv(r))))
    assert rows[0] == list(check.CSV_COLUMNS) and len(rows) == MANY + 1


def test_no_portable_number_no_start_button() -> None:
    r = [x for x in results(8) if not x.portable]
    assert action_ids(check.check_blocks(r, check_id="c1")) == [Action.SHARE_CHECK]


def test_texts_that_stand_alone_name_the_limit() -> None:
    assert "1,001 numbers" in check.too_many_text(1001) and "1,000" in check.too_many_text(1001)
    assert "missing_scope" in check.no_dm_text(50, "missing_scope")
