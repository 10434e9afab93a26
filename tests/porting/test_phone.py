"""Reading pasted numbers: every common US form, separators, invalid entries, duplicates."""

import string

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.porting.phone import MAX_NUMBERS, display, mask, parse_csv, parse_numbers, to_e164


@pytest.mark.parametrize(
    "text",
    [
        "(415) 555-0100",
        "415.555.0100",
        "+1 415 555 0100",
        "4155550100",
        "+14155550100",
        "1-415-555-0100",
        "415 555 0100",
    ],
)
def test_common_forms(text: str) -> None:
    assert parse_numbers(text).numbers == ["+14155550100"]


def test_separators_duplicates_and_invalid() -> None:
    parsed = parse_numbers("415 555 0100 415 555 0101, 12ab;(212) 555-1234\n+1 415 555 0100")
    assert parsed.numbers == ["+14155550100", "+14155550101", "+12125551234"]
    assert parsed.invalid == ["12ab"]
    assert parsed.duplicates == 1


def test_too_many_is_flagged() -> None:
    text = "\n".join(f"+1415555{i:04d}" for i in range(MAX_NUMBERS + 1))
    assert parse_numbers(text).too_many
    assert not parse_numbers("\n".join(text.split("\n")[:MAX_NUMBERS])).too_many


def test_csv_uses_phone_column() -> None:
    parsed = parse_csv("name,phone\nAcme,415-555-0100\nBob,(415) 555 0101\n")
    assert parsed.numbers == ["+14155550100", "+14155550101"]
    assert parsed.invalid == []


def test_csv_without_header() -> None:
    assert parse_csv("4155550100\n4155550101\n").numbers == ["+14155550100", "+14155550101"]


def test_display_and_mask() -> None:
    assert display("+14155550100") == "+1 415-555-0100"
    assert mask("12345678") == "••••78"
    assert "1234" not in mask("1234")


_us_numbers = st.builds(
    lambda area, exchange, line: f"+1{area}{exchange}{line:04d}",
    st.sampled_from(["415", "212", "312", "646", "718", "503"]),
    st.sampled_from(["555", "234", "867", "902"]),
    st.integers(min_value=0, max_value=9999),
).filter(lambda n: phonenumbers.is_valid_number(phonenumbers.parse(n)))


def _forms(e164: str) -> list[str]:
    a, b, c = e164[2:5], e164[5:8], e164[8:]
    return [
        e164,
        f"({a}) {b}-{c}",
        f"{a}.{b}.{c}",
        f"+1 {a} {b} {c}",
        f"{a}-{b}-{c}",
        f"1{a}{b}{c}",
    ]


@settings(max_examples=60, deadline=None)
@given(
    numbers=st.lists(_us_numbers, min_size=1, max_size=15, unique=True),
    data=st.data(),
)
def test_any_mix_of_forms_and_separators_round_trips(
    numbers: list[str], data: st.DataObject
) -> None:
    pieces = [data.draw(st.sampled_from(_forms(n))) for n in numbers]
    seps = [data.draw(st.sampled_from([", ", "\n", "; ", " , ", "\t"])) for _ in pieces]
    text = "".join(p + s for p, s in zip(pieces, seps, strict=True))
    parsed = parse_numbers(text)
    assert parsed.numbers == numbers
    assert parsed.invalid == []


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=string.ascii_letters, min_size=1, max_size=12))
def test_words_are_never_numbers(word: str) -> None:
    parsed = parse_numbers(word)
    assert parsed.numbers == []
    assert to_e164(word) is None
