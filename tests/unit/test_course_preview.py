"""The trainer's preview of course folders on disk, before any sync (services/course_preview.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from learnhub.services import course_preview

CATALOGUE = Path(__file__).resolve().parents[2] / "courses"


def test_a_course_is_previewed_with_its_quizzes_in_file_order_and_unanswerable():
    shown = course_preview.preview(CATALOGUE, "passwords-mfa", "es")
    assert shown is not None and shown.spec.id == "passwords-mfa" and shown.problems == []
    [quiz] = [item for _module, item in shown.spec.items() if item.kind == "quiz"]
    assert list(shown.quizzes) == [quiz.id]
    questions = quiz.variant("es").questions
    assert [q.question.id for q in shown.quizzes[quiz.id]] == [question.id for question in questions]
    assert [q.number for q in shown.quizzes[quiz.id]] == list(range(1, len(questions) + 1))


@pytest.mark.parametrize("course_id", ["../courses/passwords-mfa", "..", "Passwords-MFA", "passwords-mfa\n",
                                       "no-such-course", "x"])
def test_anything_but_a_course_folder_is_not_previewed(course_id):
    assert course_preview.preview(CATALOGUE, course_id, "en") is None


def test_a_broken_course_is_previewed_with_its_problems_and_checked_with_the_others(tmp_path):
    copy = tmp_path / "courses"
    shutil.copytree(CATALOGUE, copy)
    yaml = copy / "passwords-mfa" / "course.yaml"
    yaml.write_text(yaml.read_text().replace("level:", "levle:", 1))
    shown = course_preview.preview(copy, "passwords-mfa", "en")
    assert shown.spec is None and shown.quizzes == {}
    assert any("did you mean 'level'?" in problem.message for problem in shown.problems)
    checked = course_preview.check_all(copy)
    assert sorted(checked) == sorted(path.name for path in CATALOGUE.iterdir() if path.is_dir())
    assert checked["passwords-mfa"][0] is None and checked["phishing-social-engineering"][0] is not None
    assert course_preview.check_all(tmp_path / "missing") == {}
