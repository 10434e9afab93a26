"""The words a reader trips on (issue 18 §6), in the pure builders: one pluralisation helper,
no "on today", no "(optional) (optional)", a checkbox that says what ticking it means."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime

from bot.desk.facts import PortDay
from bot.desk.manual.types import CountryGroup
from bot.desk.schedule import Reminder, ReminderKind
from bot.porting.playbooks import playbook
from bot.slack.carried import PortInMeta
from bot.slack.ui.deadlines import loa_line
from bot.slack.ui.fmt import plural
from bot.slack.ui.manual.start_offer import console_message, manual_lines
from bot.slack.ui.playbooks import playbook_lines
from bot.slack.ui.port_in.details import details_view
from bot.slack.ui.reminders import reminder_message

PRETTY_AFTER_ON = re.compile(r"\bon <!date\^\d+\^\{date_\w*pretty")
NOW = datetime(2026, 12, 4, 14, 0, tzinfo=UTC)


def test_one_helper_makes_counts_nouns_and_verbs_agree() -> None:
    assert plural(1, "number") == "1 number" and plural(3, "number") == "3 numbers"
    assert plural(1, "number", verb="ports") == "1 number ports"
    assert plural(2, "number", verb="ports") == "2 numbers port"
    assert plural(2, "entry", "entries", verb="is") == "2 entries are"
    assert plural(1, "number", these=True) == "this number"
    assert plural(4, "number", these=True) == "these 4 numbers"


def _port_reminder(kind: ReminderKind, due_day: date, numbers: tuple[str, ...]) -> str:
    reminder = Reminder(
        request_sid="KW" + "0" * 32,
        kind=kind,
        due_day=due_day,
        due_at=NOW,
        expires_at=None,
        ports=(PortDay(date(2026, 12, 7), numbers),),
    )
    return reminder_message(reminder).text


def test_a_port_tomorrow_for_one_number_reads_right_and_never_on_today() -> None:
    eve = _port_reminder(ReminderKind.PORT_TOMORROW, date(2026, 12, 6), ("+14155550100",))
    assert "1 number ports tomorrow (<!date^" in eve, eve
    assert "{date_short_pretty}" not in eve, "a pretty date would read 'tomorrow tomorrow'"
    friday = _port_reminder(ReminderKind.PORT_TOMORROW, date(2026, 12, 4), ("+14155550100",))
    assert "1 number ports on <!date^" in friday and not PRETTY_AFTER_ON.search(friday)
    today = _port_reminder(ReminderKind.PORT_TODAY, date(2026, 12, 7), ("+1415555010",))
    assert "1 number ports today" in today


def test_the_loa_line_never_says_on_today() -> None:
    line = loa_line("Jane Doe", NOW)
    assert "LOA sent to *Jane Doe* on <!date^" in line and not PRETTY_AFTER_ON.search(line)


def test_one_toll_free_number_is_it_not_them() -> None:
    text, _ = console_message(["+18005551212"])
    assert "1 toll-free number" in text and "file it as a port-in request" in text
    text, _ = console_message(["+18005551212", "+18005551213"])
    assert "file them as a port-in request" in text


def test_a_refile_playbook_fits_one_number_or_many() -> None:
    lines = " ".join(playbook_lines(playbook(22154, "INVALID_ADDRESS")))
    assert "Cancel this number" not in lines
    assert "Cancel each rejected number and file it again" in lines


def test_optional_fields_say_optional_once_and_the_btn_box_says_what_ticking_means() -> None:
    view = details_view(PortInMeta(check_id="c" * 32, check_count=1), today=date(2026, 12, 4))
    for block in view["blocks"]:
        if block.get("type") == "input" and block.get("optional"):
            assert "(optional)" not in block["label"]["text"], block["label"]["text"]
    btn = next(b for b in view["blocks"] if b.get("block_id") == "pi_btn_stays")
    option = btn["element"]["options"][0]["text"]["text"]
    assert not option.startswith("No"), option
    assert option.startswith("The BTN stays with the losing carrier")
    assert "?" not in btn["label"]["text"]
    assert "(optional)" not in json.dumps(view)


def test_manual_lines_for_one_number_say_it() -> None:
    (line,) = manual_lines([CountryGroup("GB", "the United Kingdom", ("+442079460958",))])
    assert "1 number from the United Kingdom" in line and "it ports through" in line


def test_one_toll_free_number_in_port_in_is_it() -> None:
    from bot.slack.port_in.validation import numbers

    _, said = numbers("+18005551212")
    assert said is not None
    assert "+1 800-555-1212 is toll-free" in said and "Remove it here and file it" in said
    _, said = numbers("415-555-01")
    assert said is not None and "as a phone number." in said
