"""`learnhub courses validate|sync` against a real database, and the pages that show synced courses."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from learnhub.models import AuditEvent, Course, CourseItem, LessonBody, QuizQuestion
from tests.conftest import log_in
from tests.integration.learning_helpers import app_with_own_database

CATALOGUE = Path(__file__).resolve().parents[2] / "courses"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """An app on a database without courses (the session's holds the catalogue already): these tests are
    about what a first sync adds, and each still runs in its own rolled-back transaction (`db`)."""
    from learnhub.extensions import db

    application = app_with_own_database(tmp_path_factory, "course_sync", courses=False)
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def courses_dir(tmp_path) -> Path:
    """A private copy of the starter catalogue, for tests that edit files."""
    target = tmp_path / "courses"
    shutil.copytree(CATALOGUE, target)
    return target


def sync(app, folder: Path):
    return app.test_cli_runner().invoke(args=["courses", "sync", str(folder)])


def item_ids(db, course_id: str) -> dict[str, int]:
    rows = db.session.execute(select(CourseItem.key, CourseItem.id).where(CourseItem.course_id == course_id))
    return dict(rows.all())


def test_the_starter_catalogue_validates_without_errors_or_warnings(app):
    result = app.test_cli_runner().invoke(args=["courses", "validate", str(CATALOGUE)])
    assert result.exit_code == 0, result.output
    assert "10 courses checked: 0 errors, 0 warnings" in result.output


def test_first_sync_adds_every_course_and_the_second_changes_nothing(app, db, client, courses_dir):
    first = sync(app, courses_dir)
    assert first.exit_code == 0, first.output
    assert "courses: 10 added, 0 updated, 0 unchanged, 0 retired, 0 failed" in first.output
    snapshot = {table.__name__: db.session.scalar(select(func.count()).select_from(table))
                for table in (Course, CourseItem, LessonBody, QuizQuestion)}
    assert snapshot["Course"] == 10 and snapshot["LessonBody"] >= 10 * 3 * 2 and snapshot["QuizQuestion"] >= 10 * 8 * 2
    synced_at = db.session.scalar(select(Course.synced_at).where(Course.id == "passwords-mfa"))
    second = sync(app, courses_dir)
    assert "courses: 0 added, 0 updated, 10 unchanged, 0 retired, 0 failed" in second.output
    assert {table.__name__: db.session.scalar(select(func.count()).select_from(table))
            for table in (Course, CourseItem, LessonBody, QuizQuestion)} == snapshot
    assert db.session.scalar(select(Course.synced_at).where(Course.id == "passwords-mfa")) == synced_at
    assert client.get("/health").json["published_courses"] == 10
    events = db.session.scalars(select(AuditEvent.detail).where(AuditEvent.event == "content.synced")).all()
    assert [e["added"] for e in events] == [10, 0]


def test_new_reading_rules_make_the_next_sync_read_every_course_again(app, db, courses_dir, monkeypatch):
    """Files unchanged, rules changed (issue 15): the stored questions must be read again, or the database
    would keep questions read under the old rules."""
    from learnhub.content import files, revision

    assert sync(app, courses_dir).exit_code == 0
    stored = db.session.scalar(select(QuizQuestion.data).where(QuizQuestion.key == "nist-min-length"))
    assert stored["rules"] == 2 and stored["numbers"][0]["catch_all"] is False
    monkeypatch.setattr(revision, "READING", "reading 3: a test's")
    monkeypatch.setattr(files, "READING", "reading 3: a test's")
    again = sync(app, courses_dir)
    count = len([folder for folder in CATALOGUE.iterdir() if (folder / "course.yaml").is_file()])
    assert f"courses: 0 added, {count} updated, 0 unchanged" in again.output, again.output


def test_an_edited_lesson_keeps_learners_ids(app, db, courses_dir):
    sync(app, courses_dir)
    before = item_ids(db, "passwords-mfa")
    lesson = courses_dir / "passwords-mfa" / "mfa-methods.md"
    lesson.write_text(lesson.read_text() + "\n\nOne more paragraph about passkeys.\n")
    result = sync(app, courses_dir)
    assert "0 added, 1 updated, 9 unchanged" in result.output
    assert item_ids(db, "passwords-mfa") == before
    body = db.session.get(LessonBody, (before["mfa-methods"], "en"))
    assert "One more paragraph about passkeys." in body.html


def test_a_broken_course_keeps_its_last_good_version(app, db, courses_dir):
    sync(app, courses_dir)
    good = db.session.scalar(select(Course.revision).where(Course.id == "reporting-incidents"))
    yaml = courses_dir / "reporting-incidents" / "course.yaml"
    yaml.write_text(yaml.read_text().replace("pass_mark:", "pasmark:", 1))
    result = sync(app, courses_dir)
    assert result.exit_code == 1
    assert "9 unchanged, 0 retired, 1 failed" in result.output
    assert "reporting-incidents/course.yaml" in result.output and "did you mean 'pass_mark'?" in result.output
    course = db.session.get(Course, "reporting-incidents")
    assert (course.revision, course.retired) == (good, False)


def test_a_removed_course_is_retired_not_deleted_and_can_come_back(app, db, client, courses_dir, tmp_path):
    sync(app, courses_dir)
    ids = item_ids(db, "ics-critical-infrastructure")
    shutil.move(courses_dir / "ics-critical-infrastructure", tmp_path / "away")
    result = sync(app, courses_dir)
    assert "0 added, 0 updated, 9 unchanged, 1 retired, 0 failed" in result.output
    course = db.session.get(Course, "ics-critical-infrastructure")
    assert course.retired is True and item_ids(db, course.id) == ids
    assert client.get("/courses/ics-critical-infrastructure").status_code == 404
    assert "ics-critical-infrastructure" not in client.get("/courses").get_data(as_text=True)
    shutil.move(tmp_path / "away", courses_dir / "ics-critical-infrastructure")
    back = sync(app, courses_dir)
    assert "0 added, 1 updated, 9 unchanged" in back.output
    assert db.session.get(Course, "ics-critical-infrastructure").retired is False
    assert item_ids(db, "ics-critical-infrastructure") == ids


def test_a_removed_lesson_is_retired_and_others_keep_their_ids(app, db, courses_dir):
    sync(app, courses_dir)
    before = item_ids(db, "passwords-mfa")
    yaml = courses_dir / "passwords-mfa" / "course.yaml"
    text = yaml.read_text()
    line = next(line for line in text.splitlines() if "lesson: account-recovery" in line)
    yaml.write_text(text.replace(line + "\n", ""))
    for suffix in (".md", ".es.md"):
        (courses_dir / "passwords-mfa" / f"account-recovery{suffix}").unlink()
    result = sync(app, courses_dir)
    assert "1 updated" in result.output, result.output
    assert item_ids(db, "passwords-mfa") == before
    retired = db.session.scalar(select(CourseItem.retired).where(CourseItem.id == before["account-recovery"]))
    assert retired is True


def test_validate_reports_problems_with_file_and_line_and_fails(app, courses_dir):
    (courses_dir / "passwords-mfa" / "check-passwords-mfa.gift").write_text("::q1:: What? {=yes ~no\n")
    result = app.test_cli_runner().invoke(args=["courses", "validate", str(courses_dir)])
    assert result.exit_code == 1
    assert "courses/passwords-mfa/check-passwords-mfa.gift:1: error: expected '}'" in result.output


def test_lessons_render_in_both_languages_with_media(app, db, client, make_user):
    sync(app, CATALOGUE)
    make_user(email="reader@example.org", language="en")
    log_in(client, "reader@example.org")
    page = client.get("/courses/phishing-social-engineering/lessons/red-flags-links-senders")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<script" not in html and 'src="/courses/phishing-social-engineering/media/' in html
    spanish = app.test_client()
    spanish.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es"
    make_user(email="lector@example.org", language="es")
    log_in(spanish, "lector@example.org")
    es_html = spanish.get("/courses/phishing-social-engineering/lessons/red-flags-links-senders").get_data(as_text=True)
    assert 'lang="es"' in es_html and es_html != html


def test_media_route_serves_only_course_media_with_safe_types(app, db, client, courses_dir):
    app.config["COURSES_DIR"] = str(courses_dir)
    try:
        sync(app, courses_dir)
        media = courses_dir / "passwords-mfa" / "media"
        png = next(media.glob("*.png"))
        ok = client.get(f"/courses/passwords-mfa/media/{png.name}")
        assert ok.status_code == 200 and ok.mimetype == "image/png"
        assert ok.headers["X-Content-Type-Options"] == "nosniff"
        (media / "diagram.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
        svg = client.get("/courses/passwords-mfa/media/diagram.svg")
        assert svg.headers["Content-Disposition"].startswith("attachment")
        for path in ("../course.yaml", "..%2Fcourse.yaml", "../../passwords-mfa/course.yaml", "nothing.png"):
            assert client.get(f"/courses/passwords-mfa/media/{path}").status_code == 404, path
        assert client.get(f"/courses/no-such-course/media/{png.name}").status_code == 404
    finally:
        app.config["COURSES_DIR"] = str(CATALOGUE)


def test_the_sync_service_loads_reports_and_retires_without_the_cli(app, db, tmp_path):
    """`course_sync.sync_tree` is the one sync loop: the CLI, tests and benchmarks call it directly."""
    from learnhub.services import course_sync

    root = tmp_path / "courses"
    shutil.copytree(CATALOGUE / "passwords-mfa", root / "passwords-mfa")
    reported: list = []
    with app.app_context():
        first = course_sync.sync_tree(root, report=reported.extend)
        again = course_sync.sync_tree(root, report=reported.extend)
        shutil.rmtree(root / "passwords-mfa")
        gone = course_sync.sync_tree(root, report=reported.extend)
    assert (first.added, again.unchanged, gone.retired) == (["passwords-mfa"], ["passwords-mfa"], ["passwords-mfa"])
    assert [str(problem) for problem in reported if problem.is_error] == []
    events = db.session.scalars(select(AuditEvent.detail).where(AuditEvent.event == "content.synced")).all()
    assert [event["added"] for event in events[-3:]] == [1, 0, 0] and events[-1]["retired"] == 1
