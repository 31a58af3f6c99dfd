"""The French versions of the three starter awareness courses (issue 21): every item has its own French file,
each French quiz grades exactly as the English one (same weights, feedback where the English has it, same number
ranges, and the English short answers still accepted), and the texts follow French typography with no GIFT
escape left in them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from learnhub.content.loader import load_course
from learnhub.content.model import LessonSpec, QuizSpec
from learnhub.content.questions import Question

CATALOGUE = Path(__file__).resolve().parents[3] / "courses"
COURSES = ["phishing-social-engineering", "passwords-mfa", "reporting-incidents"]


def loaded(course_id: str):
    spec, problems = load_course(CATALOGUE / course_id)
    assert [str(p) for p in problems] == []
    return spec


def shape(question: Question) -> tuple:
    """What a learner's grade and the feedback they see depend on, without the texts."""
    return (
        question.id, question.type, question.truth, question.format, bool(question.text_after),
        [(choice.weight, bool(choice.feedback)) for choice in question.choices],
        [(number.low, number.high, number.weight) for number in question.numbers],
        len(question.pairs), len(question.distractors), bool(question.general_feedback),
        bool(question.feedback_wrong), bool(question.feedback_right),
    )


def texts(question: Question) -> list[str]:
    return [question.text, question.text_after, question.general_feedback, question.feedback_wrong,
            question.feedback_right, *(c.text for c in question.choices), *(c.feedback for c in question.choices),
            *(a.feedback for a in question.accepted), *(p.prompt for p in question.pairs),
            *(p.answer for p in question.pairs)]


def quizzes(course_id: str):
    for _, item in loaded(course_id).items():
        if isinstance(item, QuizSpec):
            yield item


@pytest.mark.parametrize("course_id", COURSES)
def test_every_item_has_its_own_french_file(course_id):
    course = loaded(course_id)
    assert "fr" in course.languages
    for _, item in course.items():
        suffix = "md" if isinstance(item, LessonSpec) else "gift"
        assert (CATALOGUE / course_id / f"{item.id}.fr.{suffix}").is_file(), item.id
    assert len(course.objectives["fr"]) == len(course.objectives["en"])


@pytest.mark.parametrize("course_id", COURSES)
def test_french_quizzes_grade_as_the_english_ones(course_id):
    for quiz in quizzes(course_id):
        english, french = quiz.variant("en"), quiz.variant("fr")
        assert french.source.endswith(".fr.gift")
        assert [shape(q) for q in french.questions] == [shape(q) for q in english.questions]
        for original, translated in zip(english.questions, french.questions, strict=True):
            if original.type == "short":
                for answer in original.accepted:  # a learner who types the English term is not marked wrong
                    assert translated.score(answer.text) == original.score(answer.text), (original.id, answer.text)


@pytest.mark.parametrize("course_id", COURSES)
def test_french_quiz_texts_show_no_escape_and_use_french_spacing(course_id):
    for quiz in quizzes(course_id):
        for question in quiz.variant("fr").questions:
            for text in texts(question):
                assert "\\" not in text, (question.id, text)
                assert not re.search(r" [:;?!]", text), (question.id, text)  # no-break space before : ; ? !
                assert "'" not in text, (question.id, text)  # typographic apostrophe


@pytest.mark.parametrize("course_id", COURSES)
def test_french_lessons_use_french_diagrams_and_spacing(course_id):
    for path in sorted((CATALOGUE / course_id).glob("*.fr.md")):
        body = path.read_text(encoding="utf-8")
        for image in re.findall(r"!\[[^\]]+\]\((media/[^)]+)\)", body):
            assert image.endswith("-fr.png") and (CATALOGUE / course_id / image).is_file(), (path.name, image)
        prose = re.sub(r"`[^`]*`|\]\([^)]*\)|https?://\S+", "", body.split("---", 2)[2])
        assert not re.search(r" [:;?!]", prose), path.name
