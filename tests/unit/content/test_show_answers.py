"""`show_answers` on a quiz (issue 20): read from course.yaml with its default, and what each question type
offers as the right answer for the answer review."""

from __future__ import annotations

from learnhub.content.gift import parse_gift
from learnhub.content.loader import load_course
from learnhub.content.model import QuizSpec
from tests.unit.content.test_loader import FILES, only, write_course


def quiz_settings(tmp_path, setting: str | None) -> tuple[str, str]:
    course_yaml = FILES["course.yaml"]
    if setting is not None:
        course_yaml = course_yaml.replace("        shuffle: true\n",
                                          f"        shuffle: true\n        show_answers: {setting}\n")
    spec, problems = load_course(write_course(tmp_path, only(FILES, {"course.yaml": course_yaml})))
    assert problems == []
    check, final = spec.item("check"), spec.item("final")
    assert isinstance(check, QuizSpec) and isinstance(final, QuizSpec)
    return check.show_answers, final.show_answers


def test_show_answers_defaults_to_after_pass(tmp_path):
    assert quiz_settings(tmp_path, None) == ("after_pass", "after_pass")


def test_show_answers_is_read_per_quiz(tmp_path):
    assert quiz_settings(tmp_path / "a", "always") == ("always", "after_pass")
    assert quiz_settings(tmp_path / "n", "never") == ("never", "after_pass")


def questions(text: str):
    parsed, problems = parse_gift(text, path="t.gift")
    assert [p for p in problems if p.severity == "error"] == []
    return {q.id: q for q in parsed}


def test_each_type_names_its_right_answer():
    found = questions(
        "::single:: Port? {~80 =443 ~%50%8443}\n\n"
        "::multi:: Factors? {~%50%key ~%50%code ~%-100%name}\n\n"
        "::tf:: Safe? {F}\n\n"
        "::short:: Who? {=%50%a CSIRT =the CSIRT}\n\n"
        "::num:: Pi? {#3.14:0.01}\n\n"
        "::range:: Hours? {#20..24}\n\n"
        "::match:: Pair {=NIS2 -> EU =LGPD -> Brazil}\n\n"
        "::essay:: Explain. {}\n"
    )
    right = {name: q.kind.right_answer(q) for name, q in found.items()}
    assert right["single"] == frozenset({1})
    assert right["multi"] == frozenset({0, 1})
    assert right["tf"] is False
    assert right["short"] == "the CSIRT"
    assert (right["num"].value, right["num"].tolerance) == (3.14, 0.01)
    assert (right["range"].value, right["range"].low, right["range"].high) == (None, 20, 24)
    assert right["match"] == ("EU", "Brazil")
    assert right["essay"] is None
