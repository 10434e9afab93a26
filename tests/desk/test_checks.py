"""Portability checks against the sandbox: results in the order asked, Twilio's reasons and
codes kept, 429s waited out (with the injected sleep) instead of failing a number, and saved
check runs read back as they were saved."""

from __future__ import annotations

import json

import pytest

from bot.desk import CheckResult
from bot.errors import NotFound
from bot.sandbox import SandboxConfig
from bot.store.models import CheckRun

from .conftest import START, Harness, HarnessFactory

LOCAL = "+14155550101"
LOCAL_2 = "+14155550102"
MOBILE = "+14155550201"
MANUAL = "+14155550133"  # 200 portable: false, 22133 MANUAL_PORTING_AVAILABLE
TARGET_ACCOUNT = "+14155550131"  # 200 portable: false, 22131 ALREADY_IN_THE_TARGET_ACCOUNT
TOLL_FREE = "+18005551212"
INVALID = "+14155550134"  # 400 error 22102
BROKEN = "+14155550135"  # 500 error 22135


async def test_results_keep_the_input_order_and_twilios_answers(harness: Harness) -> None:
    numbers = [INVALID, LOCAL, MANUAL, MOBILE, TOLL_FREE, TARGET_ACCOUNT, LOCAL_2]
    progress: list[tuple[int, int]] = []

    async def on_progress(done: int, total: int) -> None:
        progress.append((done, total))

    results = await harness.desk.checks.check_portability(numbers, on_progress)

    assert [r.number for r in results] == numbers
    by_number = {r.number: r for r in results}
    assert [r.outcome for r in results] == [
        "error",
        "portable",
        "not_portable",
        "portable",
        "not_portable",
        "not_portable",
        "portable",
    ]
    local = by_number[LOCAL]
    assert (local.portable, local.number_type, local.pin_required) == (True, "LOCAL", False)
    assert local.reason_code is None and local.error is None
    mobile = by_number[MOBILE]
    assert (mobile.portable, mobile.number_type, mobile.pin_required) == (True, "MOBILE", True)
    manual = by_number[MANUAL]
    assert (manual.reason_code, manual.reason) == (22133, "MANUAL_PORTING_AVAILABLE")
    assert manual.error is None
    assert by_number[TARGET_ACCOUNT].reason_code == 22131
    assert (by_number[TOLL_FREE].reason_code, by_number[TOLL_FREE].number_type) == (
        22133,
        "TOLL-FREE",
    )
    invalid = by_number[INVALID]
    assert invalid.reason_code == 22102 and not invalid.portable
    assert invalid.error and "E.164" in invalid.error
    assert [done for done, _ in progress] == list(range(1, len(numbers) + 1))
    assert {total for _, total in progress} == {len(numbers)}
    assert harness.sandbox.state.portability_checks == len(numbers)
    assert harness.desk_sleeps == []  # nothing to wait for


async def test_a_number_twilio_fails_to_check_is_an_error_with_twilios_code(
    harness: Harness,
) -> None:
    (broken, local) = await harness.desk.checks.check_portability([BROKEN, LOCAL])

    assert broken.outcome == "error" and broken.reason_code == 22135
    assert broken.error and "portability" in broken.error
    assert local.portable
    # A 5xx is retried (the client's retries, then the desk's two more) before it is an error.
    broken_calls = [c for c in harness.twilio_calls if c.path.endswith(BROKEN)]
    assert len(broken_calls) == 15
    assert len(harness.desk_sleeps) == 2


async def test_a_number_that_is_being_ported_is_not_portable_any_more(harness: Harness) -> None:
    await harness.file_in_sandbox([LOCAL])

    (result,) = await harness.desk.checks.check_portability([LOCAL])

    assert result.outcome == "not_portable" and result.reason_code == 22131


async def test_429s_slow_the_batch_but_never_fail_a_number(harness: Harness) -> None:
    # Enough 429s that the client gives up on a call (4 retries) more than once: the desk then
    # waits and asks again, however long Twilio keeps throttling.
    harness.sandbox.inject_failures(40, 429, match="/Portability/")
    numbers = [LOCAL, MOBILE, MANUAL, LOCAL_2]

    results = await harness.desk.checks.check_portability(numbers)

    assert [r.number for r in results] == numbers
    assert [r.outcome for r in results] == ["portable", "portable", "not_portable", "portable"]
    assert all(r.error is None for r in results)
    assert results[2].reason_code == 22133  # the answer itself, not a 429
    assert harness.sandbox.faults.scripted == 0  # every 429 was served
    limited = len(harness.twilio_calls) - len(numbers)
    assert limited == 40
    assert len(harness.desk_sleeps) >= 2  # the desk backed off on its own, more than once
    assert all(0 < s <= 30 for s in harness.desk_sleeps)
    assert harness.client_sleeps.count(1.0) == len(harness.client_sleeps)  # Retry-After: 1


async def test_twilios_concurrency_cap_slows_a_big_batch_without_failing_it(
    make_harness: HarnessFactory,
) -> None:
    # Two calls at a time, each waiting a moment inside the sandbox: the others are answered
    # 429 by the concurrency cap, as Twilio does.
    capped = SandboxConfig(start_time=START, seed=11, max_concurrent_calls=2, latency_seconds=1)
    harness = await make_harness(capped, check_concurrency=10)
    numbers = [f"+1415555{100 + i:04d}" for i in range(20)]

    results = await harness.desk.checks.check_portability(numbers)

    assert [r.number for r in results] == numbers
    assert all(r.portable and r.error is None for r in results)
    assert len(harness.twilio_calls) > len(numbers)  # some were refused and asked again
    assert harness.sandbox.faults.in_flight == 0


async def test_a_saved_check_run_reads_back_as_it_was_saved(harness: Harness) -> None:
    results = await harness.desk.checks.check_portability([LOCAL, MANUAL, INVALID])
    invalid = ["415-555", "not a number"]

    check_id = await harness.desk.checks.save_check("U1", "C1", results, invalid)

    (row,) = await harness.rows(CheckRun)
    assert (row.id, row.user_id, row.channel_id) == (check_id, "U1", "C1")
    assert [CheckResult.model_validate(r) for r in json.loads(row.results)] == results
    run, loaded, loaded_invalid = await harness.desk.checks.load_check(check_id)
    assert (run.id, run.user_id) == (check_id, "U1")
    assert loaded == results and loaded_invalid == invalid
    with pytest.raises(NotFound):
        await harness.desk.checks.load_check("0" * 32)
