"""GIFT back out of LearnHub (the trainers' "Download as GIFT", `learnhub courses export-gift`), question tags in
the analysis, and attempts graded before issue 15 reviewing and regrading as they were graded."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from learnhub.content.gift import parse_gift
from learnhub.content.gift_writer import write_gift
from learnhub.extensions import db as database
from learnhub.models import Attempt
from tests.conftest import csrf_token, log_in
from tests.integration.learning_helpers import CATALOGUE, quiz_page, sync_catalogue

QUIZ_URL = "/trainer/quizzes/passwords-mfa/check-passwords-mfa"


def canonical(path: Path) -> str:
    return write_gift(parse_gift(path.read_text(encoding="utf-8"), path.name)[0])


# --- the trainers' download ------------------------------------------------------------------------------


def test_a_trainer_downloads_each_language_of_a_quiz_as_gift(client, trainer):
    for language, source in (("en", "check-passwords-mfa.gift"), ("es", "check-passwords-mfa.es.gift"),
                             ("pt", "check-passwords-mfa.pt.gift"), ("fr", "check-passwords-mfa.fr.gift")):
        response = client.get(f"{QUIZ_URL}/gift?language={language}")
        assert response.status_code == 200, language
        assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
        assert f'filename=check-passwords-mfa.{language}.gift.txt' in response.headers["Content-Disposition"]
        text = response.get_data(as_text=True)
        assert text == canonical(CATALOGUE / "passwords-mfa" / source)
        back, problems = parse_gift(text, "download.gift")
        assert [q.id for q in back] == [q.id for q in parse_gift((CATALOGUE / "passwords-mfa" / source)
                                                                  .read_text(), source)[0]]
        assert [p for p in problems if p.is_error] == []
    assert client.get(f"{QUIZ_URL}/gift").get_data(as_text=True) == canonical(
        CATALOGUE / "passwords-mfa" / "check-passwords-mfa.gift")  # the course's default language
    assert client.get(f"{QUIZ_URL}/gift?language=de").status_code == 404
    assert client.get("/trainer/quizzes/passwords-mfa/no-such-quiz/gift").status_code == 404


def test_the_quiz_list_links_every_language_and_the_analysis_links_the_download(client, trainer):
    page = client.get("/trainer/quizzes").get_data(as_text=True)
    assert all(f'href="{QUIZ_URL}/gift?language={language}"' in page for language in ("en", "es", "fr"))
    assert f'href="{QUIZ_URL}/gift"' in client.get(f"{QUIZ_URL}/analysis").get_data(as_text=True)


@pytest.mark.parametrize("role", ["trainee", "analyst"])
def test_other_roles_cannot_download(app, make_user, role):
    other = app.test_client()
    make_user(role=role, email=f"{role}@example.org", countries=("DO",) if role == "analyst" else ())
    log_in(other, f"{role}@example.org")
    assert other.get(f"{QUIZ_URL}/gift").status_code == 404


def test_a_quiz_whose_file_no_longer_reads_is_refused_with_the_reason(app, client, trainer, tmp_path):
    copy = tmp_path / "courses"
    shutil.copytree(CATALOGUE, copy)
    quiz = copy / "passwords-mfa" / "check-passwords-mfa.gift"
    quiz.write_text(quiz.read_text() + "\n::broken:: Unclosed {=a ~b\n")
    app.config["COURSES_DIR"] = str(copy)
    try:
        response = client.get(f"{QUIZ_URL}/gift")
        assert response.status_code == 303 and response.location.endswith("/trainer/quizzes")
        page = client.get(response.location).get_data(as_text=True)
        assert "This quiz cannot be written as GIFT" in page and "expected &#39;}&#39;" in page
    finally:
        app.config["COURSES_DIR"] = str(CATALOGUE)


# --- tags in the question analysis -----------------------------------------------------------------------


def test_the_analysis_shows_each_questions_tags(app, client, trainer, tmp_path):
    copy = tmp_path / "courses"
    shutil.copytree(CATALOGUE, copy)
    for name in ("check-passwords-mfa.gift", "check-passwords-mfa.es.gift", "check-passwords-mfa.pt.gift",
                 "check-passwords-mfa.fr.gift"):
        path = copy / "passwords-mfa" / name
        path.write_text(path.read_text().replace("::nist-min-length::", "// [id:PW-01] [tag:nist] [tag:length]\n"
                                                 "::nist-min-length::", 1))
    sync_catalogue(app, copy)
    page = client.get(f"{QUIZ_URL}/analysis").get_data(as_text=True)
    # The row names the question by its text, its id after it (issue 20).
    row = re.search(r'<th scope="row" class="question-cell"><span>[^<]+</span> '
                    r'<span class="meta">\(nist-min-length\)</span>(.*?)</th>', page, re.S).group(1)
    assert re.findall(r'<li class="badge">([^<]+)</li>', row) == ["nist", "length"]
    app.config["COURSES_DIR"] = str(copy)
    try:
        exported = client.get(f"{QUIZ_URL}/gift").get_data(as_text=True)
    finally:
        app.config["COURSES_DIR"] = str(CATALOGUE)
    assert "// [id:PW-01] [tag:nist] [tag:length]\n::nist-min-length::" in exported


# --- attempts graded before issue 15 ---------------------------------------------------------------------

COURSE_YAML = """format: 1
id: legacy-rules
title: {en: "Legacy rules"}
summary: {en: "A quiz whose short answer is graded differently since issue 15."}
languages: [en]
kind: awareness
level: beginner
minutes: 5
roles: []
sectors: []
certificate: false
pass_mark: 70
modules:
  - id: check
    title: {en: Check}
    items:
      - quiz: who
