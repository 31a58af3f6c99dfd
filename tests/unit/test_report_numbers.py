"""Report figures: one rule for the PDF and the dashboards (grouped thousands, one decimal in the reader's notation)."""

from __future__ import annotations

import pytest

from learnhub.reports.numbers import NARROW_NO_BREAK_SPACE, format_number


@pytest.mark.parametrize(("value", "language", "expected"), [
    (0, "en", "0"),
    (999, "en", "999"),
    (1000, "en", "1\u2009000"),
    (12345, "es", "12\u2009345"),
    (-1234567, "en", "-1\u2009234\u2009567"),
    (42.5, "es", "42,5"),
    (42.5, "en", "42.5"),
    (38.25, "es", "38,3"),
    (12345.67, "pt", "12\u2009345,7"),
    (-0.04, "en", "0.0"),
    (1.5, "xx-unknown", "1.5"),
    (1.5, "ar", "1.5"),  # the Arabic decimal sign is not in the font: the point is used
])
def test_format_number(value, language, expected):
    assert format_number(value, language) == expected


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_numbers_are_not_formatted(value):
    assert format_number(value) is None


def test_the_dashboards_group_with_a_narrow_no_break_space():
    assert format_number(1234567, "fr", NARROW_NO_BREAK_SPACE) == "1\u202f234\u202f567"
    assert format_number(98765.45, "fr", NARROW_NO_BREAK_SPACE) == "98\u202f765,5"


def test_half_rounds_up_from_the_shortest_decimal_form():
    """3.25 is 3.24999... in binary: a reader rounds what they see, so 3.3, not 3.2."""
    assert format_number(3.25, "en") == "3.3"
    assert format_number(-2.25, "en") == "-2.3"
