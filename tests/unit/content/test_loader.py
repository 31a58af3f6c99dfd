"""A course folder loads into a CourseSpec, or into Problems an author can act on; never an exception."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learnhub.content.loader import load_course, load_tree, reference_ids
from learnhub.content.model import LessonSpec, LocalText, QuizSpec

COURSE_YAML = """\
format: 1
id: phishing
title:
  en: Spotting phishing
  es: Detectar el phishing
summary: {en: Recognise phishing., es: Reconozca el phishing.}
languages: [en, es]
kind: awareness
level: beginner
roles: [cyber-incident-responder]
sectors: [public-administration, health]
certificate: true
modules:
  - id: recognise
    title: {en: Recognise, es: Reconocer}
    items:
      - lesson: what-is-phishing
      - lesson: red-flags
      - quiz: check
        title: {en: Check yourself, es: Compruebe}
        pass_mark: 80
        max_attempts: 3
        shuffle: true
  - id: report
    title: Report
    items:
      - quiz: final
"""

FILES: dict[str, str | bytes] = {
    "course.yaml": COURSE_YAML,
    "what-is-phishing.md": "---\ntitle: What is phishing?\nminutes: 5\n---\nPhishing is *fraud*.\n\n"
                           "![A fake login](media/fake-login.png)\n",
    "what-is-phishing.es.md": "---\ntitle: ¿Qué es el phishing?\nminutes: 6\n---\nEl phishing es un *fraude*.\n",
    "red-flags.md": "# Red flags\n\nLook at the sender.\n",
    "red-flags.es.md": "# Señales de alerta\n\nMire el remitente.\n",
    "check.gift": "::Q1:: [markdown] Is **this** a red flag? {T#No.#Yes.}\n\n"
                  "::Q2:: Pick the <b>odd</b> one {=a#right ~b#wrong}\n",
    "check.es.gift": "::Q1:: [markdown] ¿Es **esto** una señal? {T}\n\n::Q2:: Elija {=a ~b}\n",
    "final.gift": "::F1:: [plain] Is <b> bold? {F}\n",
    "final.es.gift": "::F1:: [plain] ¿Es <b> negrita? {F}\n",
    "media/fake-login.png": b"\x89PNG fake",
    "media/CREDITS.yaml": "fake-login.png:\n  source: Drawn for the LearnHub tests\n  licence: CC BY 4.0\n",
}


def write_course(root: Path, files: dict[str, str | bytes] = FILES, name: str = "phishing") -> Path:
    folder = root / "courses" / name
    for relative, content in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder


def only(files: dict[str, str | bytes], changes: dict[str, str | bytes | None]) -> dict[str, str | bytes]:
    """`files` with some files replaced, added, or removed (None)."""
    result = dict(files)
    for relative, content in changes.items():
        if content is None:
            result.pop(relative, None)
        else:
            result[relative] = content
    return result


def problems_of(folder: Path) -> list[str]:
    return [str(problem) for problem in load_course(folder)[1]]


@pytest.fixture
def course(tmp_path):
    spec, problems = load_course(write_course(tmp_path))
    assert problems == []
    assert spec is not None
    return spec


def test_a_valid_course_loads_with_every_field(course):
    assert course.id == "phishing"
    assert course.format == 1
    assert course.title == LocalText((("en", "Spotting phishing"), ("es", "Detectar el phishing")))
    assert course.summary.get("es") == "Reconozca el phishing."
    assert course.languages == ("en", "es")
    assert course.default_language == "en"
    assert (course.kind, course.level) == ("awareness", "beginner")
    assert course.minutes == 5  # not given: the sum of the default-language lessons' minutes
    assert course.roles == ("cyber-incident-responder",)
    assert course.sectors == ("public-administration", "health")
    assert course.certificate is True
    assert course.pass_mark == 70
    assert course.media == ("media/fake-login.png",)
    assert course.path == "courses/phishing"
    assert [m.id for m in course.modules] == ["recognise", "report"]
    assert course.modules[1].title.get("es") == "Report"
    assert [(m.id, i.id, i.kind) for m, i in course.items()] == [
        ("recognise", "what-is-phishing", "lesson"),
        ("recognise", "red-flags", "lesson"),
        ("recognise", "check", "quiz"),
        ("report", "final", "quiz"),
    ]
    assert len(course.revision) == 64
    int(course.revision, 16)


def test_lessons_carry_each_language_with_title_minutes_html_and_source(course):
    lesson = course.item("what-is-phishing")
    assert isinstance(lesson, LessonSpec)
    assert lesson.languages == ("en", "es")
    english, spanish = lesson.variants
    assert (english.title, english.minutes, english.source) == (
        "What is phishing?", 5, "what-is-phishing.md"
    )
    assert english.html == (
        "<p>Phishing is <em>fraud</em>.</p>\n"
        '<p><img src="/media/phishing/fake-login.png" alt="A fake login"></p>\n'
    )
    assert (spanish.title, spanish.minutes, spanish.source) == (
        "¿Qué es el phishing?", 6, "what-is-phishing.es.md"
    )
    assert lesson.title.get("es") == "¿Qué es el phishing?"


def test_a_missing_translation_falls_back_to_the_default_language_with_a_warning(tmp_path):
    spec, problems = load_course(write_course(tmp_path, only(FILES, {"red-flags.es.md": None})))
    assert [str(p) for p in problems] == [
        "courses/phishing/course.yaml:18: warning: lesson 'red-flags' has no 'es' version (red-flags.es.md); "
        "learners see the 'en' one",
    ]
    lesson = spec.item("red-flags")
    assert isinstance(lesson, LessonSpec)
    assert lesson.languages == ("en",)
    assert not lesson.has("es")
    assert lesson.variant("es").language == "en"
    assert lesson.title.get("es") == "Red flags"


def test_a_title_taken_from_the_heading_is_not_repeated_in_the_html(course):
    lesson = course.item("red-flags")
    assert lesson.variant("en").html == "<p>Look at the sender.</p>\n"
    assert lesson.minutes is None


def test_quiz_settings_and_questions_rendered_to_sanitised_html(course):
    quiz = course.item("check")
    assert isinstance(quiz, QuizSpec)
    assert (quiz.title.get("es"), quiz.pass_mark, quiz.max_attempts, quiz.shuffle) == ("Compruebe", 80, 3, True)
    assert quiz.question_ids == ("Q1", "Q2")
    assert quiz.languages == ("en", "es")
    q1, q2 = quiz.variant("en").questions
    assert (q1.format, q1.text, q1.feedback_wrong, q1.feedback_right) == (
        "html", "Is <strong>this</strong> a red flag?", "No.", "Yes."
    )
    assert q2.text == "Pick the <b>odd</b> one"
    assert [(c.text, c.feedback) for c in q2.choices] == [("a", "right"), ("b", "wrong")]
    assert quiz.variant("es").questions[0].text == "¿Es <strong>esto</strong> una señal?"
    assert quiz.variant("es").source == "check.es.gift"


def test_a_quiz_takes_the_course_pass_mark_and_the_default_title(course):
    final = course.item("final")
    assert isinstance(final, QuizSpec)
    assert (final.title.get("en"), final.title.get("es"), final.pass_mark, final.max_attempts, final.shuffle) == (
        "Quiz", "Quiz", 70, None, False
    )
    assert final.variant("en").questions[0].text == "Is &lt;b&gt; bold?"


def test_question_snapshots_are_json_safe(course):
    snapshot = course.item("check").variant("en").questions[1].to_dict()
    assert snapshot["id"] == "Q2"
    assert snapshot["choices"] == [
        {"text": "a", "weight": 1.0, "feedback": "right"},
        {"text": "b", "weight": 0.0, "feedback": "wrong"},
    ]


def test_local_text_falls_back_by_the_fallback_order_then_to_the_default_language():
    text = LocalText.of({"es": "Hola", "en": "Hello"}, "en")
    assert text.texts == (("en", "Hello"), ("es", "Hola"))
    assert (text.get("es"), text.get("pt"), str(text), text.has("pt")) == ("Hola", "Hola", "Hello", False)
    assert (text.get("fr"), text.get("de"), text.get("pt", {"pt": ("en",)})) == ("Hello", "Hello", "Hello")
    assert LocalText.of("Same everywhere", "en").get("fr") == "Same everywhere"
    assert text.as_dict() == {"en": "Hello", "es": "Hola"}


# --- revision -----------------------------------------------------------------------------------------


def revision(folder: Path) -> str:
    spec, problems = load_course(folder)
    assert spec is not None, problems
    return spec.revision


def test_same_files_give_the_same_revision_wherever_they_are(tmp_path):
    first = revision(write_course(tmp_path / "a"))
    assert revision(write_course(tmp_path / "b")) == first


@pytest.mark.parametrize(
    "changes",
    [
        {"course.yaml": COURSE_YAML.replace("certificate: true", "certificate: false")},
        {"red-flags.md": "# Red flags\n\nLook at the sender!\n"},
        {"check.es.gift": "::Q1:: [markdown] ¿Es **esto** una señal? {T}\n\n::Q2:: Elija  {=a ~b}\n"},
        {"media/fake-login.png": b"\x89PNG fakE"},
        {"what-is-phishing.es.md": None},
    ],
)
def test_any_byte_changed_in_a_used_file_changes_the_revision(tmp_path, changes):
    before = revision(write_course(tmp_path / "a"))
    assert revision(write_course(tmp_path / "b", only(FILES, changes))) != before


def test_files_the_course_does_not_use_leave_the_revision_alone(tmp_path):
    before = revision(write_course(tmp_path / "a"))
    folder = write_course(tmp_path / "b", only(FILES, {"notes.txt": "draft", "media/unused.png": b"x"}))
    assert revision(folder) == before


# --- paths, trees and the file system -----------------------------------------------------------------


def test_load_tree_loads_every_course_folder_and_skips_the_rest(tmp_path):
    write_course(tmp_path)
    root = tmp_path / "courses"
    (root / "README.md").write_text("# Catalogue\n")
    (root / "LICENSE").write_text("CC-BY-4.0\n")
    (root / ".drafts").mkdir()
    (root / ".drafts" / "course.yaml").write_text("not: [valid\n")
    (root / "empty-folder").mkdir()
    tree = load_tree(root)
    assert sorted(tree) == ["empty-folder", "phishing"]
    assert tree["phishing"][0] is not None
    assert tree["empty-folder"] == (
        None, [_problem("courses/empty-folder", 0, "error", "course folder has no course.yaml")]
    )


def _problem(path, line, level, message):
    from learnhub.content.problems import Problem

    return Problem(path, line, level, message)


def test_problem_paths_are_relative_to_the_parent_of_the_root(tmp_path, monkeypatch):
    write_course(tmp_path, only(FILES, {"red-flags.md": None, "red-flags.es.md": None}))
    expected = ["courses/phishing/course.yaml:18: error: lesson file 'red-flags.md' not found"]
    for root in (tmp_path / "courses", Path("courses"), Path(".")):
        monkeypatch.chdir(tmp_path / "courses" if root == Path(".") else tmp_path)
        assert [str(p) for p in load_tree(root)["phishing"][1]] == expected
    monkeypatch.chdir(tmp_path)
    assert [str(p) for p in load_course(Path("courses/phishing"))[1]] == expected
    assert [str(p) for p in load_course(Path("courses/phishing"), display_root=Path("courses"))[1]] == [
        "phishing/course.yaml:18: error: lesson file 'red-flags.md' not found"
    ]


def test_load_tree_refuses_a_root_that_is_not_a_folder(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_tree(tmp_path / "nowhere")
    (tmp_path / "file").write_text("x")
    with pytest.raises(NotADirectoryError):
        load_tree(tmp_path / "file")


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_links_that_leave_the_course_folder_are_errors(tmp_path):
    (tmp_path / "secret.txt").write_text("# Secret\n\nroot password\n")
    (tmp_path / "secret.png").write_bytes(b"x")
    folder = write_course(tmp_path, only(FILES, {"red-flags.md": None}))
    (folder / "red-flags.md").symlink_to(tmp_path / "secret.txt")
    (folder / "media" / "fake-login.png").unlink()
    (folder / "media" / "fake-login.png").symlink_to(tmp_path / "secret.png")
    assert problems_of(folder) == [
        "courses/phishing/red-flags.md:0: error: this file is a link to a place outside the course folder",
        "courses/phishing/what-is-phishing.md:7: error: media file 'media/fake-login.png' is a link to a "
        "place outside the course folder",
    ]


def test_media_names_must_match_exactly_including_case(tmp_path):
    folder = write_course(tmp_path, only(FILES, {"media/fake-login.png": None, "media/Fake-Login.png": b"x"}))
    assert problems_of(folder) == [
        "courses/phishing/media/CREDITS.yaml:1: error: credit for 'fake-login.png', which is not a file in media/",
        "courses/phishing/media/Fake-Login.png:0: warning: no credit for this file in media/CREDITS.yaml: add its "
        "source and licence",
        "courses/phishing/what-is-phishing.md:7: error: media file 'media/fake-login.png' not found",
    ]


def test_a_huge_file_is_refused_before_it_is_read(tmp_path):
    folder = write_course(tmp_path, only(FILES, {"red-flags.md": "# Big\n\n" + "x" * 1_000_001}))
    assert problems_of(folder) == [
        "courses/phishing/red-flags.md:0: error: file is too large (1000008 bytes; the limit is 1000000)",
    ]


def test_a_byte_order_mark_and_windows_line_endings_are_accepted(tmp_path):
    folder = write_course(
        tmp_path, only(FILES, {"red-flags.md": b"\xef\xbb\xbf---\r\ntitle: Flags\r\n---\r\n<script>x</script>\r\n"})
    )
    assert problems_of(folder) == [
        "courses/phishing/red-flags.md:4: warning: the sanitiser removes the <script> tag",
    ]


# --- YAML ---------------------------------------------------------------------------------------------


def test_yaml_booleans_are_only_true_and_false_so_norwegian_is_a_language(tmp_path):
    course_yaml = COURSE_YAML.replace("languages: [en, es]", "languages: [en, es, no]").replace(
        "  es: Detectar el phishing\n", "  es: Detectar el phishing\n  no: Oppdage phishing\n"
    )
    spec, problems = load_course(write_course(tmp_path, only(FILES, {"course.yaml": course_yaml})))
    assert spec is not None
    assert spec.languages == ("en", "es", "no")
    assert spec.title.get("no") == "Oppdage phishing"
    assert "courses/phishing/course.yaml:3: warning: summary has no 'no' text" not in [str(p) for p in problems]


def test_yaml_tags_that_would_run_code_are_errors_not_calls(tmp_path):
    marker = tmp_path / "pwned"
    course_yaml = COURSE_YAML.replace(
        "certificate: true", f"certificate: !!python/object/apply:os.system ['touch {marker}']"
    )
    problems = problems_of(write_course(tmp_path, only(FILES, {"course.yaml": course_yaml})))
    assert not marker.exists()
    assert problems == [
        "courses/phishing/course.yaml:12: error: invalid YAML: could not determine a constructor for the tag "
        "'tag:yaml.org,2002:python/object/apply:os.system'",
    ]


def test_yaml_errors_point_at_the_offending_line(tmp_path):
    course_yaml = COURSE_YAML.replace("level: beginner", "level: beginner: really")
    assert problems_of(write_course(tmp_path, only(FILES, {"course.yaml": course_yaml}))) == [
        "courses/phishing/course.yaml:9: error: invalid YAML: mapping values are not allowed here; if a text "
        "contains ': ', put it in quotes",
    ]


def test_value_errors_point_at_the_key_line(tmp_path):
    course_yaml = COURSE_YAML.replace("        max_attempts: 3", "        max_attempts: 0").replace(
        "roles: [cyber-incident-responder]", "roles:\n  - ciso\n  - pentester"
    )
    assert problems_of(write_course(tmp_path, only(FILES, {"course.yaml": course_yaml}))) == [
        "courses/phishing/course.yaml:12: error: unknown ECSF role 'pentester'; did you mean "
        "'penetration-tester'?",
        "courses/phishing/course.yaml:24: error: max_attempts must be a whole number of at least 1 (leave it "
        "out for unlimited attempts), got 0",
    ]


def test_front_matter_lines_count_in_lesson_line_numbers(tmp_path):
    lesson = "---\ntitle: Flags\nminutes: 2\n---\n\nText\n\n![x](media/missing.png)\n"
    assert problems_of(write_course(tmp_path, only(FILES, {"red-flags.md": lesson}))) == [
        "courses/phishing/red-flags.md:8: error: media file 'media/missing.png' not found",
    ]


def test_reference_ids_come_from_the_shared_data_files():
    assert "cyber-incident-responder" in reference_ids("ecsf-roles")
    assert len(reference_ids("ecsf-roles")) == 12
    assert "public-administration" in reference_ids("nis2-sectors")


# --- nothing crashes ------------------------------------------------------------------------------------

_ANY_TEXT = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=300).map(lambda s: s.encode("utf-8", "surrogatepass")),
    st.lists(
        st.sampled_from([
            "format: 1\n", "id: phishing\n", "title: {en: x}\n", "languages: [en]\n", "modules:\n",
            "  - id: m1\n", "    items:\n", "      - lesson: red-flags\n", "      - quiz: check\n",
            "---\n", "# T\n", "::Q:: x {=a ~b}\n", "{", "}", "\t", ": ", "- ", "[", "&a ", "*a ", "!!", "<",
            "](media/", "\n\n", "\xff", "\ufeff", "\r",
        ]),
        max_size=30,
    ).map(lambda parts: "".join(parts).encode("utf-8", "surrogatepass")),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(target=st.sampled_from(["course.yaml", "red-flags.md", "check.gift", "check.es.gift"]), data=_ANY_TEXT)
def test_any_bytes_in_any_file_give_problems_not_exceptions(tmp_path_factory, target, data):
    folder = write_course(tmp_path_factory.mktemp("fuzz"), only(FILES, {target: data}))
    try:
        spec, problems = load_course(folder)
        assert (spec is None) == any(p.is_error for p in problems)
        assert not [p for p in problems if "internal error" in p.message]
        for problem in problems:
            assert "\n" not in problem.message
            assert problem.path.startswith("courses/phishing")
    finally:
        shutil.rmtree(folder.parent.parent)