"""
QUIZ = "::who:: Who is buried in Grant's tomb? {=no one#Right, no one. =%0%*#Think again.}\n"


def test_an_attempt_graded_before_issue_15_reviews_and_regrades_as_it_was_graded(app, db, client, make_user,
                                                                                  tmp_path):
    folder = tmp_path / "courses" / "legacy-rules"
    folder.mkdir(parents=True)
    (folder / "course.yaml").write_text(COURSE_YAML)
    (folder / "who.gift").write_text(QUIZ)
    sync_catalogue(app, folder.parent)
    learner = make_user(email="old@example.org", language="en")
    log_in(client, "old@example.org")
    page, token = quiz_page(client, "legacy-rules", "who")
    response = client.post("/courses/legacy-rules/quizzes/who",
                           data={"csrf_token": csrf_token(page), "token": token, "q1": "no  one"})
    assert response.status_code == 303
    attempt = db.session.scalar(select(Attempt).where(Attempt.learner_id == learner.id))
    # Today's rules: inner spaces count, so "no  one" is not "no one"; the catch-all '*' answers it.
    assert (attempt.scores, attempt.score) == ({"who": 0.0}, 0.0)
    assert "Think again." in client.get(response.location).get_data(as_text=True)

    # The same attempt as LearnHub stored it before issue 15: a snapshot without rules, graded by the
    # legacy comparison (inner spaces collapsed, '*' a plain character), so "no  one" earned full marks.
    attempt = db.session.scalar(select(Attempt).where(Attempt.learner_id == learner.id))
    snapshot = dict(attempt.questions[0])
    question = {k: v for k, v in snapshot["question"].items() if k not in ("idnumber", "tags", "formats", "rules")}
    attempt.questions = [{**snapshot, "question": question}]
    attempt.scores, attempt.score, attempt.passed = {"who": 1.0}, 100.0, True
    database.session.commit()
    review = client.get(response.location).get_data(as_text=True)
    assert "Correct" in review and "Right, no one." in review and "Think again." not in review

    admin = app.test_client()
    make_user(role="admin", email="admin@example.org", language="en")
    log_in(admin, "admin@example.org")
    regrade = admin.get("/trainer/quizzes/legacy-rules/who/regrade").get_data(as_text=True)
    assert "No attempt would change" in regrade  # only LearnHub's rules changed, not the answer key

    (folder / "who.gift").write_text(QUIZ.replace("=no one#", "=nobody#Also right. =no one#"))
    sync_catalogue(app, folder.parent)
    regrade = admin.get("/trainer/quizzes/legacy-rules/who/regrade").get_data(as_text=True)
    assert "No attempt would change" in regrade  # the new key, graded by the attempt's own (legacy) rules


# --- learnhub courses export-gift ------------------------------------------------------------------------


def run(app, *args):
    return app.test_cli_runner().invoke(args=["courses", "export-gift", *args])


def test_export_gift_prints_one_quiz_and_writes_every_quiz_of_every_course(app, tmp_path):
    printed = run(app, "passwords-mfa", "check-passwords-mfa", "--language", "es", "--courses", str(CATALOGUE))
    assert printed.exit_code == 0, printed.stderr
    assert printed.stdout == canonical(CATALOGUE / "passwords-mfa" / "check-passwords-mfa.es.gift")
    for course in sorted(path for path in CATALOGUE.iterdir() if (path / "course.yaml").is_file()):
        out = tmp_path / course.name
        written = run(app, course.name, "--output", str(out), "--courses", str(CATALOGUE))
        assert written.exit_code == 0, written.stderr
        sources = sorted(path.name for path in course.glob("*.gift"))
        assert sorted(path.name for path in out.iterdir()) == sources, course.name
        assert sorted(written.stdout.split()) == [str(out / name) for name in sources]
        for name in sources:
            assert (out / name).read_text() == canonical(course / name), name


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope"], "no course 'nope' in"),
        (["passwords-mfa", "no-such-quiz"], "course 'passwords-mfa' has no quiz 'no-such-quiz'"),
        (["passwords-mfa", "check-passwords-mfa", "--language", "de"],
         "quiz 'check-passwords-mfa' has no 'de' version"),
        (["passwords-mfa"], f"{len(list((CATALOGUE / 'passwords-mfa').glob('*.gift')))} GIFT files to write; "
                            "pass --output FOLDER"),
        (["../etc"], "no course '../etc' in"),
    ],
)
def test_export_gift_explains_what_it_cannot_do(app, args, message):
    result = run(app, *args, "--courses", str(CATALOGUE))
    assert result.exit_code == 1 and message in result.stderr and result.stdout == ""


def test_export_gift_refuses_a_course_with_errors(app, tmp_path):
    copy = tmp_path / "courses"
    shutil.copytree(CATALOGUE / "passwords-mfa", copy / "passwords-mfa")
    quiz = copy / "passwords-mfa" / "check-passwords-mfa.gift"
    quiz.write_text(quiz.read_text().replace("{#15", "{#fifteen", 1))
    result = run(app, "passwords-mfa", "--output", str(tmp_path / "out"), "--courses", str(copy))
    assert result.exit_code == 1
    assert "course 'passwords-mfa' has errors" in result.stderr and "is not a number" in result.stderr
