"""Format v1 additions (docs/course-format.md): `objectives`, `reviewed`, `fallback`, quiz `rubrics`,
media/CREDITS.yaml, and the warning for a `#` that cuts a GIFT answer. Each is optional (a course without
them loads as before), and each mistake is reported with its file and line."""

from __future__ import annotations

from datetime import date

import pytest

from learnhub.content.loader import Checks, load_course
from learnhub.content.model import Credit, QuizSpec
from tests.unit.content.test_loader import COURSE_YAML, FILES, only, write_course

TODAY = date(2026, 12, 5)
HEAD, MODULES = COURSE_YAML.split("modules:\n", 1)


def course_yaml(extra: str, modules: str = MODULES) -> str:
    """The test course's course.yaml with `extra` lines before its modules."""
    return f"{HEAD}{extra}modules:\n{modules}"


def line_of(text: str, needle: str) -> int:
    return text.split("\n").index(next(line for line in text.split("\n") if needle in line)) + 1


@pytest.fixture
def course(tmp_path):
    spec, problems = load_course(write_course(tmp_path), checks=Checks(today=TODAY))
    assert problems == []
    return spec


def load(tmp_path, changes: dict, checks: Checks | None = None):
    folder = write_course(tmp_path, only(FILES, changes))
    spec, problems = load_course(folder, checks=checks or Checks(today=TODAY))
    return spec, [str(problem) for problem in problems]


# --- objectives -------------------------------------------------------------------------------------------


def test_objectives_are_kept_per_language_in_order(tmp_path):
    yaml = course_yaml("objectives:\n  en:\n    - Spot a lure\n    - Report it\n  es:\n    - Detectar un señuelo\n"
                       "    - Reportarlo\n")
    spec, problems = load(tmp_path, {"course.yaml": yaml})
    assert problems == []
    assert spec.objectives == {"en": ("Spot a lure", "Report it"), "es": ("Detectar un señuelo", "Reportarlo")}


def test_a_plain_list_of_objectives_is_the_default_languages_and_other_languages_are_warned(tmp_path):
    yaml = course_yaml("objectives:\n  - Spot a lure\n")
    spec, problems = load(tmp_path, {"course.yaml": yaml})
    assert spec.objectives == {"en": ("Spot a lure",)}
    assert problems == []  # a plain list is meant for every language, as a plain title is


def test_objectives_mistakes_are_reported_at_their_lines(tmp_path):
    yaml = course_yaml("objectives:\n  es:\n    - Detectar\n  en: Spot a lure\n  fr:\n    - Repérer\n")
    spec, problems = load(tmp_path, {"course.yaml": yaml})
    assert spec is None
    assert problems == [
        f"courses/phishing/course.yaml:{line_of(yaml, '  en: Spot a lure')}: error: objectives in 'en' must be a "
        "list of texts, one per line starting with '- ', got 'Spot a lure'",
        f"courses/phishing/course.yaml:{line_of(yaml, '  fr:')}: warning: objectives has texts in 'fr', which is "
        "not one of the course languages (en, es)",
    ]
    yaml = course_yaml("objectives:\n  en:\n    - Spot a lure\n    - 42\n")
    assert load(tmp_path / "b", {"course.yaml": yaml})[1] == [
        f"courses/phishing/course.yaml:{line_of(yaml, 'objectives:')}: warning: objectives has no 'es' list; "
        "learners see the 'en' one",
        f"courses/phishing/course.yaml:{line_of(yaml, '- 42')}: error: objectives in 'en' must hold texts, got 42 "
        "(put a text with ': ' in quotes)",
    ]


def test_objectives_missing_a_course_language_warn_and_name_what_learners_see(tmp_path):
    yaml = course_yaml("objectives:\n  en:\n    - Spot a lure\n")
    spec, problems = load(tmp_path, {"course.yaml": yaml})
    assert spec.objectives == {"en": ("Spot a lure",)}
    assert problems == [f"courses/phishing/course.yaml:{line_of(yaml, 'objectives:')}: warning: objectives has no "
                        "'es' list; learners see the 'en' one"]
    yaml = course_yaml("objectives:\n  es:\n    - Detectar\n")
    assert load(tmp_path / "b", {"course.yaml": yaml})[1] == [
        f"courses/phishing/course.yaml:{line_of(yaml, 'objectives:')}: error: objectives has no list in the default "
        "language 'en'"]


# --- reviewed -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("written", ["2026-06-30", "'2026-06-30'"])
def test_a_review_date_loads_as_a_date(tmp_path, written):
    spec, problems = load(tmp_path, {"course.yaml": course_yaml(f"reviewed: {written}\n")})
    assert problems == []
    assert spec.reviewed == date(2026, 6, 30)


