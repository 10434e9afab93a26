"""The test-number table: valid numbers, documented behaviour, and the rules behind it."""

from __future__ import annotations

import phonenumbers
import pytest

from bot.sandbox import TEST_NUMBERS, Behaviour, classify, markdown_table, number_rules


def _expand(first: str, last: str | None) -> list[str]:
    if last is None:
        return [first]
    return [f"+{n}" for n in range(int(first[1:]), int(last[1:]) + 1)]


ALL = [n for t in TEST_NUMBERS for n in _expand(t.number, t.until)]


@pytest.mark.parametrize("number", ALL)
def test_every_test_number_is_valid(number: str):
    assert phonenumbers.is_valid_number(phonenumbers.parse(number))


def test_table_matches_rules():
    for row in TEST_NUMBERS:
        for number in _expand(row.number, row.until):
            profile = classify(number)
            if row.behaviour == Behaviour.PORTABLE:
                assert profile.portable and profile.number_type == "LOCAL"
            elif row.behaviour == Behaviour.PORTABLE_MOBILE:
                assert profile.pin_required and profile.number_type == "MOBILE"
                assert profile.carrier_rejection("0000") == 22155
                assert profile.carrier_rejection("1234") is None
            elif row.behaviour == Behaviour.NOT_PORTABLE:
                assert profile.not_portable is not None
                assert profile.not_portable.code == row.code
            elif row.behaviour == Behaviour.ERROR:
                assert profile.error is not None and profile.error.code == row.code
            else:
                assert profile.portable and profile.carrier_rejection(None) == row.code


def test_markdown_table_and_docstring_list_every_row():
    table = markdown_table()
    assert table.count("\n") == len(TEST_NUMBERS) + 1
    doc = number_rules.__doc__ or ""
    for suffix in ("0100", "0130", "0131", "0132", "0133", "0134", "0135", "0136", "0137", "0200"):
        assert f"555 {suffix}" in doc
        assert suffix in table
