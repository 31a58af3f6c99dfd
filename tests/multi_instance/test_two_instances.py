"""LearnHub as two instances on one PostgreSQL database and one Redis, with queue consumers and nginx in front,
started by deploy/up.sh exactly as an operator would (deploy/README.md).

One browser (one cookie jar) whose requests alternate between the two instances proves that sessions, CSRF
tokens and quiz forms signed on one instance are accepted by the other; a cohort import posted to one
instance has its invitations delivered by the consumers exactly once each; the login throttle holds when the
failures are spread over both instances.

Each run creates a database of its own (lh_multi_<random>) on the server named by LEARNHUB_TEST_DATABASE_URL,
uses Redis database LEARNHUB_TEST_REDIS_DB (default 13, emptied before and after) and free ports, and drops and
stops everything at the end. On SQLite it is skipped; on PostgreSQL without nginx or Redis it fails rather than
skip, so that CI's PostgreSQL run always covers it.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from learnhub.config import normalise_database_url
from tests.conftest import CSRF_INPUT, DEFAULT_PASSWORD, PROFILE, TEST_DATABASE_URL, make_app

pytestmark = [
    pytest.mark.multi_instance,
    pytest.mark.skipif(not TEST_DATABASE_URL.startswith(("postgres://", "postgresql")),
                       reason="several instances share a PostgreSQL database: set LEARNHUB_TEST_DATABASE_URL"),
]

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("LEARNHUB_TEST_REDIS_URL", "redis://127.0.0.1:6379")
REDIS_DB = int(os.environ.get("LEARNHUB_TEST_REDIS_DB", "13"))
COURSE = "passwords-mfa"
TRAINEE, TRAINER, TARGET = "trainee@example.org", "trainer@example.org", "target@example.org"
ITEM_LINK = re.compile(rf'href="/courses/{COURSE}/(lessons|quizzes)/([^"/?#]+)"')
TOKEN_INPUT = re.compile(r'name="token" value="([^"]+)"')
UPLOAD_INPUT = re.compile(r'name="upload"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="upload"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def nginx() -> str:
    path = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if path is None:
        pytest.fail("nginx is not installed: apt-get install nginx-light to run the multi-instance test")
    return path


def redis_database():
    import redis

    client = redis.Redis.from_url(f"{REDIS_URL}/{REDIS_DB}")
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.fail(f"Redis does not answer at {REDIS_URL} ({error}): start redis-server to run the multi-instance "
                    "test, or point LEARNHUB_TEST_REDIS_URL at one")
    return client


@dataclass
class Deployment:
    a: str  # http://127.0.0.1:PORT of each instance, and of nginx
    b: str
    front: str
    run: Path
    mail_dir: Path
    database: str  # the shared database's URL, for a sync as `learnhub courses sync` would run it


@pytest.fixture(scope="module")
def deployment(tmp_path_factory) -> Iterator[Deployment]:
    """deploy/up.sh on a database of its own with two instances, two consumers and nginx; a trainer and two
    trainees exist. Stopped (deploy/down.sh), dropped and emptied however the tests end."""
    nginx_path, store = nginx(), redis_database()
    run = tmp_path_factory.mktemp("deploy")
    # The static files nginx serves from disk, where its worker user (nobody) may read them: pytest's own
    # folders are private to the user running the tests.
    public = Path(tempfile.mkdtemp(prefix="lh_public_"))
    public.chmod(0o755)
    server_url = make_url(normalise_database_url(TEST_DATABASE_URL))
    name = f"lh_multi_{secrets.token_hex(4)}"
    server = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    database: URL = server_url.set(database=name)
    ports = [free_port() for _ in range(3)]
    env = {**os.environ, "DEPLOY_BIN": str(Path(sys.executable).parent), "DEPLOY_RUN_DIR": str(run),
           "DEPLOY_PORT": str(ports[0]), "DEPLOY_INSTANCE_PORTS": f"{ports[1]} {ports[2]}",
           "DEPLOY_REDIS_URL": REDIS_URL, "DEPLOY_REDIS_DB": str(REDIS_DB), "DEPLOY_NGINX": nginx_path,
           "DEPLOY_PUBLIC_DIR": str(public),
           "LEARNHUB_DATABASE_URL": database.render_as_string(hide_password=False)}
    for variable in ("LEARNHUB_QUEUE_URL", "LEARNHUB_RATELIMIT_STORAGE_URI", "LEARNHUB_MAIL_DIR",
                     "LEARNHUB_INSTANCE_DIR", "LEARNHUB_SECRET_KEY", "LEARNHUB_ENV", "LEARNHUB_BASE_URL"):
        env.pop(variable, None)
    store.flushdb()
    try:
        started = subprocess.run([str(ROOT / "deploy" / "up.sh")], env=env, capture_output=True, text=True,
                                 timeout=120, check=False)
        assert started.returncode == 0, f"deploy/up.sh failed: {started.stderr}{logs(run)}"
        create_accounts(database)
        yield Deployment(*(f"http://127.0.0.1:{port}" for port in (ports[1], ports[2], ports[0])), run=run,
                         mail_dir=run / "mail", database=database.render_as_string(hide_password=False))
    finally:
        subprocess.run([str(ROOT / "deploy" / "down.sh")], env=env, capture_output=True, timeout=120, check=False)
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()
        store.flushdb()
        shutil.rmtree(public, ignore_errors=True)


def logs(run: Path) -> str:
    return "".join(f"\n--- {path.name}\n{path.read_text()[-1500:]}" for path in sorted(run.glob("*.log")))


def create_accounts(database: URL) -> None:
    """The people of the tests, through the accounts service (as `learnhub users create` would)."""
    from learnhub.extensions import db
    from learnhub.services import accounts

    app = make_app(database.render_as_string(hide_password=False), Path(os.devnull).parent)
    with app.app_context():
        for email, role in ((TRAINEE, "trainee"), (TARGET, "trainee"), (TRAINER, "trainer")):
            accounts.create(email, DEFAULT_PASSWORD, accounts.Profile(**{**PROFILE, "language": "en"}), role=role,
                            verified=True)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One cookie jar for any instance (cookies are per host, not per port); answers (status, location, body)."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def request(self, url: str, data: dict | list | None = None, *, files: dict | None = None,
                headers: dict | None = None):
        body, headers = None, dict(headers or {})
        if files:
            body, headers["Content-Type"] = multipart(data or {}, files)
        elif data is not None:
            body = urllib.parse.urlencode(data, doseq=True).encode()
        try:
            with self.opener.open(urllib.request.Request(url, data=body, headers=headers),  # noqa: S310  (http://127.0.0.1)
                                  timeout=30) as answer:
                return answer.status, answer.headers.get("Location"), answer.read().decode()
        except urllib.error.HTTPError as answer:  # 3xx (not followed) and 4xx arrive here
            return answer.code, answer.headers.get("Location"), answer.read().decode()

    def get(self, url: str) -> str:
        status, _, body = self.request(url)
        assert status == 200, (url, status)
        return body

    def post(self, url: str, data: dict | list, **kwargs) -> tuple[int, str | None, str]:
        return self.request(url, data, **kwargs)


def multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = secrets.token_hex(12)
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
             for key, value in fields.items()]
    parts += [f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"; filename="{filename}"\r\n'
              f"Content-Type: text/csv\r\n\r\n".encode() + content + b"\r\n"
              for key, (filename, content) in files.items()]
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def csrf(html: str) -> str:
    match = CSRF_INPUT.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


def log_in(browser: Browser, form_from: str, post_to: str, email: str, password: str = DEFAULT_PASSWORD) -> int:
    """The login form is anonymous (no CSRF token, decision 0037): it is checked by the Origin the browser
    sends, which behind the balancer is the one public address, whichever instance served the form."""
    page = browser.get(f"{form_from}/login")
    assert 'name="password"' in page
    return browser.post(f"{post_to}/login", {"email": email, "password": password}, headers={"Origin": post_to})[0]


def first_choices(quiz_html: str) -> list[tuple[str, str]]:
    """An answer to every radio and checkbox question: its first option."""
    chosen: dict[str, str] = {}
    for tag in re.findall(r'<input[^>]*type="(?:radio|checkbox)"[^>]*>', quiz_html):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name and value:
            chosen.setdefault(name.group(1), value.group(1))
    return list(chosen.items())


def test_a_trainee_journey_alternating_between_instances_keeps_one_session(deployment):
    a, b = deployment.a, deployment.b
    browser = Browser()
    assert log_in(browser, form_from=a, post_to=b, email=TRAINEE) == 303  # A served the form, B checks the password

    course_page = browser.get(f"{a}/courses/{COURSE}")
    status, first_item, _ = browser.post(f"{b}/courses/{COURSE}/enrol", {"csrf_token": csrf(course_page)})
    assert status == 303 and f"/courses/{COURSE}/lessons/" in first_item
    items = ITEM_LINK.findall(browser.get(f"{a}/courses/{COURSE}"))
    lesson = next(key for kind, key in items if kind == "lessons")
    quiz = next(key for kind, key in items if kind == "quizzes")

    lesson_page = browser.get(f"{a}/courses/{COURSE}/lessons/{lesson}")
    status, _, _ = browser.post(f"{b}/courses/{COURSE}/lessons/{lesson}/done", {"csrf_token": csrf(lesson_page)})
    assert status == 303

    quiz_page = browser.get(f"{b}/courses/{COURSE}/quizzes/{quiz}")  # the form's token is signed by B ...
    status, attempt, _ = browser.post(f"{a}/courses/{COURSE}/quizzes/{quiz}", [  # ... and graded by A
        ("csrf_token", csrf(quiz_page)), ("token", TOKEN_INPUT.search(quiz_page).group(1)),
        *first_choices(quiz_page)])
    assert status == 303 and "/attempts/" in attempt, status
    attempt_path = urllib.parse.urlsplit(attempt).path
    assert f'href="/courses/{COURSE}"' in browser.get(f"{b}{attempt_path}")  # the review, on the other instance

    dashboard = browser.get(f"{a}/learning")
    assert re.search(r"\b1 of \d+ items", dashboard), "the lesson done on B is not in the progress A shows"
    assert f'href="{attempt_path}"' in dashboard  # the attempt graded by A, first options: a score, not passed


def test_a_cohort_import_on_one_instance_is_delivered_once_by_the_consumers(deployment):
    a, b = deployment.a, deployment.b
    trainer = Browser()
    assert log_in(trainer, form_from=b, post_to=a, email=TRAINER) == 303
    page = trainer.get(f"{b}/trainer/")
    status, cohort_url, _ = trainer.post(f"{a}/trainer/", {"csrf_token": csrf(page), "name": "Hospitales 2026",
                                                           "organisation": "MSP", "country": "DO", "language": "en"})
    assert status == 303, status
    cohort = urllib.parse.urlsplit(cohort_url).path  # /trainer/cohorts/<id>

    served: list[int] = []
    stop = threading.Event()

    def browse_b():  # B serves pages while A imports
        reader = Browser()
        while not stop.is_set():
            served.append(reader.request(f"{b}/courses")[0])

    reader = threading.Thread(target=browse_b)
    reader.start()
    try:
        clean = "name,email\n" + "".join(f"Person {i},p{i}@example.org\n" for i in range(30))
        status, _, _ = trainer.post(f"{a}{cohort}/import", {"csrf_token": csrf(trainer.get(f"{b}{cohort}"))},
                                    files={"file": ("people.csv", clean.encode())})
        assert status == 303, status
        # A file with a bad row waits for confirmation in the shared instance folder: checked on A, confirmed on B.
        mixed = ("name,email\n" + "".join(f"Person {i},p{i}@example.org\n" for i in range(30, 40))
                 + "Nobody,not-an-address\n")
        status, _, check = trainer.post(f"{a}{cohort}/import", {"csrf_token": csrf(trainer.get(f"{a}{cohort}"))},
                                        files={"file": ("more.csv", mixed.encode())})
        assert status == 200, status
        upload = UPLOAD_INPUT.search(check)
        status, _, _ = trainer.post(f"{b}{cohort}/import/confirm",
                                    {"csrf_token": csrf(check), "upload": upload.group(1) or upload.group(2)})
        assert status == 303, status
    finally:
        stop.set()
        reader.join(30)
    assert served and set(served) == {200}, Counter(served)

    expected = {f"p{i}@example.org" for i in range(40)}
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(recipients(deployment.mail_dir)) < len(expected):
        time.sleep(0.2)
    time.sleep(2)  # a duplicate, if any consumer were to send one, would arrive by now
    sent = Counter(recipients(deployment.mail_dir))
    assert set(sent) == expected and set(sent.values()) == {1}, sent


def recipients(mail_dir: Path) -> list[str]:
    return [path.read_text().split("\nTo: ", 1)[1].split("\n", 1)[0].strip() for path in mail_dir.glob("*.eml")]


def test_the_login_throttle_holds_across_both_instances(deployment):
    a, b = deployment.a, deployment.b
    attacker = Browser()
    statuses = [log_in(attacker, form_from=(a, b)[i % 2], post_to=(b, a)[i % 2], email=TARGET,
                       password=f"guess number {i}") for i in range(8)]
    assert statuses == [400] * 5 + [429] * 3  # the per-account limit (5 per minute) counted once, in the database


def test_nginx_spreads_requests_over_both_instances(deployment):
    probe = secrets.token_hex(6)
    for _ in range(6):
        with urllib.request.urlopen(f"{deployment.front}/health?probe={probe}", timeout=10) as answer:  # noqa: S310
            assert answer.status == 200
    def per_instance() -> list[int]:
        return [(deployment.run / f"gunicorn-{url.rsplit(':', 1)[1]}-access.log").read_text().count(probe)
                for url in (deployment.a, deployment.b)]

    deadline = time.monotonic() + 10  # gunicorn writes its access line after the answer has left
    while sum(per_instance()) < 6 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert per_instance() == [3, 3], per_instance()


FOREVER = "public, max-age=31536000, immutable"
STATIC_LINK = re.compile(r'href="(/static/learnhub\.[0-9a-f]{12}\.css)"')


def fetch(url: str, **headers: str) -> tuple[int, dict, bytes]:
    """One GET, nothing decoded, redirects not followed: (status, headers, body as sent)."""
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers=headers), timeout=30) as answer:  # noqa: S310  (http://127.0.0.1)
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as answer:
        return answer.code, answer.headers, answer.read()


def test_nginx_compresses_pages_styles_and_json_and_the_instances_never_do(deployment):
    import gzip

    for path, kind in (("/courses", "text/html"), ("/api/v1/openapi.json", "application/json")):
        status, plain_headers, plain = fetch(f"{deployment.front}{path}")
        assert status == 200 and plain_headers["Content-Type"].startswith(kind), (path, status)
        assert plain_headers.get("Content-Encoding") is None
        status, headers, packed = fetch(f"{deployment.front}{path}", **{"Accept-Encoding": "gzip"})
        assert status == 200 and headers["Content-Encoding"] == "gzip", path
        assert "Accept-Encoding" in headers["Vary"], path
        assert len(packed) < len(plain) / 2, (path, len(packed), len(plain))
        assert kind in headers["Content-Type"] and gzip.decompress(packed).startswith(plain[:200]), path
        _, direct, _ = fetch(f"{deployment.a}{path}", **{"Accept-Encoding": "gzip"})
        assert direct.get("Content-Encoding") is None, f"the instance compressed {path}: that is nginx's work"

    css_url = STATIC_LINK.search(fetch(f"{deployment.front}/")[2].decode()).group(1)
    _, headers, packed = fetch(f"{deployment.front}{css_url}", **{"Accept-Encoding": "gzip"})
    css = (ROOT / "learnhub" / "static" / "learnhub.css").read_bytes()
    assert headers["Content-Encoding"] == "gzip" and gzip.decompress(packed) == css
    assert len(packed) < len(css) / 2


def test_nginx_serves_fingerprinted_static_files_from_disk_kept_for_a_year(deployment):
    css_url = STATIC_LINK.search(fetch(f"{deployment.front}/")[2].decode()).group(1)
    css = (ROOT / "learnhub" / "static" / "learnhub.css").read_bytes()
    status, headers, body = fetch(f"{deployment.front}{css_url}")
    assert status == 200 and body == css
    instance_logs = "".join((deployment.run / f"gunicorn-{url.rsplit(':', 1)[1]}-access.log").read_text()
                            for url in (deployment.a, deployment.b))
    assert css_url not in instance_logs, f"nginx passed {css_url} on to an instance{logs(deployment.run)}"
    assert headers["Cache-Control"] == FOREVER and headers["Content-Type"] == "text/css"  # nginx's, no charset
    assert headers["X-Content-Type-Options"] == "nosniff" and headers.get("Set-Cookie") is None

    # Any other name is the app's: the same bytes, revalidated each time, never kept.
    for other in ("/static/learnhub.css", "/static/learnhub.000000000000.css"):
        status, headers, body = fetch(f"{deployment.front}{other}")
        assert status == 200 and body == css and headers["Cache-Control"] == "no-cache", other
        assert headers.get("Set-Cookie") is None, other
    assert fetch(f"{deployment.front}/static/nothing.000000000000.css")[0] == 404

    # Each instance answers the fingerprinted name the same way on its own (behind any other proxy).
    status, headers, body = fetch(f"{deployment.b}{css_url}")
    assert status == 200 and body == css and headers["Cache-Control"] == FOREVER


def test_course_media_through_nginx_are_kept_for_a_year_under_their_lesson_url(deployment):
    browser = Browser()
    assert log_in(browser, form_from=deployment.front, post_to=deployment.front, email=TRAINEE) == 303
    lesson = browser.get(f"{deployment.front}/courses/{COURSE}/lessons/mfa-methods")
    picture = re.search(rf'src="(/courses/{COURSE}/media/mfa-ladder-en\.[0-9a-f]{{12}}\.png)"', lesson).group(1)
    status, headers, body = fetch(f"{deployment.front}{picture}", **{"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Cache-Control"] == FOREVER and headers.get("Set-Cookie") is None
    assert headers.get("Content-Encoding") is None  # a PNG is compressed already
    assert body == (ROOT / "courses" / COURSE / "media" / "mfa-ladder-en.png").read_bytes()


def test_a_sync_on_the_shared_database_is_seen_by_both_instances_at_the_next_request(deployment, tmp_path):
    """Each instance keeps rendered pages, syllabi and lesson texts per worker (decision 0036): a sync run
    anywhere changes their key, so neither instance serves a page from before it: a logged-in page at the next
    request, a visitor's page once its worker heard the change (decision 0088)."""
    from learnhub.extensions import db
    from learnhub.services import course_sync

    course, lesson = "reporting-incidents", "what-is-an-incident"
    old_title, new_title = "Reporting a cyber incident, at work and at home", "Reporting incidents, renamed by a sync"
    learner, visitor = Browser(), Browser()
    assert log_in(learner, form_from=deployment.a, post_to=deployment.a, email=TRAINEE) == 303
    pages = ("/courses", f"/courses/{course}", f"/courses/{course}/lessons/{lesson}")

    def shown() -> list[str]:
        return [browser.get(f"{instance}{page}") for instance in (deployment.a, deployment.b)
                for browser in (learner, visitor) for page in pages
                if browser is learner or "/lessons/" not in page]  # a lesson needs a login

    assert all(old_title in page for page in shown())  # every page now in each instance's caches
    copy = tmp_path / "courses"
    shutil.copytree(ROOT / "courses", copy)
    yaml, body = copy / course / "course.yaml", copy / course / f"{lesson}.md"
    yaml.write_text(yaml.read_text().replace(f"en: {old_title}", f"en: {new_title}", 1))
    body.write_text(body.read_text() + "\n\nA sentence added by the sync on the shared database.\n")
    app = make_app(deployment.database, tmp_path)
    with app.app_context():
        summary = course_sync.sync_tree(copy)
        db.session.remove()
    assert summary.counts()["updated"] == 1, summary.counts()
    # A logged-in page reads the catalogue's version with its user, so the learner's next pages are new. A
    # visitor's page takes the version its worker heard by LISTEN (decision 0088), a moment after the commit:
    # within a few milliseconds here, waited for up to 2 s.
    deadline = time.monotonic() + 2
    while True:
        after = shown()
        fresh = [new_title in page and old_title not in page for page in after]
        learner_pages = [is_fresh for page, is_fresh in zip(after, fresh, strict=True) if "Log out" in page]
        assert len(learner_pages) == 6 and all(learner_pages), "a logged-in page from before the sync"
        if all(fresh) or time.monotonic() > deadline:
            break
        time.sleep(0.01)
    assert all(fresh)
    assert sum("A sentence added by the sync" in page for page in after) == 2  # the lesson, on A and on B


