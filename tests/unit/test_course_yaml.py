"""Rewriting course.yaml from the authoring forms (decision 0080): only the changed top-level keys are
rewritten, everything else (unknown keys, comments, quoting, order) is kept byte for byte."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from learnhub.services import course_settings, course_yaml

COURSES = Path(__file__).resolve().parents[2] / "courses"
STARTERS = sorted(p.name for p in COURSES.iterdir() if (p / "course.yaml").is_file())

SAMPLE = """\
# The phishing course
format: 1
id: phishing-basics
title: {en: Phishing, es: El phishing}   # short on purpose
languages: [en, es]
kind: awareness
level: beginner

# the next key is not in the format: kept
x-owner: unit 3
roles: []
modules:
  - id: one   # first
    title: {en: One}
    items:
      - lesson: intro
"""


def test_blocks_span_a_key_and_its_indented_lines_and_leave_comments_between_blocks_alone():
    lines = SAMPLE.splitlines(keepends=True)
    spans = course_yaml.blocks(lines)
    assert spans["title"] == (3, 4)
    assert spans["level"] == (6, 7)  # the blank line and the comment after it belong to no block
    assert spans["x-owner"] == (9, 10)
    assert spans["modules"] == (11, 16)


def test_a_changed_key_is_rewritten_in_place_and_every_other_line_is_kept():
    new = course_yaml.rewrite(SAMPLE, {"level": "advanced"})
    assert new == SAMPLE.replace("level: beginner", "level: advanced")


def test_a_new_key_goes_after_the_key_before_it_in_the_format_and_a_removed_key_disappears():
    new = course_yaml.rewrite(SAMPLE, {"minutes": 30, "roles": course_yaml.REMOVE})
    assert "level: beginner\nminutes: 30\n\n# the next key" in new
    assert "roles" not in new and "x-owner: unit 3\nmodules:" in new
    first = course_yaml.rewrite("format: 1\nid: a-b\n", {"title": {"en": "T"}})
    assert first == "format: 1\nid: a-b\ntitle:\n  en: T\n"


def test_a_changed_block_is_written_in_block_style_and_loses_only_its_own_comments():
    new = course_yaml.rewrite(SAMPLE, {"title": {"en": "Phishing: the basics", "es": "El phishing"}})
    assert "title:\n  en: 'Phishing: the basics'\n  es: El phishing\nlanguages: [en, es]\n" in new
    assert "short on purpose" not in new and new.startswith("# The phishing course\n")
    assert "- id: one   # first" in new


def test_quoted_keys_are_blocks_too():
    text = 'format: 1\n"title": Old\nkind: awareness\n'
    assert course_yaml.rewrite(text, {"title": {"en": "New"}}) == "format: 1\ntitle:\n  en: New\nkind: awareness\n"


def test_texts_sent_back_by_a_text_area_are_the_same_as_the_file():
    assert course_yaml.same("summary", "Line one\nline two\n", {"en": "Line one\r\nline two"}, "en")
    assert course_yaml.same("objectives", {"en": [" a "]}, {"en": ["a"]}, "en")
    assert not course_yaml.same("summary", "Line one", {"en": "Line two"}, "en")


MODULES = """\
format: 1
modules:  # in teaching order
  # the first module
  - id: one   # first
    title: {en: One}
    items:
      - lesson: intro
  - id: two
    title: {en: Two}
    items:
      - quiz: check   # graded
# after the modules
"""


def test_a_moved_module_keeps_its_lines_and_comments_and_only_a_changed_one_is_written_again():
    old = course_yaml.plain(course_yaml.read(MODULES)["modules"])
    swapped = course_yaml.rewrite_modules(MODULES, old, [old[1], old[0]])
    assert swapped == ("format: 1\nmodules:  # in teaching order\n  # the first module\n"
                       "  - id: two\n    title: {en: Two}\n    items:\n      - quiz: check   # graded\n"
                       "  - id: one   # first\n    title: {en: One}\n    items:\n      - lesson: intro\n"
                       "# after the modules\n")
    assert course_yaml.rewrite_modules(swapped, [old[1], old[0]], old) == MODULES
    renamed = [old[0], {**old[1], "title": {"en": "Second"}}]
    changed = course_yaml.rewrite_modules(MODULES, old, renamed)
    assert "  - id: one   # first\n" in changed and "# graded" not in changed
    assert "  - id: two\n    title:\n      en: Second\n    items:\n    - quiz: check\n" in changed
    assert course_yaml.read(changed)["modules"] == renamed


def test_values_that_mean_the_same_to_the_loader_are_the_same():
    assert course_yaml.same("title", "Phishing", {"en": "Phishing"}, "en")
    assert course_yaml.same("objectives", ["a", "b"], {"en": ["a", "b"]}, "en")
    assert course_yaml.same("roles", None, [], "en")
    assert course_yaml.same("certificate", None, False, "en")
    assert not course_yaml.same("certificate", None, True, "en")
    assert course_yaml.same("reviewed", "2026-03-31", dt.date(2026, 3, 31), "en")
    assert course_yaml.same("reviewed", dt.date(2026, 3, 31), dt.date(2026, 3, 31), "en")
    assert not course_yaml.same("pass_mark", 70, 80, "en")
    assert course_yaml.same("pass_mark", 70, 70, "en")


@pytest.mark.parametrize("course_id", STARTERS)
def test_the_settings_form_unchanged_rewrites_nothing_in_a_starter_course(course_id):
    text = (COURSES / course_id / "course.yaml").read_text(encoding="utf-8")
    data = course_yaml.read(text)
    reading = course_settings.read_form(course_settings.form_values(data), data)
    assert reading.errors == {}
    assert course_settings.changes(data, reading) == {}
    modules = course_yaml.rewrite(text, {"modules": course_yaml.plain(data["modules"])})
    assert course_yaml.read(modules) == data  # the modules block written again reads the same


def test_form_errors_name_the_field_and_keep_the_typed_values():
    data = course_yaml.read(SAMPLE)
    form = course_settings.form_values(data)
    for key, value in {"minutes": "ten", "pass_mark": "120", "valid_for": "12 weeks", "reviewed": "2026-02-30",
                       "languages": "en, xx", "title-en": ""}.items():
        form[key] = value
    reading = course_settings.read_form(form, data)
    assert set(reading.errors) == {"minutes", "pass_mark", "valid_for", "reviewed", "languages", "title-en"}
    assert str(reading.errors["minutes"][0]).startswith("Minutes:")
    assert str(reading.errors["valid_for"][0]).startswith("Certificate valid for:")
