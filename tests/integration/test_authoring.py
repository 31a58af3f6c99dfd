"""Authoring in the browser, first slice (issue 16): course workspaces through the Flask client and a real
database. Create (template, copy, upload), edit with the CLI's validation by line, history, diff, restore,
download byte for byte, who may see what, and hostile zips refused with nothing written."""

from __future__ import annotations

import io
import re
import stat
import zipfile
from html import unescape
from pathlib import Path

import pytest
from sqlalchemy import func, select

from learnhub.models import AuditEvent, Course, CourseWorkspace, WorkspaceFileVersion, WorkspaceMember
from learnhub.services import course_zip
from learnhub.services.workspaces import folder_files
from tests.conftest import csrf_token, log_in, post_form
from tests.integration.test_learning import count_queries

COURSES = Path(__file__).resolve().parents[2] / "courses"
STARTERS = sorted(p.name for p in COURSES.iterdir() if (p / "course.yaml").is_file())


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def create_from_template(client, course_id="phishing-basics", title="Phishing: the basics") -> int:
    response = post_form(client, "/author/new/template", {"template-course_id": course_id, "template-title": title},
                         page="/author/")
    assert response.status_code == 303, text(response)[:2000]
    return int(re.search(r"/author/(\d+)$", response.location).group(1))


def upload(client, data: bytes, name="course.zip"):
    page = client.get("/author/").get_data(as_text=True)
    return client.post("/author/new/upload", content_type="multipart/form-data",
                       data={"csrf_token": csrf_token(page), "upload-file": (io.BytesIO(data), name)})


def save(client, workspace_id: int, path: str, content: str):
    return post_form(client, f"/author/{workspace_id}/files/{path}", {"text": content})


def counts(db) -> tuple[int, int, int]:
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (CourseWorkspace, WorkspaceMember, WorkspaceFileVersion))


def test_a_trainer_creates_a_course_from_the_template_and_it_validates(client, db, trainer):
    workspace_id = create_from_template(client)
    page = text(client.get(f"/author/{workspace_id}"))
    assert "Workspace phishing-basics created." in page
    assert "course.yaml" in page and "introduction.md" in page and "No problems" in page
    listing = text(client.get("/author/"))
    assert f'href="/author/{workspace_id}">phishing-basics</a>' in listing and "Owner" in listing
    member = db.session.get(WorkspaceMember, (workspace_id, trainer.id))
    assert member.role == "owner"
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.event == "workspace.created")).one()
    assert event.actor_id == trainer.id and event.detail["course_id"] == "phishing-basics"
    course_yaml = client.get(f"/author/{workspace_id}/files/course.yaml")
    assert 'en: "Phishing: the basics"' in text(course_yaml)


def test_a_taken_or_malformed_course_id_is_refused_naming_the_field(client, db, trainer):
    create_from_template(client)
    again = post_form(client, "/author/new/template", {"template-course_id": "phishing-basics",
                                                       "template-title": "Again"}, page="/author/")
    assert again.status_code == 400
    assert "Course id: a workspace for phishing-basics already exists." in text(again)
    bad = post_form(client, "/author/new/template", {"template-course_id": "Bad Id!", "template-title": "Kept title"},
                    page="/author/")
    assert bad.status_code == 400 and "Use 2 to 64 lowercase letters" in text(bad)
    assert 'value="Kept title"' in text(bad)  # nothing the trainer typed is lost
    assert counts(db) == (1, 1, 2)


