"""The /port-in form's pure parts: reading view state, secrets handling, the views' limits."""

from __future__ import annotations

import json
from datetime import date, time

from pydantic import SecretStr

from bot.desk import CheckResult, Draft
from bot.porting.filing import PortInSecrets, build_create
from bot.slack.carried import PortInMeta
from bot.slack.ids import PortInField as F
from bot.slack.port_in.form import read_secrets, twilio_time
from bot.slack.ui.port_in.account import account_view
from bot.slack.ui.port_in.details import details_view, prefill
from tests.bodies import port_in_details
from tests.fakes.slack_requests import text_input_state
from tests.porting.spec_examples import create_body_validator

MOBILES = [f"+1415555{200 + i:04d}" for i in range(45)]


def _draft(numbers: list[str]) -> Draft:
    checks = [
        CheckResult(number=n, portable=True, number_type="MOBILE", pin_required=True)
        for n in numbers
    ]
    return Draft("d1", "U1", port_in_details(numbers), checks)


def test_time_window_uses_the_offset_of_the_target_date() -> None:
    zone = "America/Los_Angeles"
    assert twilio_time(time(10), zone, date(2026, 12, 3)) == "10:00:00-08:00"
    assert twilio_time(time(10), zone, date(2026, 7, 3)) == "10:00:00-07:00"


def test_many_pins_go_in_one_paste_area() -> None:
    draft = _draft(MOBILES)
    view = account_view(draft, PortInMeta(draft_id="d1")).to_dict()
    blocks = {b.get("block_id") for b in view["blocks"]}
    assert F.PIN_LIST in blocks and not any(str(b).startswith("pi_pin_1") for b in blocks)
    assert len(view["blocks"]) <= 100 and len(view["title"]["text"]) <= 24
    lines = "\n".join(f"{n} 12{i:02d}" for i, n in enumerate(MOBILES[:3]))
    values = {
        F.ACCOUNT_NUMBER: {F.ACCOUNT_NUMBER: text_input_state("ACCT-99")},
        F.PIN_ALL: {F.PIN_ALL: text_input_state("7777")},
        F.PIN_LIST: {F.PIN_LIST: text_input_state(lines)},
    }
    secrets, errors = read_secrets(values, draft)
    assert errors == {} and secrets is not None
    assert secrets.pins[MOBILES[0]].get_secret_value() == "1200"
    assert secrets.pins[MOBILES[10]].get_secret_value() == "7777"

    values[F.PIN_LIST] = {F.PIN_LIST: text_input_state("+14155550100 1234")}
    _, errors = read_secrets(values, draft)
    assert "not a number that needs a PIN" in errors[F.PIN_LIST]


def test_secrets_are_masked_scrubbed_and_never_in_repr() -> None:
    secrets = PortInSecrets(
        account_number=SecretStr("ACCT-4417"),
        pins={"+14155550201": SecretStr("908172"), "+14155550202": SecretStr("908172")},
    )
    assert "908172" not in repr(secrets) and "ACCT-4417" not in repr(secrets)
    assert secrets.masked_summary() == "PIN ••••72 on 2 numbers · account ••••17"
    assert secrets.scrub("bad PIN 908172 for ACCT-4417") == "bad PIN ••••72 for ••••17"


def test_the_body_the_form_builds_matches_twilios_schema() -> None:
    details = port_in_details(["+14155550101", "+14155550201"])
    secrets = PortInSecrets(
        account_number=SecretStr("4417"), pins={"+14155550201": SecretStr("908172")}
    )
    body = build_create(
        details,
        secrets,
        account_sid="AC" + "0" * 32,
        documents=["RD" + "1" * 32],
        numbers=details.numbers,
    ).to_twilio_json()
    assert [e.message for e in create_body_validator().iter_errors(body)] == []
    assert body["phone_numbers"][1]["pin"] == "908172"


def test_step_one_view_fits_slack_limits() -> None:
    numbers = [f"+1212555{i:04d}" for i in range(200)]
    view = details_view(PortInMeta(), today=date(2026, 11, 22), numbers=numbers)
    assert len(view["blocks"]) <= 100 and len(view["title"]["text"]) <= 24
    assert len(view["private_metadata"]) <= 3000
    assert prefill([f"+1212555{i:04d}" for i in range(300)]) is None
    assert "Nov 29" in json.dumps(view)  # earliest target date in the hint
