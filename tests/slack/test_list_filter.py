"""/port-list's filter words: status words, mine and mentions, since, phone numbers in any
format, and an unreadable word named with the accepted ones."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.porting.statuses import RequestStatus
from bot.slack.list_filter import ACCEPTED, FilterError, parse_list_filter

NOW = datetime(2026, 12, 4, 15, tzinfo=UTC)


def test_no_words_lists_open_requests() -> None:
    f = parse_list_filter("", "U1")
    assert f.statuses is None and not f.everything
    q = f.query(NOW)
    assert q.open_only and q.statuses is None and q.filed_by == frozenset()
    assert f.describe() == "open requests"


def test_status_words_add_up_and_all_lists_everything() -> None:
    f = parse_list_filter("action Signature", "U1")
    assert f.statuses == {RequestStatus.ACTION_REQUIRED, RequestStatus.WAITING_FOR_SIGNATURE}
    assert f.query(NOW).statuses == {"action_required", "waiting_for_signature"}
    assert not f.query(NOW).open_only
    assert f.describe() == "Waiting for Signature or Action Required"
    canceled = parse_list_filter("cancelled", "U1").query(NOW)
    assert canceled.statuses == {"canceling", "canceled", "expired"}
    everything = parse_list_filter("all", "U1").query(NOW)
    assert everything.statuses is None and not everything.open_only
    for word in ("progress", "review", "completed"):
        assert parse_list_filter(word, "U1").statuses


def test_mine_and_mentions_filter_by_filer() -> None:
    assert parse_list_filter("mine", "U1").filers == {"U1"}
    f = parse_list_filter("<@U02ABC|maria lopez> <@W0XYZ>", "U1")
    assert f.filers == {"U02ABC", "W0XYZ"}
    assert "filed by <@U02ABC> or <@W0XYZ>" in f.describe()
    with pytest.raises(FilterError) as error:
        parse_list_filter("@maria", "U1")
    assert error.value.token == "@maria" and "mention" in (error.value.why or "")


@pytest.mark.parametrize(
    ("text", "span", "said"),
    [
        ("since 30d", timedelta(days=30), "30d"),
        ("since 2w", timedelta(weeks=2), "2w"),
        ("since 2 weeks", timedelta(weeks=2), "2w"),
        ("since:12h", timedelta(hours=12), "12h"),
        ("SINCE 1 month", timedelta(days=30), "1mo"),
    ],
)
def test_since_spans(text: str, span: timedelta, said: str) -> None:
    f = parse_list_filter(text + " mine", "U1")
    assert f.since is not None and f.since.span == span and f.filers == {"U1"}
    assert f.query(NOW).since == NOW - span
    assert f"since {said}" in f.describe()


def test_since_a_date() -> None:
    f = parse_list_filter("completed since 2026-11-01", "U1")
    assert f.since is not None and f.since.day == date(2026, 11, 1)
    assert f.query(NOW).since == datetime(2026, 11, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("+1 415-555-0162", "+14155550162"),
        ("(415) 555-0162", "+14155550162"),
        ("415.555.0162", "+14155550162"),
        ("4155550162", "+14155550162"),
        ("+1 (415) 555 0162", "+14155550162"),
    ],
)
def test_a_phone_number_in_any_format(text: str, number: str) -> None:
    f = parse_list_filter(text, "U1")
    assert f.numbers == (number,)
    assert f.query(NOW).phone_numbers == {number}
    assert f.describe().endswith("holding +1 415-555-0162")


def test_filters_combine_in_any_order() -> None:
    f = parse_list_filter("mine 415 555 0162 action since 30d +1 415 555 0163", "U7")
    assert f.filers == {"U7"} and f.statuses == {RequestStatus.ACTION_REQUIRED}
    assert f.numbers == ("+14155550162", "+14155550163")
    assert f.since is not None and f.since.span == timedelta(days=30)


@pytest.mark.parametrize(
    ("text", "token"),
    [
        ("actoin", "actoin"),
        ("mine pending", "pending"),
        ("since", "since"),
        ("since yesterday", "since yesterday"),
        ("since 30", "since 30"),
        ("415-555", "415-555"),
        ("KW0123456789abcdef0123456789abcdef", "KW0123456789abcdef0123456789abcdef"),
    ],
)
def test_an_unreadable_word_is_named_with_the_accepted_ones(text: str, token: str) -> None:
    with pytest.raises(FilterError) as error:
        parse_list_filter(text, "U1")
    assert error.value.token == token
    assert error.value.accepted == ACCEPTED
    assert "action" in ACCEPTED and "mine" in ACCEPTED
