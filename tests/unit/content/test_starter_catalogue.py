"""The courses LearnHub ships (courses/): complete in every language they declare, with the same questions in
every language, reviewed, with objectives, credited media, and GIFT that means the same under LearnHub's
reading and Moodle's."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from learnhub.content.credits import media_files
from learnhub.content.files import CourseFolder
from learnhub.content.loader import load_tree
from learnhub.content.model import QuizSpec

CATALOGUE = Path(__file__).resolve().parents[3] / "courses"
TREE = load_tree(CATALOGUE)
COURSES = sorted(TREE)


def spec(course_id: str):
    course, problems = TREE[course_id]
    assert course is not None, [str(problem) for problem in problems]
    return course


def test_the_catalogue_has_courses_and_loads_without_problems():
    assert len(COURSES) >= 6
    assert {course_id: [str(p) for p in problems] for course_id, (_, problems) in TREE.items()} == {
        course_id: [] for course_id in COURSES}


@pytest.mark.parametrize("course_id", COURSES)
def test_every_item_and_text_exists_in_every_declared_language(course_id):
    course = spec(course_id)
    languages = set(course.languages)
    assert {lang for lang, _ in course.title.texts} == languages
    assert {lang for lang, _ in course.summary.texts} == languages
    assert set(course.objectives) == languages
    for module, item in course.items():
        assert {lang for lang, _ in module.title.texts} == languages, module.id
        assert set(item.languages) == languages, item.id
        if isinstance(item, QuizSpec):
            assert {lang for lang, _ in item.title.texts} == languages, item.id
            for rubric in item.rubrics.values():
                assert {lang for lang, _ in rubric.texts} == languages, item.id


@pytest.mark.parametrize("course_id", COURSES)
def test_question_ids_and_types_match_across_languages_in_the_same_order(course_id):
    for _, item in spec(course_id).items():
        if not isinstance(item, QuizSpec):
            continue
        default = [(q.id, q.type) for q in item.variants[0].questions]
        assert all(q.named for q in item.variants[0].questions), item.id
        for variant in item.variants[1:]:
            assert [(q.id, q.type) for q in variant.questions] == default, variant.source
            for original, translated in zip(item.variants[0].questions, variant.questions, strict=True):
                assert len(translated.choices) == len(original.choices), (variant.source, original.id)
                assert [c.weight for c in translated.choices] == [c.weight for c in original.choices], (
                    variant.source, original.id)
                assert len(translated.pairs) == len(original.pairs), (variant.source, original.id)
                assert translated.truth == original.truth, (variant.source, original.id)


@pytest.mark.parametrize("course_id", COURSES)
def test_each_course_is_reviewed_has_objectives_and_credits_every_media_file(course_id):
    course = spec(course_id)
    assert course.reviewed is not None
    assert all(len(texts) >= 3 for texts in course.objectives.values())
    files = media_files(CourseFolder(CATALOGUE / course_id, course_id, []))
    assert sorted(course.credits) == files
    assert all(credit.source and credit.licence for credit in course.credits.values())


@pytest.mark.parametrize("course_id", COURSES)
def test_single_choice_right_answers_are_not_always_written_first(course_id):
    for _, item in spec(course_id).items():
        if not isinstance(item, QuizSpec):
            continue
        places = [[c.weight for c in q.choices].index(1.0) for q in item.variants[0].questions if q.type == "choice"]
        if len(places) >= 2:
            assert places.count(0) <= len(places) // 3, (item.id, places)
            assert len(set(places)) >= 2, (item.id, places)


GIFT_FILES = sorted(CATALOGUE.glob("*/*.gift"))


@pytest.mark.parametrize("path", GIFT_FILES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_gift_means_the_same_under_moodle_rules(path):
    """Moodle reads a choice block with no '=' answer as multiple answer, `{One}` with neither '=' nor '~' as a
    short answer, and takes a weight only when '%' follows the marker directly: write every single choice
    with '=' for its right answer and weights right after the marker."""
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"(?<!\\)[=~][ \t]+%-?\d", text), "a space between an answer marker and its %weight%"
    course = spec(path.parent.name)
    item = course.item(path.name.split(".")[0])
    variant = next(v for v in item.variants if v.source == path.name)
    for question in variant.questions:
        if question.type == "choice":
            full = [c for c in question.choices if c.weight == 1.0]
            assert len(full) == 1, (question.id, "a single choice needs exactly one '=' answer")
