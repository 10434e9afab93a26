"""Country names come from a small table (``bot/porting/countries.py``), not from
``phonenumbers.geocoder``, which keeps about 100 MiB resident once imported."""

from __future__ import annotations

import subprocess
import sys

import phonenumbers
from phonenumbers import geocoder

from bot.porting.countries import NAMES
from bot.porting.phone import country_name
from tests.procs import child_env


def test_the_table_names_every_region_as_the_geocoder_does() -> None:
    expected = {}
    for code in phonenumbers.SUPPORTED_REGIONS:
        number = phonenumbers.example_number(code)
        name = geocoder.country_name_for_number(number, "en") if number else ""
        if name:
            expected[code] = name
    assert expected  # the geocoder answered (phonenumbers' data is there)
    assert {code: NAMES.get(code) for code in expected} == expected


def test_country_names() -> None:
    assert country_name("+442071838750") == "United Kingdom"
    assert country_name("+33142685300") == "France"
    assert country_name("+14155550100") == "United States"
    assert country_name("+999") == "unknown country"


def test_country_names_do_not_load_the_geocoder() -> None:
    script = (
        "import sys; from bot.porting.phone import country_name; "
        "assert country_name('+442071838750') == 'United Kingdom'; "
        "print('phonenumbers.geocoder' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], env=child_env(), capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
