"""GIFT as Moodle's importer reads it, rule by rule: a corpus of .gift cases written from Moodle's documented
rules and its importer (question/format/gift/format.php), each with the expected parse and grading in the
.yaml beside it; and strict.yaml, every place where LearnHub refuses what Moodle accepts, with what Moodle
would do. docs/course-format.md states the same rules and differences."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from learnhub.content.gift import GiftSyntaxError, parse_gift
from learnhub.content.gift_writer import write_gift
from learnhub.content.loader import load_course
from learnhub.services.grading import arrange, grade

HERE = Path(__file__).parent
CASES = sorted((HERE / "cases").glob("*.gift"))
STRICT = yaml.safe_load((HERE / "strict.yaml").read_text(encoding="utf-8"))


def expected_for(case: Path) -> dict:
    return yaml.safe_load(case.with_suffix(".yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.stem)
def test_the_case_reads_as_moodle_reads_it(case):
    expected = expected_for(case)
    assert expected["rule"] and expected["moodle"]
    questions, problems = parse_gift(case.read_text(encoding="utf-8"), case.name)
    by_id = {q.id: q for q in questions}
    assert list(by_id) == list(expected["questions"])
    for question_id, fields in expected["questions"].items():
        data = by_id[question_id].to_dict()
        for name, value in fields.items():
            assert data[name] == value, (question_id, name)
    assert [[p.line, p.level, p.message] for p in problems] == expected.get("problems", [])
    for question_id, lines in expected.get("lines", {}).items():
        assert {key: by_id[question_id].part_line(key) for key in lines} == lines


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.stem)
def test_the_case_grades_as_moodle_grades_it(case):
    expected = expected_for(case)
    by_id = {q.id: q for q in parse_gift(case.read_text(encoding="utf-8"), case.name)[0]}
    for check in expected.get("grading", []):
        question = by_id[check["question"]]
        assert question.score(check["response"]) == check["score"], check
        if "feedback" in check:
            assert question.feedback(check["response"]) == check["feedback"], check
    for check in expected.get("quiz", []):
        shown = arrange(list(by_id.values()), False, 0)
        assert grade(shown, check["answers"]).score == check["percent"], check


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.stem)
def test_the_case_survives_writing_it_back(case):
    questions = parse_gift(case.read_text(encoding="utf-8"), case.name)[0]
    again = parse_gift(write_gift(questions), case.name)[0]
    assert [q.to_dict() | {"line": 0} for q in again] == [q.to_dict() | {"line": 0} for q in questions]


def test_every_rule_of_the_issue_has_a_case():
    rules = " ".join(expected_for(case)["rule"] for case in CASES).lower()
    for words in ("weight", "several answers", "negative", "'*'", "first matching", "inner spaces",
                  "every other number", "{one}", "last one wins", "[html]", "[id:", "[tag:"):
        assert words in rules, words


@pytest.mark.parametrize("case", STRICT, ids=lambda case: case["gift"][:40])
def test_where_learnhub_is_stricter_than_moodle_it_says_why(case):
    assert case["moodle"]
    with pytest.raises(GiftSyntaxError) as caught:
        parse_gift(case["gift"], "strict.gift")
    assert (caught.value.line, caught.value.message) == (case["line"], case["message"])


COURSE = """format: 1
id: part-lines
title: Part lines
languages: [en]
kind: awareness
level: beginner
modules:
  - id: checks
    title: M
    items:
      - quiz: pl-quiz
"""
QUIZ = """::pl::[markdown]Which is right? {
\t=This one#Right.
\t~That one#[html]No. <script>alert(1)</script>
\t####[html]<p onclick="x()">See the lesson.</p>
}
"""


def test_a_problem_in_a_rendered_part_is_reported_at_that_parts_own_line(tmp_path):
    folder = tmp_path / "part-lines"
    folder.mkdir()
    (folder / "course.yaml").write_text(COURSE)
    (folder / "pl-quiz.gift").write_text(QUIZ)
    _, problems = load_course(folder)
    found = [(p.line, p.message) for p in problems if p.path.endswith("pl-quiz.gift")]
    assert [line for line, _ in found] == [3, 4], found
    assert "script" in found[0][1] and "onclick" in found[1][1]


def test_each_part_is_rendered_in_its_own_format(tmp_path):
    folder = tmp_path / "part-lines"
    folder.mkdir()
    (folder / "course.yaml").write_text(COURSE)
    (folder / "pl-quiz.gift").write_text("::f::[markdown]A **bold** question {=[plain]<b>x</b>#[html]<i>Yes</i>"
                                         " ~*no*#Not *this* ####[moodle]Line one\\nline two}\n")
    spec, problems = load_course(folder)
    assert [p for p in problems if p.is_error] == []
    [question] = spec.modules[0].items[0].variants[0].questions
    assert (question.format, question.formats, question.text) == ("html", (), "A <strong>bold</strong> question")
    assert [(c.text, c.feedback) for c in question.choices] == [
        ("&lt;b&gt;x&lt;/b&gt;", "<i>Yes</i>"), ("<em>no</em>", "Not <em>this</em>")]
    assert question.general_feedback == "Line one<br>\nline two"
