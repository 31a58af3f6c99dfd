"""Whole numbers typed in the reader's notation (issue 20: "1.200" in Spanish is one thousand two hundred)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from learnhub.i18n import format_whole_number, parse_whole_number


@pytest.mark.parametrize(("language", "text", "number"), [
    ("es", "1.200", 1200), ("pt", "1.200", 1200), ("en", "1,200", 1200), ("fr", "1 200", 1200),
    ("fr", "1\u202f200", 1200), ("es", "1 200", 1200), ("es", " 1200 ", 1200), ("en", "50,000,000", 50_000_000),
    ("es", "50.000.000", 50_000_000), ("es", "0", 0),
])
def test_a_number_in_the_readers_notation(language, text, number):
    assert parse_whole_number(text, language) == number


@pytest.mark.parametrize(("language", "text"), [
    ("es", "1,5"), ("en", "1.5"), ("es", "1,200"), ("en", "1.200"), ("es", "1.20.0"), ("es", "12.00"),
    ("es", ".200"), ("es", "-5"), ("es", "diez"), ("es", ""), ("es", "١٢"), ("fr", "1.200"), ("es", "1.2000"),
])
def test_anything_else_is_refused(language, text):
    with pytest.raises(ValueError):
        parse_whole_number(text, language)


@given(st.integers(0, 10**9), st.sampled_from(["en", "es", "pt", "fr"]))
def test_what_is_written_for_a_reader_reads_back(number, language):
    assert parse_whole_number(format_whole_number(number, language), language) == number


def test_the_range_is_written_in_the_readers_notation():
    assert format_whole_number(50_000_000, "es") == "50.000.000"
    assert format_whole_number(50_000_000, "en") == "50,000,000"