def test_saving_adds_a_version_and_shows_the_files_problems_at_their_line(client, db, trainer):
    workspace_id = create_from_template(client)
    broken = "---\nminutes: 5\n---\nNo title anywhere.\n"
    response = save(client, workspace_id, "introduction.md", broken)
    assert response.status_code == 303
    page = text(client.get(response.location))
    assert "Saved as a new version." in page
    assert re.search(r"Error</strong>\s*line 1:\s*<span lang=\"en\">lesson has no title", page), page
    assert "1 error" in page
    workspace_page = text(client.get(f"/author/{workspace_id}"))
    assert "<code>introduction.md</code>" in workspace_page and "lesson has no title" in workspace_page

    fixed = "---\ntitle: Introduction\nminutes: 5\n---\nNow it has a title.\n"
    assert save(client, workspace_id, "introduction.md", fixed).status_code == 303
    page = text(client.get(f"/author/{workspace_id}/files/introduction.md"))
    assert "No problems" in page and "Now it has a title." in page
    unchanged = save(client, workspace_id, "introduction.md", fixed)
    assert "No changes to save." in text(client.get(unchanged.location))
    versions = db.session.scalars(select(WorkspaceFileVersion).where(
        WorkspaceFileVersion.path == "introduction.md").order_by(WorkspaceFileVersion.id)).all()
    assert [v.content.decode() for v in versions][1:] == [broken, fixed]
    assert all(v.saved_by_id == trainer.id and len(v.sha256) == 64 for v in versions)


def test_history_diff_and_restore(client, db, trainer):
    workspace_id = create_from_template(client)
    first = db.session.scalars(select(WorkspaceFileVersion).where(WorkspaceFileVersion.path == "introduction.md")).one()
    save(client, workspace_id, "introduction.md", "---\ntitle: Introduction\nminutes: 5\n---\nChanged line.\n")
    history = text(client.get(f"/author/{workspace_id}/history/introduction.md"))
    assert "2 versions" in history
    assert "Changes from version" in history
    removed = re.search(r'<tr class="diff-removed">\s*<td>5</td><td></td>.*?<code>(.*?)</code>', history, re.S)
    added = re.search(r'<tr class="diff-added">\s*<td></td><td>5</td>.*?<code>(.*?)</code>', history, re.S)
    assert removed.group(1) == "Write the lesson here, in Markdown." and added.group(1) == "Changed line."

    page = client.get(f"/author/{workspace_id}/history/introduction.md").get_data(as_text=True)
    restored = client.post(f"/author/{workspace_id}/history/introduction.md/restore",
                           data={"csrf_token": csrf_token(page), "version": first.id})
    assert restored.status_code == 303
    assert f"Version {first.id} restored as a new version." in text(client.get(restored.location))
    newest = db.session.scalars(select(WorkspaceFileVersion).where(WorkspaceFileVersion.path == "introduction.md")
                                .order_by(WorkspaceFileVersion.id.desc())).first()
    assert newest.id > first.id and newest.content == first.content
    assert "3 versions" in text(client.get(f"/author/{workspace_id}/history/introduction.md"))
    same = text(client.get(f"/author/{workspace_id}/history/introduction.md?old={first.id}&new={newest.id}"))
    assert "The two versions are identical." in same


def test_only_members_and_admins_see_a_workspace(app, client, db, trainer, make_user):
    workspace_id = create_from_template(client)
    page = client.get("/author/").get_data(as_text=True)
    urls = [f"/author/{workspace_id}", f"/author/{workspace_id}/files/course.yaml",
            f"/author/{workspace_id}/history/course.yaml", f"/author/{workspace_id}/download"]
    make_user(role="trainer", email="other@example.org")
    make_user(role="trainee", email="learner@example.org")
    make_user(role="admin", email="admin@example.org")
    for email, status in (("other@example.org", 404), ("learner@example.org", 404), ("admin@example.org", 200)):
        other = app.test_client()
        log_in(other, email)
        assert [other.get(url).status_code for url in urls] == [status] * 4, email
        listing = other.get("/author/")
        assert (f'href="/author/{workspace_id}"' in text(listing)) is (status == 200), email
    other = app.test_client()
    log_in(other, "other@example.org")
    token = csrf_token(other.get("/account/profile").get_data(as_text=True))
    assert other.post(f"/author/{workspace_id}/files/course.yaml", data={"csrf_token": token, "text": "x"}
                      ).status_code == 404
    assert other.post(f"/author/{workspace_id}/history/course.yaml/restore",
                      data={"csrf_token": token, "version": 1}).status_code == 404
    assert counts(db) == (1, 1, 2)
    assert client.get(f"/author/{workspace_id}/files/media/nothing.png").status_code == 404
    assert csrf_token(page)


