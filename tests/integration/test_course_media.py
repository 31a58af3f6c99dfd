"""Course media under fingerprinted names (decision 0041): lessons link each file by the digest of the bytes
they were synced with, kept for a year; after the file changes, the old name gets the new bytes, never kept."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select, update

from learnhub import fingerprints
from learnhub.models import Course, CourseItem, LessonBody, QuizQuestion
from tests.conftest import log_in
from tests.integration.learning_helpers import app_with_own_database

CATALOGUE = Path(__file__).resolve().parents[2] / "courses"
FOREVER = "public, max-age=31536000, immutable"
COURSE, LESSON, PICTURE = "passwords-mfa", "mfa-methods", "mfa-ladder-en.png"
MEDIA_SRC = re.compile(rf'src="(/courses/{COURSE}/media/[^"]+)"')

COURSES = len([folder for folder in (Path(__file__).resolve().parents[2] / "courses").iterdir()
               if (folder / "course.yaml").is_file()])


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """An app on a database without courses: each test syncs its own copy of the catalogue (rolled back)."""
    from learnhub.extensions import db

    application = app_with_own_database(tmp_path_factory, "course_media", courses=False)
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def courses_dir(app, tmp_path) -> Path:
    """A private copy of the catalogue, served by the app's media route for the test."""
    target = tmp_path / "courses"
    shutil.copytree(CATALOGUE, target)
    app.config["COURSES_DIR"] = str(target)
    yield target
    app.config["COURSES_DIR"] = str(CATALOGUE)


def sync(app, folder: Path) -> str:
    result = app.test_cli_runner().invoke(args=["courses", "sync", str(folder)])
    assert result.exit_code == 0, result.output
    return result.output


def lesson_html(db) -> str:
    return db.session.scalar(select(LessonBody.html).join(CourseItem, LessonBody.item_id == CourseItem.id).where(
        CourseItem.course_id == COURSE, CourseItem.key == LESSON, LessonBody.language == "en"))


def picture_url(db) -> str:
    urls = MEDIA_SRC.findall(lesson_html(db))
    assert len(urls) == 1, urls
    return urls[0]


def test_a_lesson_links_its_picture_by_digest_and_the_picture_is_kept_for_a_year(app, db, client, make_user,
                                                                                  courses_dir):
    sync(app, courses_dir)
    picture = courses_dir / COURSE / "media" / PICTURE
    url = picture_url(db)
    assert url == f"/courses/{COURSE}/media/mfa-ladder-en.{fingerprints.file_digest(picture)}.png"

    make_user(email="reader@example.org", language="en")
    log_in(client, "reader@example.org")
    page = client.get(f"/courses/{COURSE}/lessons/{LESSON}").get_data(as_text=True)
    assert f'src="{url}"' in page

    answer = client.get(url)
    assert answer.status_code == 200 and answer.mimetype == "image/png"
    assert answer.get_data() == picture.read_bytes()
    assert answer.headers["Cache-Control"] == FOREVER
    assert answer.headers.getlist("Content-Security-Policy") == ["default-src 'none'; sandbox"]  # the view's, alone
    assert "Set-Cookie" not in answer.headers and "Cookie" not in answer.headers.get("Vary", "")


def test_after_the_picture_changes_its_old_url_gets_the_new_bytes_never_kept(app, db, client, courses_dir):
    sync(app, courses_dir)
    old_url = picture_url(db)
    picture = courses_dir / COURSE / "media" / PICTURE
    picture.write_bytes(picture.read_bytes() + b"\0another version")

    # On disk already, not yet synced: the lesson still links the old digest, which no longer names these bytes.
    stale = client.get(old_url)
    assert stale.status_code == 200 and stale.get_data() == picture.read_bytes()
    assert stale.headers["Cache-Control"] == "no-cache"

    assert f"0 added, 1 updated, {COURSES - 1} unchanged" in sync(app, courses_dir)
    new_url = picture_url(db)
    assert new_url != old_url and fingerprints.file_digest(picture) in new_url
    fresh = client.get(new_url)
    assert fresh.headers["Cache-Control"] == FOREVER and fresh.get_data() == picture.read_bytes()
    again = client.get(old_url)
    assert again.headers["Cache-Control"] == "no-cache" and again.get_data() == picture.read_bytes()


def test_plain_and_unknown_media_names(app, db, client, courses_dir):
    sync(app, courses_dir)
    plain = client.get(f"/courses/{COURSE}/media/{PICTURE}")  # lessons stored before digests; typed links
    assert plain.status_code == 200 and plain.headers["Cache-Control"] == "no-cache"
    assert client.get(f"/courses/{COURSE}/media/{PICTURE}", headers={"If-None-Match": plain.headers["ETag"]}
                      ).status_code == 304
    for missing in ("nothing.000000000000.png", "mfa-ladder-en.000000000000.gif", "../course.000000000000.yaml",
                    "..%2Fcourse.000000000000.yaml"):
        assert client.get(f"/courses/{COURSE}/media/{missing}").status_code == 404, missing
    assert client.get("/courses/no-such-course/media/mfa-ladder-en.000000000000.png").status_code == 404


def test_lessons_stored_by_an_older_release_are_stored_again_by_the_next_sync(app, db, courses_dir):
    """A database synced before media URLs carried digests: its lessons have plain URLs and its folder
    fingerprints were computed without content.revision.RENDERING, so the next sync reads every course."""
    sync(app, courses_dir)
    hashed = picture_url(db)
    plain = f"/courses/{COURSE}/media/{PICTURE}"
    revision, synced_at = db.session.execute(select(Course.revision, Course.synced_at).where(Course.id == COURSE)).one()
    body = db.session.scalar(select(LessonBody).join(CourseItem, LessonBody.item_id == CourseItem.id).where(
        CourseItem.course_id == COURSE, CourseItem.key == LESSON, LessonBody.language == "en"))
    body.html = body.html.replace(hashed, plain)
    db.session.execute(update(Course).values(source_hash="fingerprint of an older release"))
    db.session.commit()

    output = sync(app, courses_dir)
    assert f"0 added, 1 updated, {COURSES - 1} unchanged" in output  # only the course whose stored lesson differs
    assert picture_url(db) == hashed
    course = db.session.execute(select(Course.revision, Course.synced_at).where(Course.id == COURSE)).one()
    assert course.revision == revision and course.synced_at > synced_at  # same content: open quiz forms stay valid
    assert f"0 updated, {COURSES} unchanged" in sync(app, courses_dir)


def test_a_question_stored_differently_is_stored_again(app, db, courses_dir):
    sync(app, courses_dir)
    question = db.session.scalars(select(QuizQuestion).join(CourseItem, QuizQuestion.item_id == CourseItem.id)
                                  .where(CourseItem.course_id == COURSE)).first()
    right = question.revision
    question.revision = "stored by an older release"
    db.session.execute(update(Course).where(Course.id == COURSE).values(source_hash="older"))
    db.session.commit()
    assert f"0 added, 1 updated, {COURSES - 1} unchanged" in sync(app, courses_dir)
    assert db.session.get(QuizQuestion, question.id).revision == right
