"""Static files under fingerprinted names (decision 0041): every page links them so, they are kept for a year,
any other name still works without being kept, and none of these answers sets a cookie."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from learnhub import fingerprints
from learnhub.web import static_files
from tests.conftest import log_in, make_app

FOREVER = "public, max-age=31536000, immutable"
STATIC = Path(static_files.__file__).resolve().parent.parent / "static"
TEMPLATES = Path(static_files.__file__).resolve().parent.parent / "templates"
STATIC_LINK = re.compile(r'(?:href|src)="([^"]*/static/[^"]*)"')
HASHED = re.compile(r"/static/(?P<name>[^\"?#]+)\.(?P<digest>[0-9a-f]{12})(?P<suffix>\.[a-z0-9]+)")

ANONYMOUS_PAGES = ("/", "/courses", "/courses/passwords-mfa", "/login", "/register", "/password/forgot",
                   "/no-such-page", "/verify/NOSUCHCODE23")
ADMIN_PAGES = ("/learning", "/account/profile", "/courses/passwords-mfa/lessons/mfa-methods",
               "/courses/passwords-mfa/quizzes/check-passwords-mfa", "/trainer/", "/trainer/content",
               "/trainer/quizzes", "/reports/", "/reports/DO", "/admin/jobs", "/downloads", "/invitations")


def static_links(html: str) -> list[str]:
    return STATIC_LINK.findall(html)


def test_no_template_builds_a_static_url_without_the_fingerprint():
    for template in TEMPLATES.rglob("*.html"):
        source = template.read_text()
        assert not re.search(r"url_for\(\s*['\"]static['\"]", source), f"{template}: use static_url(...)"
        assert "/static/" not in source, f"{template}: link static files with static_url(...)"


def test_every_static_link_on_every_main_page_is_fingerprinted_and_kept_for_a_year(client, make_user):
    pages = {path: client.get(path) for path in ANONYMOUS_PAGES}
    make_user(role="admin", email="admin@example.org", language="en", countries=("DO",))
    assert log_in(client, "admin@example.org").status_code == 303
    pages |= {f"admin {path}": client.get(path) for path in ADMIN_PAGES}
    assert pages["/"].status_code == 200 and pages["admin /learning"].status_code == 200

    fetched: dict[str, bytes] = {}
    for page, response in pages.items():
        links = static_links(response.get_data(as_text=True))
        assert {link.rsplit(".", 2)[0] for link in links} >= {"/static/learnhub", "/static/favicon"}, page
        for link in links:
            match = HASHED.fullmatch(link)
            assert match, f"{page}: {link} carries no content digest"
            original = STATIC / f"{match['name']}{match['suffix']}"
            assert match["digest"] == fingerprints.file_digest(original), (page, link)
            if link not in fetched:
                answer = client.get(link)
                assert answer.status_code == 200, link
                assert answer.headers["Cache-Control"] == FOREVER, link
                assert "Set-Cookie" not in answer.headers and "Cookie" not in answer.headers.get("Vary", ""), link
                fetched[link] = answer.get_data()
                assert fetched[link] == original.read_bytes()
    assert len(fetched) == 2  # learnhub.css and favicon.svg, the same URL on every page


def test_other_names_of_a_static_file_work_but_are_revalidated(client):
    css = (STATIC / "learnhub.css").read_bytes()
    for name in ("learnhub.css", "learnhub.000000000000.css"):  # plain, and a digest of other bytes
        answer = client.get(f"/static/{name}")
        assert answer.status_code == 200 and answer.get_data() == css, name
        assert answer.headers["Cache-Control"] == "no-cache", name
        assert answer.mimetype == "text/css"
        again = client.get(f"/static/{name}", headers={"If-None-Match": answer.headers["ETag"]})
        assert again.status_code == 304, name
        assert "Set-Cookie" not in answer.headers
    for missing in ("nothing.css", "nothing.000000000000.css", "../learnhub/__init__.py", "%2e%2e/config.py"):
        assert client.get(f"/static/{missing}").status_code == 404, missing


def test_a_static_answer_to_a_signed_in_browser_sets_no_cookie(client, make_user):
    make_user(email="ana@example.org", language="en")
    log_in(client, "ana@example.org")
    page = client.get("/learning").get_data(as_text=True)
    for link in static_links(page):
        answer = client.get(link)
        assert answer.status_code == 200 and "Set-Cookie" not in answer.headers, link
        assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_the_static_url_changes_when_the_file_does(tmp_path, monkeypatch):
    """Each process reads the digests once, when its app is built; a release with other bytes links other URLs,
    and the URL of the older bytes then gets the new bytes, never kept."""
    folder = tmp_path / "static"
    shutil.copytree(STATIC, folder)
    monkeypatch.setattr(static_files, "STATIC_FOLDER", folder)
    database = f"sqlite:///{tmp_path / 'unused.db'}"

    before = make_app(database, tmp_path)
    with before.test_request_context():
        old_url = static_files.static_url("learnhub.css")
    (folder / "learnhub.css").write_text((STATIC / "learnhub.css").read_text() + "\n.new-rule { color: #000; }\n")
    with before.test_request_context():
        assert static_files.static_url("learnhub.css") == old_url  # not read again per request

    after = make_app(database, tmp_path)
    with after.test_request_context():
        new_url = static_files.static_url("learnhub.css")
        favicon_url = static_files.static_url("favicon.svg")
    assert new_url != old_url and new_url.startswith("/static/learnhub.") and new_url.endswith(".css")
    with before.test_request_context():
        assert static_files.static_url("favicon.svg") == favicon_url  # unchanged bytes, unchanged URL

    client = after.test_client()
    fresh, stale = client.get(new_url), client.get(old_url)
    assert fresh.headers["Cache-Control"] == FOREVER and b".new-rule" in fresh.get_data()
    assert stale.status_code == 200 and b".new-rule" in stale.get_data()
    assert stale.headers["Cache-Control"] == "no-cache"


def test_a_template_naming_a_missing_static_file_fails_loudly(app):
    with app.test_request_context(), pytest.raises(LookupError, match=r"'missing\.css' is not a file"):
        static_files.static_url("missing.css")


def test_collect_writes_every_static_file_under_its_fingerprinted_name_for_nginx(app, tmp_path):
    target = tmp_path / "public" / "static"
    (target).mkdir(parents=True)
    (target / "learnhub.0123456789ab.css").write_text("an older release's file")
    first = app.test_cli_runner().invoke(args=["static", "collect", str(target)])
    assert first.exit_code == 0, first.output
    assert f"static files: 4 written, 0 already there, in {target}" in first.output
    names = ("learnhub.css", "favicon.svg", "webauthn.js", "editor.js")  # passkeys (0062), editor shortcuts (0079)
    with app.test_request_context():
        urls = [static_files.static_url(name) for name in names]
    for url, name in zip(urls, names, strict=True):
        assert (target / url.removeprefix("/static/")).read_bytes() == (STATIC / name).read_bytes()
    assert (target / "learnhub.0123456789ab.css").read_text() == "an older release's file"  # kept
    assert sorted(path.name for path in target.iterdir()) == sorted(
        ["learnhub.0123456789ab.css", *(url.removeprefix("/static/") for url in urls)])  # nothing partial left

    again = app.test_cli_runner().invoke(args=["static", "collect", str(target)])
    assert "static files: 0 written, 4 already there" in again.output

    (tmp_path / "a-file").write_text("")
    refused = app.test_cli_runner().invoke(args=["static", "collect", str(tmp_path / "a-file" / "static")])
    assert refused.exit_code == 1 and "cannot write the static files into" in refused.output
