"""The four courses added for issue 21 exist in French: every text and item, quizzes that map answer for answer
onto the English ones, and objectives in course.yaml as long as the English list (decision 0038)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from learnhub.content.loader import load_course
from learnhub.content.model import LessonSpec, QuizSpec
from learnhub.content.questions import Question

CATALOGUE = Path(__file__).resolve().parents[3] / "courses"
FRENCH_COURSES = ["csirt-cooperation", "cyber-diplomacy", "nis2-latam-leaders", "secure-connectivity"]


def loaded(course_id: str):
    spec, problems = load_course(CATALOGUE / course_id)
    assert [str(p) for p in problems] == []
    return spec


def shape(question: Question) -> tuple:
    """Everything a learner's answer and its grade depend on, without the texts."""
    return (
        question.id, question.type, question.truth, question.format,
        [(choice.weight, bool(choice.feedback)) for choice in question.choices],
        [(number.low, number.high, number.weight) for number in question.numbers],
        len(question.pairs), len(question.distractors), bool(question.general_feedback),
    )


def texts(question: Question) -> list[str]:
    return [question.text, question.general_feedback, question.feedback_wrong, question.feedback_right,
            *(c.text for c in question.choices), *(c.feedback for c in question.choices),
            *(p.prompt for p in question.pairs), *(p.answer for p in question.pairs)]


@pytest.mark.parametrize("course_id", FRENCH_COURSES)
def test_every_text_and_item_has_its_own_french_version(course_id):
    course = loaded(course_id)
    assert "fr" in course.languages
    assert course.title.has("fr") and course.summary.has("fr")
    assert all(module.title.has("fr") for module in course.modules)
    for _module, item in course.items():
        assert item.has("fr"), f"{course_id}/{item.id} has no French file"
        if isinstance(item, LessonSpec):
            french = item.variant("fr")
            assert french.source == f"{item.id}.fr.md"
            assert french.title != item.variant("en").title
            assert len(french.html) > 0.9 * len(item.variant("en").html)  # translated, not summarised
        else:
            assert item.title.has("fr")


@pytest.mark.parametrize("course_id", FRENCH_COURSES)
def test_french_quizzes_keep_the_english_questions_answers_and_weights(course_id):
    quizzes = [item for _module, item in loaded(course_id).items() if isinstance(item, QuizSpec)]
    assert quizzes
    for quiz in quizzes:
        english, french = quiz.variant("en").questions, quiz.variant("fr").questions
        assert [shape(q) for q in french] == [shape(q) for q in english]
        for en_question, fr_question in zip(english, french, strict=True):
            assert fr_question.text != en_question.text, fr_question.id
            # GIFT escapes (\: \# \=) are resolved, never shown to the learner
            assert not any("\\" in text for text in texts(fr_question)), fr_question.id


@pytest.mark.parametrize("course_id", FRENCH_COURSES)
def test_objectives_have_a_french_list_as_long_as_the_english_one(course_id):
    objectives = yaml.safe_load((CATALOGUE / course_id / "course.yaml").read_text(encoding="utf-8"))["objectives"]
    assert len(objectives["fr"]) == len(objectives["en"]) >= 5
    assert all(text.strip() for text in objectives["fr"])
