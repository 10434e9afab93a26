"""Reading phone numbers the way people paste them, and showing them back.

Input may separate numbers with commas, semicolons, newlines or plain spaces, and a single
number may itself contain spaces (``+1 415 555 0100``), so whitespace-separated words are
joined greedily into the longest run that is a valid number.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

import phonenumbers

from bot.porting.countries import NAMES

MAX_NUMBERS = 1000
# E.164 as Twilio validates it: "+", a country code not starting with 0, at most 15 digits.
E164_PATTERN = r"^\+[1-9]\d{1,14}$"
DEFAULT_REGION = "US"
_MAX_WORDS_PER_NUMBER = 5
_SEPARATORS = re.compile(r"[,;\n\r\t|]+")


@dataclass
class ParsedNumbers:
    numbers: list[str] = field(default_factory=list)  # E.164, input order, no duplicates
    invalid: list[str] = field(default_factory=list)  # entries as the user typed them
    duplicates: int = 0

    _seen: set[str] = field(default_factory=set, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._seen.update(self.numbers)

    @property
    def too_many(self) -> bool:
        return len(self.numbers) > MAX_NUMBERS

    def add(self, number: str) -> None:
        """Keep ``number`` (E.164) once; a repeat counts as a duplicate."""
        if number in self._seen:
            self.duplicates += 1
        else:
            self._seen.add(number)
            self.numbers.append(number)


def to_e164(text: str, region: str = DEFAULT_REGION) -> str | None:
    """E.164 form of ``text`` when it is a valid number, else None."""
    cleaned = text.strip()
    if not cleaned or not re.search(r"\d", cleaned):
        return None
    if re.search(r"[A-Za-z]", cleaned) and not re.search(r"(?i)\b(ext|x)\.?\s*\d", cleaned):
        return None
    try:
        parsed = phonenumbers.parse(cleaned, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _parse_chunk(chunk: str, region: str) -> tuple[list[str], list[str]]:
    whole = to_e164(chunk, region)
    if whole:
        return [whole], []
    words = chunk.split()
    found: list[str] = []
    bad: list[str] = []
    i = 0
    while i < len(words):
        for j in range(min(len(words), i + _MAX_WORDS_PER_NUMBER), i, -1):
            number = to_e164(" ".join(words[i:j]), region)
            if number:
                found.append(number)
                i = j
                break
        else:
            bad.append(words[i])
            i += 1
    return found, bad


def parse_numbers(text: str, region: str = DEFAULT_REGION) -> ParsedNumbers:
    """Split free text into E.164 numbers and the entries that are not numbers."""
    result = ParsedNumbers()
    for chunk in _SEPARATORS.split(text or ""):
        chunk = chunk.strip()
        if not chunk:
            continue
        found, bad = _parse_chunk(chunk, region)
        result.invalid.extend(bad)
        for number in found:
            result.add(number)
    return result


# In prose: a run of digits and the marks numbers are written with, seven digits or more, that
# is not a date (2026-11-01). Words between numbers end a run.
_IN_PROSE = re.compile(r"(?<![\w+])\+?\(?\d[\d \t().\-]*\d(?!\w)")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_PROSE_DIGITS = 7


def numbers_in_prose(text: str, region: str = DEFAULT_REGION) -> ParsedNumbers:
    """The phone numbers in a message of prose (E.164, each once); words are ignored, and only
    what looks like a number (seven digits or more) but is not one is ``invalid``."""
    result = ParsedNumbers()
    for match in _IN_PROSE.finditer(text or ""):
        run = match.group().strip()
        if sum(c.isdigit() for c in run) < _PROSE_DIGITS or _ISO_DATE.fullmatch(run):
            continue
        found, bad = _parse_chunk(run, region)
        if not found:
            bad = [run]  # "415 555 01": one thing that looks like a number
        result.invalid.extend(b for b in bad if sum(c.isdigit() for c in b) >= _PROSE_DIGITS)
        for number in found:
            result.add(number)
    return result


_HEADER_HINTS = ("phone", "number", "e164", "tn", "did", "msisdn")


def parse_csv(content: str, region: str = DEFAULT_REGION) -> ParsedNumbers:
    """Numbers from a CSV: the column whose header names a phone number, else every cell."""
    rows = [row for row in csv.reader(io.StringIO(content)) if any(c.strip() for c in row)]
    if not rows:
        return ParsedNumbers()
    header = [c.strip().lower() for c in rows[0]]
    column = next(
        (i for i, name in enumerate(header) if any(h in name for h in _HEADER_HINTS)), None
    )
    if column is not None and to_e164(rows[0][column], region) is None:
        cells = [row[column] for row in rows[1:] if column < len(row)]
    elif len(header) == 1 or all(to_e164(c, region) is None for c in rows[0][1:]):
        cells = [row[0] for row in rows if row]
    else:
        cells = [c for row in rows for c in row]
    return parse_numbers("\n".join(cells), region)


def display(e164: str) -> str:
    """``+14155550100`` → ``+1 415-555-0100`` (international format with dashes)."""
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    formatted = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    if parsed.country_code == 1:
        return formatted.replace(" ", "-").replace("-", " ", 1)
    return formatted


def is_toll_free(e164: str) -> bool:
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.TOLL_FREE


def is_us(e164: str) -> bool:
    """A number of the United States (Twilio's Porting API ports US numbers only)."""
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.region_code_for_number(parsed) == "US"


def region(e164: str) -> str | None:
    """The number's country as an ISO 3166 alpha-2 code (``GB``), or None."""
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return None
    code = phonenumbers.region_code_for_number(parsed)
    return code if code and code != "ZZ" else None


def country_name(e164: str) -> str:
    """The number's country in English (``United Kingdom``), else its code or "unknown"."""
    code = region(e164)
    return NAMES.get(code, code) if code else "unknown country"


def api_can_file(e164: str) -> bool:
    """What Twilio's Porting API takes: US numbers that are not toll-free. The rest answers
    22133 MANUAL_PORTING_AVAILABLE: the Console (US toll-free) or a support request."""
    return is_us(e164) and not is_toll_free(e164)


def mask(secret: str | None) -> str:
    """``12345678`` → ``••••78``; nothing secret ever leaves the bot unmasked."""
    if not secret:
        return ""
    return "••••" + secret[-2:] if len(secret) > 2 else "••••"