def test_a_course_without_a_review_date_loads_as_before(course):
    assert course.reviewed is None and course.objectives == {} and course.fallback == {}


def test_an_old_review_date_warns_after_the_configured_age(tmp_path):
    yaml = course_yaml("reviewed: 2025-12-04\n")
    line = line_of(yaml, "reviewed:")
    spec, problems = load(tmp_path, {"course.yaml": yaml})
    assert spec.reviewed == date(2025, 12, 4)
    assert problems == [f"courses/phishing/course.yaml:{line}: warning: reviewed on 2025-12-04, more than 365 days "
                        "ago: have an expert check the content again and update the date"]
    assert load(tmp_path / "b", {"course.yaml": course_yaml("reviewed: 2025-12-05\n")})[1] == []  # 365 days: fine
    short = Checks(today=TODAY, review_max_age_days=90)
    assert load(tmp_path / "c", {"course.yaml": course_yaml("reviewed: 2026-09-05\n")}, short)[1] == [
        f"courses/phishing/course.yaml:{line}: warning: reviewed on 2026-09-05, more than 90 days ago: have an "
        "expert check the content again and update the date"]


@pytest.mark.parametrize(("written", "message"), [
    ("2027-01-01", "warning: reviewed date 2027-01-01 is in the future"),
    ("last spring", "error: reviewed must be a date written as YYYY-MM-DD, such as 2026-03-31, got 'last spring'"),
    ("2026-06-30 10:00:00", "error: reviewed must be a date written as YYYY-MM-DD, such as 2026-03-31, got a "
                            "datetime"),
    ("2026-02-30", "error: invalid YAML: '2026-02-30' is not a real date (day is out of range for month)"),
    ("'2026-02-30'", "error: reviewed must be a date written as YYYY-MM-DD, such as 2026-03-31, got '2026-02-30'"),
])
def test_review_date_mistakes_name_the_line(tmp_path, written, message):
    yaml = course_yaml(f"reviewed: {written}\n")
    assert load(tmp_path, {"course.yaml": yaml})[1] == [
        f"courses/phishing/course.yaml:{line_of(yaml, 'reviewed:')}: {message}"]


# --- fallback -------------------------------------------------------------------------------------------------


def test_a_course_may_set_its_own_fallback_order(tmp_path):
    spec, problems = load(tmp_path, {"course.yaml": course_yaml("fallback:\n  pt: [en, es]\n  fr: [es]\n")})
    assert problems == []
    assert spec.fallback == {"pt": ("en", "es"), "fr": ("es",)}
    assert spec.item("red-flags").variant("pt", spec.fallback).language == "en"
    assert spec.item("red-flags").variant("pt").language == "es"  # the site order without it
    assert spec.title.get("pt", spec.fallback) == "Spotting phishing"


@pytest.mark.parametrize(("written", "needle", "message"), [
    ("fallback: [es, en]\n", "fallback:", "fallback must be a mapping of a learner's language to the languages "
     "to show instead, in order, such as 'pt: [es, en]', got a list"),
    ("fallback:\n  PT: [es]\n", "PT:", "fallback has a key 'PT' is not an ISO 639-1 language code (two lowercase "
     "letters, such as 'en' or 'es'); did you mean 'pt'?"),
    ("fallback:\n  pt: es\n", "pt: es", "fallback for 'pt' must be a list of languages, such as [es, en], got 'es'"),
    ("fallback:\n  pt:\n    - es\n    - pt\n", "- pt", "fallback for 'pt' lists 'pt' itself; list only the "
     "languages to show instead"),
    ("fallback:\n  pt:\n    - es\n    - es\n", "    - es\n    - es", "fallback for 'pt' lists 'es' twice"),
    ("fallback:\n  pt:\n    - spanish\n", "spanish", "fallback for 'pt' lists 'spanish' is not an ISO 639-1 "
     "language code (two lowercase letters, such as 'en' or 'es')"),
])
def test_fallback_mistakes_are_errors_at_their_line(tmp_path, written, needle, message):
    yaml = course_yaml(written)
    line = line_of(yaml, needle.split("\n")[-1]) if "\n" not in needle else line_of(yaml, "    - es") + 1
    assert load(tmp_path, {"course.yaml": yaml})[1] == [f"courses/phishing/course.yaml:{line}: error: {message}"]


