"""Every CSV and XLSX export: no cell a spreadsheet could run as a formula, whatever delimiter it splits on, and
no character that makes the writer fail (the audit's progress.xlsx answered 500 for a name holding \\x07)."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from learnhub.exports import cell, neutralise, to_csv, to_xlsx

AUDIT = "Tina;=2+3;-1+1;@SUM(A1)"
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
DELIMITERS = (",", ";", "\t", "|")


def opens_as_formula(field: str) -> bool:
    """What a spreadsheet may run: a field that starts, after spaces and double quotes, with a trigger."""
    return field.lstrip(' "').startswith(TRIGGERS)


def fields_any_spreadsheet_sees(text: str):
    """Every field of `text` split as CSV on every common delimiter, and naively on lines and delimiters."""
    for delimiter in DELIMITERS:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            yield from row
        for line in text.replace("\r", "\n").split("\n"):
            yield from line.split(delimiter)


def test_the_audit_string_is_neutralised_in_every_segment():
    assert neutralise(AUDIT) == "Tina;'=2+3;'-1+1;'@SUM(A1)"
    data = to_csv(["Name"], [[AUDIT]]).decode("utf-8-sig")
    assert not any(opens_as_formula(field) for field in fields_any_spreadsheet_sees(data))


@pytest.mark.parametrize("value", [
    "=1+1", "+1", "-1+1", "@SUM(A1)", " =1", '"=1"', "\t=1", "\r=1", "a,=1", "a|=1", "a\t=1", "a\n=1", "a\r\n-1",
    'a;"=1"', "a; =1", "a;'=1", "\uff1dSUM(A1)", "Tina|@cmd", 'x,"@y",z',
])
def test_formula_starts_after_any_delimiter_are_neutralised(value):
    written = to_csv(["h"], [[value]]).decode("utf-8-sig")
    assert not any(opens_as_formula(field) for field in fields_any_spreadsheet_sees(written)), written


@pytest.mark.parametrize("value", ["Ana-María Pérez", "Pérez, Ana", "2026-01-31", "50%", "O'Brien", "a - b", "x;y"])
def test_ordinary_text_is_left_alone(value):
    assert neutralise(value) == value


def test_numbers_stay_numbers_and_only_text_is_touched():
    assert [cell(value) for value in (-5, 0, 3.5, True, None)] == [-5, 0, 3.5, True, None]
    sheet = load_workbook(io.BytesIO(to_xlsx(["Count", "Name"], [[-5, "-5"], [12, AUDIT]], "T"))).active
    assert [[c.value for c in row] for row in sheet.iter_rows(min_row=2)] == [
        [-5, "'-5"], [12, "Tina;'=2+3;'-1+1;'@SUM(A1)"]]
    assert sheet["A2"].data_type == "n"
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_control_characters_never_reach_the_writers():
    names = ["Ana\x07 Pérez", "Luis\x0bGómez", "Zoé\x00", "Tab\there", "Line\nbreak", "C1\x85\x9f", "\x07=1+1"]
    book = load_workbook(io.BytesIO(to_xlsx(["Name"], [[name] for name in names], "Cohort\x07 1",
                                            notes=[("Label\x0b", "Text\x00")])))
    values = [row[0].value for row in book.active.iter_rows(min_row=2)]
    assert values == ["Ana Pérez", "LuisGómez", "Zoé", "Tab\there", "Line\nbreak", "C1", "'=1+1"]
    assert book.active.title == "Cohort 1"
    assert [c.value for c in book.worksheets[1][1]] == ["Label", "Text"]
    text = to_csv(["Name"], [[name] for name in names]).decode("utf-8-sig")
    assert "\x07" not in text and "\x0b" not in text and "\x00" not in text and "Ana Pérez" in text


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from([*TRIGGERS, *DELIMITERS, "\n", " ", '"', "'", "a", "1", "\x07", "\x00"]),
               max_size=30))
def test_no_text_opens_as_a_formula_and_only_quotes_are_added(value):
    written = cell(value)
    assert not any(opens_as_formula(field) for field in fields_any_spreadsheet_sees(written)), repr(written)
    rest = iter(written)
    assert all(any(char == kept for kept in rest) for char in value if char not in "\x07\x00")  # a subsequence
    assert len(written) - len(value.replace("\x07", "").replace("\x00", "")) == written.count("'") - value.count("'")
