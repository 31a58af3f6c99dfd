"""A lesson's front matter as fields (decision 0079): split and joined back byte for byte when unchanged, only the
changed keys' lines rewritten, values quoted when YAML would read them otherwise, and what cannot be fields."""

from __future__ import annotations

import pytest

from learnhub.services import lesson_fields


def test_lesson_fields_split_and_join():
    for original in ("Just a body\n", "---\ntitle: A\n---", "---\ntitle: >\n  folded\n  title\nminutes: 3\n---\nB",
                     "---\n---\nBody", "---\ntitle: 'x: y'  # note\nextra: [1, 2]\n---\r\nBody\r\n"):
        fields = lesson_fields.split(original)
        assert lesson_fields.join(fields, fields.title, fields.minutes) == original.replace("\r\n", "\n")
    fields = lesson_fields.split("---\ntitle: >\n  folded\n  title\nminutes: 3\n---\nB")
    assert lesson_fields.join(fields, "New", "") == "---\ntitle: New\n---\nB"
    assert lesson_fields.join(lesson_fields.split("Body\n"), "true", "04") == (
        '---\ntitle: "true"\nminutes: 4\n---\nBody\n')
    assert lesson_fields.join(lesson_fields.split("---\nx: 1\n---\nB"), "T", "") == "---\nx: 1\ntitle: T\n---\nB"
    assert lesson_fields.check_minutes("5") is None and lesson_fields.check_minutes("") is None
    assert lesson_fields.check_minutes("-1") is not None and lesson_fields.check_minutes("1.5") is not None


@pytest.mark.parametrize(("text", "message"), [
    ("---\ntitle: [a]\n---\n", "The title in the front matter is not a text."),
    ("---\ntitle: x\n", "The front matter has no closing '---' line."),
    ("---\n- a\n---\n", "The front matter is not a list of keys and values."),
    ("---\nminutes: x\n---\n", "The minutes in the front matter are not a whole number."),
])
def test_front_matter_the_fields_cannot_stand_for(text, message):
    with pytest.raises(lesson_fields.NoFields) as refused:
        lesson_fields.split(text)
    assert str(refused.value.message) == message
