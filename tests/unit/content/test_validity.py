"""Format v1's optional `valid_for` and `renews` (docs/course-format.md, decision 0064): a course without them
loads as before, good values are read as months and a course id, and every mistake names the file and line."""

from __future__ import annotations

from datetime import date

import pytest

from learnhub.content.loader import Checks, load_course
from tests.unit.content.test_format_additions import course_yaml, line_of
from tests.unit.content.test_loader import FILES, only, write_course

TODAY = date(2026, 12, 5)


def load(tmp_path, extra: str):
    yaml = course_yaml(extra)
    spec, problems = load_course(write_course(tmp_path, only(FILES, {"course.yaml": yaml})),
                                 checks=Checks(today=TODAY))
    return spec, [str(problem) for problem in problems], yaml


def test_a_course_without_validity_never_expires_and_renews_nothing(tmp_path):
    spec, problems, _ = load(tmp_path, "")
    assert problems == []
    assert spec.valid_months is None and spec.renews is None


@pytest.mark.parametrize(("text", "months"), [
    ("12 months", 12), ("1 month", 1), ("2 years", 24), ("1 year", 12), ("120 months", 120), ("10 years", 120),
])
def test_valid_for_is_read_as_months(tmp_path, text, months):
    spec, problems, _ = load(tmp_path, f"valid_for: {text}\nrenews: phishing-basics\n")
    assert problems == []
    assert spec.valid_months == months
    assert spec.renews == "phishing-basics"


@pytest.mark.parametrize(("value", "message"), [
    ("12", "valid_for must be a number of months or years, such as '12 months', '1 month' or '2 years', got 12"),
    ("12 weeks", "valid_for must be a number of months or years, such as '12 months', '1 month' or '2 years', "
                 "got '12 weeks'"),
    ("a year", "valid_for must be a number of months or years, such as '12 months', '1 month' or '2 years', "
               "got 'a year'"),
    ("0 months", "valid_for must be between 1 month and 10 years, got '0 months'"),
    ("11 years", "valid_for must be between 1 month and 10 years, got '11 years'"),
])
def test_valid_for_mistakes_name_the_file_and_line(tmp_path, value, message):
    spec, problems, yaml = load(tmp_path, f"valid_for: {value}\n")
    assert spec is None
    assert problems == [f"courses/phishing/course.yaml:{line_of(yaml, 'valid_for:')}: error: {message}"]


@pytest.mark.parametrize(("value", "message"), [
    ("[a, b]", "renews must be the id of another course, got a list"),
    ("Not An Id", "renews must be the id of another course, got 'Not An Id'"),
])
def test_renews_mistakes_name_the_file_and_line(tmp_path, value, message):
    spec, problems, yaml = load(tmp_path, f"renews: {value}\n")
    assert spec is None
    assert problems == [f"courses/phishing/course.yaml:{line_of(yaml, 'renews:')}: error: {message}"]


def test_a_course_cannot_renew_itself(tmp_path):
    spec, problems, yaml = load(tmp_path, "renews: phishing\n")
    assert spec is None
    assert problems == [f"courses/phishing/course.yaml:{line_of(yaml, 'renews:')}: error: renews must name another "
                        "course: completing a course again already renews its own certificate"]