def test_a_copy_of_a_synced_course_holds_its_folder(client, db, trainer):
    response = post_form(client, "/author/new/copy", {"copy-course_id": "passwords-mfa"}, page="/author/")
    assert response.status_code == 303
    workspace = db.session.scalars(select(CourseWorkspace)).one()
    stored = {v.path: v.content for v in db.session.scalars(select(WorkspaceFileVersion))}
    assert stored == folder_files(COURSES / "passwords-mfa") and "media/mfa-ladder-es.png" in stored
    page = text(client.get(f"/author/{workspace.id}"))
    assert "No problems" in page or "Warning" in page
    assert "Error</strong>" not in page


@pytest.mark.parametrize("course_id", STARTERS)
def test_each_starter_course_uploaded_then_downloaded_is_byte_identical_and_validates(
        app, client, db, trainer, course_id, tmp_path):
    files = folder_files(COURSES / course_id)
    response = upload(client, course_zip.build(course_id, files))
    assert response.status_code == 303, text(response)[:3000]
    workspace_id = int(response.location.rsplit("/", 1)[1])
    download = client.get(f"/author/{workspace_id}/download")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    assert f"{course_id}.zip" in download.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(download.data)) as archive:
        downloaded = {name.removeprefix(f"{course_id}/"): archive.read(name) for name in archive.namelist()}
        archive.extractall(tmp_path)
    assert downloaded == files
    result = app.test_cli_runner().invoke(args=["courses", "validate", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "1 courses checked: 0 errors" in result.output
    # Synced by the CLI, the download is the very course the content folder gives: the same revision.
    before = db.session.get(Course, course_id).revision
    synced = app.test_cli_runner().invoke(args=["courses", "sync", str(tmp_path)])
    assert synced.exit_code == 0, synced.output
    db.session.expire_all()
    assert db.session.get(Course, course_id).revision == before and len(before) == 64


def zip_of(entries) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


def symlink(name):
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


GOOD = ("course.yaml", b"format: 1\nid: tiny\n")
HOSTILE = {
    "traversal": ([GOOD, ("../../etc/evil.md", b"x")], "../../etc/evil.md: the path leaves its folder"),
    "absolute": ([GOOD, ("/var/evil.md", b"x")], "/var/evil.md: absolute paths are not allowed."),
    "symlink": ([GOOD, (symlink("media/key.png"), b"/root/.ssh/id_rsa")], "media/key.png: symbolic links"),
    "bomb": ([GOOD, ("media/bomb.txt", b"0" * (30 * 1024 * 1024))], "media/bomb.txt: compressed more than 100"),
    "10,000 files": ([GOOD, *((f"media/{n}.txt", b"") for n in range(10_000))],
                     "The archive holds 10001 files; a course may have at most 2000."),
    "wrong type": ([GOOD, ("media/tool.exe", b"MZ")], "media/tool.exe: this type of file is not part of a course"),
    "not a zip": (None, "This file is not a .zip archive."),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_zips_are_refused_with_a_clear_message_and_nothing_written(client, db, trainer, name, tmp_path):
    entries, expected = HOSTILE[name]
    response = upload(client, zip_of(entries) if entries else b"MZ\x90\x00 an executable")
    assert response.status_code == 400
    page = text(response)
    assert "The archive was not used; nothing was saved:" in page
    assert f"<li>{expected}" in page, page[page.find("nothing was saved"):][:800]
    assert counts(db) == (0, 0, 0)


def test_a_zip_whose_course_exists_already_is_refused(client, db, trainer):
    create_from_template(client, "tiny")
    response = upload(client, zip_of([("tiny/course.yaml", b"format: 1\nid: tiny\n")]))
    assert response.status_code == 400
    assert "Course id: a workspace for tiny already exists." in text(response)
    assert counts(db) == (1, 1, 2)


def test_the_workspace_page_reads_a_fixed_number_of_queries(client, db, trainer):
    response = post_form(client, "/author/new/copy", {"copy-course_id": "reporting-incidents"}, page="/author/")
    workspace_id = int(response.location.rsplit("/", 1)[1])
    for url in (f"/author/{workspace_id}", "/author/", f"/author/{workspace_id}/history/course.yaml"):
        statements, stop = count_queries(db)
        try:
            assert client.get(url).status_code == 200
        finally:
            stop()
        assert len(statements) <= 8, (url, len(statements), statements)