def test_missing_translations_name_the_language_learners_will_see(tmp_path):
    yaml = course_yaml("", MODULES).replace("languages: [en, es]", "languages: [en, es, pt]")
    problems = load(tmp_path, {"course.yaml": yaml})[1]
    assert (f"courses/phishing/course.yaml:{line_of(yaml, '- lesson: red-flags')}: warning: lesson 'red-flags' has "
            "no 'pt' version (red-flags.pt.md); learners see the 'es' one") in problems
    assert "courses/phishing/course.yaml:3: warning: title has no 'pt' text; learners see the 'es' one" in problems
    own = yaml.replace("languages: [en, es, pt]", "languages: [en, es, pt]\nfallback: {pt: [en]}")
    problems = load(tmp_path / "b", {"course.yaml": own})[1]
    assert (f"courses/phishing/course.yaml:{line_of(own, '- lesson: red-flags')}: warning: lesson 'red-flags' has "
            "no 'pt' version (red-flags.pt.md); learners see the 'en' one") in problems


# --- media/CREDITS.yaml -------------------------------------------------------------------------------------------


def test_credits_are_read_for_every_media_file(course):
    assert course.credits == {"fake-login.png": Credit("Drawn for the LearnHub tests", "CC BY 4.0")}
    assert course.credits["fake-login.png"].as_dict() == {"source": "Drawn for the LearnHub tests",
                                                          "licence": "CC BY 4.0"}


def test_a_media_file_without_a_credit_is_a_warning_even_when_unused(tmp_path):
    spec, problems = load(tmp_path, {"media/unused.pdf": b"%PDF", "media/CREDITS.yaml": None})
    assert spec is not None and spec.credits == {}
    assert problems == [
        "courses/phishing/media/fake-login.png:0: warning: no credit for this file in media/CREDITS.yaml: add its "
        "source and licence",
        "courses/phishing/media/unused.pdf:0: warning: no credit for this file in media/CREDITS.yaml: add its "
        "source and licence",
    ]


def test_credit_mistakes_are_errors_at_their_line(tmp_path):
    credits = ("fake-login.png:\n  source: Drawn for the tests\n  license: CC BY 4.0\n"
               "media/other.png: {source: x, licence: y}\n"
               "gone.png: {source: Old diagram, licence: CC0 1.0}\n"
               "nested/ok.png: {source: '', licence: CC0 1.0}\n")
    spec, problems = load(tmp_path, {"media/CREDITS.yaml": credits, "media/nested/ok.png": b"\x89PNG"})
    assert spec is None
    assert problems == [
        "courses/phishing/media/CREDITS.yaml:1: error: missing required key 'licence' in the credit for "
        "'fake-login.png'",
        "courses/phishing/media/CREDITS.yaml:3: error: unknown key 'license'; did you mean 'licence'?",
        "courses/phishing/media/CREDITS.yaml:4: error: credit for 'media/other.png', which is not a file in media/; "
        "write the name without 'media/'",
        "courses/phishing/media/CREDITS.yaml:5: error: credit for 'gone.png', which is not a file in media/",
        "courses/phishing/media/CREDITS.yaml:6: error: source of 'nested/ok.png' must be text, got ''",
    ]


def test_credits_that_are_not_a_mapping_are_an_error(tmp_path):
    assert load(tmp_path, {"media/CREDITS.yaml": "- fake-login.png\n"})[1] == [
        "courses/phishing/media/CREDITS.yaml:1: error: CREDITS.yaml must map each media file name to its credit, "
        "such as 'diagram.png: {source: ..., licence: ...}'",
        "courses/phishing/media/fake-login.png:0: warning: no credit for this file in media/CREDITS.yaml: add its "
        "source and licence",
    ]


def test_changing_a_credit_changes_the_revision(tmp_path, course):
    spec, _ = load(tmp_path, {"media/CREDITS.yaml": "fake-login.png: {source: Redrawn, licence: CC BY 4.0}\n"})
    assert spec.revision != course.revision


# --- rubrics ------------------------------------------------------------------------------------------------------

ESSAY_QUIZ = "::Q1:: Is this a red flag? {T}\n\n::E1:: Explain how you report phishing. {}\n"
ESSAY_QUIZ_ES = "::Q1:: ¿Es una señal? {T}\n\n::E1:: Explique cómo reporta el phishing. {}\n"


def with_rubrics(rubrics: str) -> str:
    return course_yaml("", MODULES.replace("        shuffle: true\n", f"        shuffle: true\n{rubrics}"))