AUTHORED_YAML = """format: 1
id: {course}
title: {{en: "Authored across two instances"}}
summary: {{en: "A course written in the browser, on whichever instance answered."}}
languages: [en]
kind: awareness
level: beginner
minutes: 5
roles: []
sectors: []
certificate: false
pass_mark: 70
modules:
  - id: first
    title: {{en: First}}
    items:
      - lesson: with-an-image
"""
AUTHORED_LESSON = "---\ntitle: With an image\nminutes: 5\n---\n![A padlock](media/padlock.png)\n\n{line}\n"


def tiny_png() -> bytes:
    """A valid 1x1 PNG, made here (zlib and struct), so the test carries no binary file."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def test_a_course_authored_across_both_instances_is_one_draft_and_publishes_on_both(deployment):
    """Issue 16: drafts live in the shared database (decision 0067). A trainer uploads a course on A, saves a lesson
    through B and reads it back on A; a reviewer approves on A and publishes on B; the course, its lesson and its
    image (served from the database, decision 0074) are then on both instances."""
    import io
    import zipfile

    from learnhub.extensions import db
    from learnhub.services import accounts

    a, b = deployment.a, deployment.b
    course = f"authored-{secrets.token_hex(3)}"
    reviewer_email = f"reviewer-{secrets.token_hex(3)}@example.org"
    app = make_app(deployment.database, Path(os.devnull).parent)
    with app.app_context():
        accounts.create(reviewer_email, DEFAULT_PASSWORD, accounts.Profile(**{**PROFILE, "language": "en"}),
                        role="trainer", verified=True)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr(f"{course}/course.yaml", AUTHORED_YAML.format(course=course))
        bundle.writestr(f"{course}/with-an-image.md", AUTHORED_LESSON.format(line="Written on A."))
        bundle.writestr(f"{course}/media/padlock.png", tiny_png())

    author, reviewer = Browser(), Browser()
    assert log_in(author, form_from=a, post_to=a, email=TRAINER) == 303
    status, location, body = author.post(f"{a}/author/new/upload", {"csrf_token": csrf(author.get(f"{a}/author/"))},
                                         files={"upload-file": ("course.zip", archive.getvalue())})
    assert status == 303, body[-2000:]
    workspace = urllib.parse.urlsplit(location).path  # /author/<id>

    lesson_file = f"{workspace}/files/with-an-image.md"
    saved = AUTHORED_LESSON.format(line="Saved through B.")
    status, _, _ = author.post(f"{b}{lesson_file}", {"csrf_token": csrf(author.get(f"{b}{lesson_file}")),
                                                    "text": saved})
    assert status == 303
    assert "Saved through B." in author.get(f"{a}{lesson_file}")  # one draft, whichever instance answers
    assert "2 versions" in author.get(f"{a}{workspace}/history/with-an-image.md")

    status, _, _ = author.post(f"{a}{workspace}/members", {"csrf_token": csrf(author.get(f"{a}{workspace}")),
                                                           "member-email": reviewer_email, "member-role": "reviewer"})
    assert status == 303
    status, _, body = author.post(f"{b}{workspace}/submit", {"csrf_token": csrf(author.get(f"{b}{workspace}/submit")),
                                                             "comment": ""})
    assert status == 303, body[-2000:]
    assert log_in(reviewer, form_from=b, post_to=b, email=reviewer_email) == 303
    for instance, action in ((a, "approve"), (b, "publish")):
        step = f"{instance}{workspace}/{action}"
        status, _, body = reviewer.post(step, {"csrf_token": csrf(reviewer.get(step)), "comment": ""})
        assert status == 303, (action, body[-2000:])

    for instance in (a, b):
        assert "Authored across two instances" in Browser().get(f"{instance}/courses/{course}")
        lesson = author.get(f"{instance}/courses/{course}/lessons/with-an-image")
        assert "Saved through B." in lesson
        image = re.search(rf'src="(/courses/{course}/media/padlock\.[0-9a-f]{{12}}\.png)"', lesson).group(1)
        with urllib.request.urlopen(f"{instance}{image}", timeout=30) as answer:  # noqa: S310  (http://127.0.0.1)
            assert answer.status == 200 and answer.read() == tiny_png()