def test_an_essay_rubric_is_rendered_per_language_for_markers(tmp_path):
    yaml = with_rubrics("        rubrics:\n          E1:\n            en: \"Names **the security team**.\"\n"
                        "            es: \"Menciona **al equipo de seguridad**.\"\n")
    spec, problems = load(tmp_path, {"course.yaml": yaml, "check.gift": ESSAY_QUIZ, "check.es.gift": ESSAY_QUIZ_ES})
    assert problems == []
    quiz = spec.item("check")
    assert isinstance(quiz, QuizSpec)
    assert quiz.rubrics["E1"].as_dict() == {"en": "Names <strong>the security team</strong>.",
                                            "es": "Menciona <strong>al equipo de seguridad</strong>."}
    assert spec.item("final").rubrics == {}


def test_rubric_mistakes_are_errors_at_their_line(tmp_path):
    yaml = with_rubrics("        rubrics:\n          Q1: {en: Look for yes, es: Busque sí}\n"
                        "          E11: {en: Typo, es: Error}\n          E1: {en: Fine}\n")
    spec, problems = load(tmp_path, {"course.yaml": yaml, "check.gift": ESSAY_QUIZ, "check.es.gift": ESSAY_QUIZ_ES})
    assert spec is None
    assert problems == [
        f"courses/phishing/course.yaml:{line_of(yaml, 'Q1: {')}: error: rubric for 'Q1', a truefalse question; "
        "rubrics are for essays, which a trainer marks",
        f"courses/phishing/course.yaml:{line_of(yaml, 'E11: {')}: error: rubric for 'E11', which is not a question "
        "name in check.gift; did you mean 'E1'?",
        f"courses/phishing/course.yaml:{line_of(yaml, 'E1: {')}: warning: rubric for 'E1' has no 'es' text; learners "
        "see the 'en' one",
    ]
    assert load(tmp_path / "b", {"course.yaml": with_rubrics("        rubrics: [E1]\n"), "check.gift": ESSAY_QUIZ,
                                 "check.es.gift": ESSAY_QUIZ_ES})[1] == [
        f"courses/phishing/course.yaml:{line_of(yaml, 'rubrics:')}: error: rubrics must map each essay question's "
        "name to its rubric, such as 'essay-name: {en: ..., es: ...}', got a list"]


def test_rubrics_belong_to_quizzes_only(tmp_path):
    yaml = course_yaml("", MODULES.replace("      - lesson: red-flags\n", "      - lesson: red-flags\n"
                                                                        "        rubrics: {E1: x}\n"))
    assert load(tmp_path, {"course.yaml": yaml})[1] == [
        f"courses/phishing/course.yaml:{line_of(yaml, 'rubrics:')}: error: 'rubrics' applies to quizzes, not lessons"]


# --- '#' inside an answer -------------------------------------------------------------------------------------------


def test_a_hash_that_cuts_an_answer_is_a_warning_at_the_answers_line(tmp_path):
    quiz = ("::Q1:: Which password is weakest?{\n=Qu1t0#2024#Right: a pattern attackers try first.\n"
            "~a long passphrase\n}\n")
    spec, problems = load(tmp_path, {"final.gift": "::F1:: Fine? {T}\n\n" + quiz, "final.es.gift": None})
    assert spec is not None
    assert [p for p in problems if "final.gift" in p] == [
        "courses/phishing/final.gift:4: warning: the '#' in 'Qu1t0#2024' ends the answer and starts its feedback, "
        "so learners see the answer 'Qu1t0' and a feedback starting '2024#'; write 'Qu1t0\\#2024' if the '#' is "
        "part of the answer"]
    short = "::S1:: The example password? {=Qu1t0#2024#Yes}\n"
    problems = load(tmp_path / "b", {"final.gift": short, "final.es.gift": None})[1]
    assert [p[:66] for p in problems if "final.gift" in p] == [
        "courses/phishing/final.gift:1: warning: the '#' in 'Qu1t0#2024' en"]


@pytest.mark.parametrize("answer", [
    "=Qu1t0\\#2024#Right: a pattern attackers try first.",   # escaped: part of the answer
    "=Qu1t0#Right. A #hashtag is fine further on.",          # feedback starting with words
    "=C\\#",                                                 # no feedback at all
    "=yes#&#39;quoted&#39; feedback",                       # an entity: nothing like the rest of an answer
])
def test_feedback_written_on_purpose_is_not_warned_about(tmp_path, answer):
    quiz = f"::Q1:: Which?{{\n{answer}\n~other\n}}\n"
    problems = load(tmp_path, {"final.gift": quiz, "final.es.gift": None})[1]
    assert [p for p in problems if "final.gift" in p and "'#'" in p] == []
