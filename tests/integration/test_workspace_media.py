"""Media of a course workspace (issue 16, decision 0078) through the Flask client on a real database: upload,
replace, delete and restore as versions, type and size refusals, who may change media, the draft's zip and
validation, missing alt text at its line, and a published course serving the uploaded image."""

from __future__ import annotations

import io
import re
import zipfile

from sqlalchemy import select

from learnhub.models import CourseWorkspace, WorkspaceFileVersion
from learnhub.services import workspace_media
from tests.conftest import csrf_token, post_form
from tests.integration.test_authoring import create_from_template, save, text
from tests.integration.test_authoring_review import add_member, as_user, review_and_publish
from tests.integration.test_learning import count_queries

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde" \
      b"\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
LESSON = "---\ntitle: Introduction\nminutes: 5\n---\nLook:\n\n{image}\n"


def upload(client, workspace_id: int, name: str, data: bytes, folder: str = ""):
    page = client.get(f"/author/{workspace_id}/media").get_data(as_text=True)
    return client.post(f"/author/{workspace_id}/media", content_type="multipart/form-data",
                       data={"csrf_token": csrf_token(page), "upload-folder": folder,
                             "upload-file": (io.BytesIO(data), name)})


def replace(client, workspace_id: int, path: str, data: bytes):
    page = client.get(f"/author/{workspace_id}/media").get_data(as_text=True)
    return client.post(f"/author/{workspace_id}/media/replace", content_type="multipart/form-data",
                       data={"csrf_token": csrf_token(page), "replace-path": path,
                             "replace-file": (io.BytesIO(data), "any-name.png")})


def act(client, workspace_id: int, action: str, path: str):
    return post_form(client, f"/author/{workspace_id}/media/{action}", {"path-path": path},
                     page=f"/author/{workspace_id}/media")


def versions(db, path: str) -> list[tuple[int, str]]:
    return [(v.size, v.sha256) for v in db.session.scalars(
        select(WorkspaceFileVersion).where(WorkspaceFileVersion.path == path).order_by(WorkspaceFileVersion.id))]


def zip_names(client, workspace_id: int) -> list[str]:
    return sorted(zipfile.ZipFile(io.BytesIO(client.get(f"/author/{workspace_id}/download").data)).namelist())


def test_upload_replace_delete_and_restore_are_versions_and_leave_the_zip(client, db, trainer):
    workspace_id = create_from_template(client)
    response = upload(client, workspace_id, "phish.png", PNG, folder="diagrams")
    assert response.status_code == 303 and response.location.endswith(f"/author/{workspace_id}/media")
    assert "media/diagrams/phish.png uploaded." in text(client.get(response.location))
    assert zip_names(client, workspace_id) == ["phishing-basics/course.yaml", "phishing-basics/introduction.md",
                                               "phishing-basics/media/diagrams/phish.png"]
    served = client.get(f"/author/{workspace_id}/media/file/media/diagrams/phish.png")
    assert (served.status_code, served.mimetype, served.data) == (200, "image/png", PNG)
    assert served.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert "no-store" in served.headers["Cache-Control"]
    # The same name again is refused: replacing is explicit.
    again = upload(client, workspace_id, "phish.png", PNG, folder="diagrams")
    assert again.status_code == 400
    assert "media/diagrams/phish.png: a file of this name exists; use Replace on its row" in text(again)

    other = PNG + b"\x00"
    assert replace(client, workspace_id, "media/diagrams/phish.png", other).status_code == 303
    assert replace(client, workspace_id, "media/diagrams/phish.png", JPEG).status_code == 400
    assert act(client, workspace_id, "delete", "media/diagrams/phish.png").status_code == 303
    path = "media/diagrams/phish.png"
    assert [size for size, _ in versions(db, path)] == [len(PNG), len(other), 0]
    assert versions(db, path)[-1][1] == "deleted"
    page = text(client.get(f"/author/{workspace_id}/media"))
    assert "No media files yet." in page and "Deleted files" in page
    assert zip_names(client, workspace_id) == ["phishing-basics/course.yaml", "phishing-basics/introduction.md"]
    assert client.get(f"/author/{workspace_id}/media/file/{path}").status_code == 404
    # Restored: the last version before the deletion is the newest again.
    assert act(client, workspace_id, "restore", path).status_code == 303
    assert [size for size, _ in versions(db, path)] == [len(PNG), len(other), 0, len(other)]
    assert "phishing-basics/media/diagrams/phish.png" in zip_names(client, workspace_id)
    # The history lists every version, the deletion too; the first one can be opened and restored.
    history = text(client.get(f"/author/{workspace_id}/media/history/{path}"))
    assert "4 versions" in history and history.count("<td>Deleted</td>") == 1
    first = db.session.scalars(select(WorkspaceFileVersion.id).where(WorkspaceFileVersion.path == path)
                               .order_by(WorkspaceFileVersion.id)).first()
    assert client.get(f"/author/{workspace_id}/media/file/{path}?version={first}").data == PNG
    restored = post_form(client, f"/author/{workspace_id}/media/restore", {"path-path": path, "path-version": first},
                         page=f"/author/{workspace_id}/media/history/{path}")
    assert restored.status_code == 303
    assert client.get(f"/author/{workspace_id}/media/file/{path}").data == PNG
    assert [size for size, _ in versions(db, path)] == [len(PNG), len(other), 0, len(other), len(PNG)]


def test_wrong_types_names_and_sizes_are_refused_naming_the_file_and_the_limit(client, db, trainer, monkeypatch):
    workspace_id = create_from_template(client)
    refused = upload(client, workspace_id, "photo.png", JPEG)
    assert refused.status_code == 400
    assert "media/photo.png: the name says PNG, but the content is JPEG; rename the file or export it again." in (
        text(refused))
    assert "media/x.exe: this type of file is not part of a course" in text(upload(client, workspace_id, "x.exe", PNG))
    assert "Subfolder: use up to 40 lowercase letters" in text(upload(client, workspace_id, "a.png", PNG, "../up"))
    hostile = upload(client, workspace_id, "d.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="x()"/>')
    assert "media/d.svg: the SVG is refused because it contains an event handler onload on <svg>." in text(hostile)
    monkeypatch.setattr(workspace_media, "MAX_FILE_BYTES", 40)
    big = upload(client, workspace_id, "big.png", PNG + b"\x00" * 100)
    assert "media/big.png: the file is 0.0 MB; a media file may be at most 0.0 MB." in text(big)
    monkeypatch.setattr(workspace_media, "MAX_FILE_BYTES", 10_000)
    monkeypatch.setattr(workspace_media, "MAX_TOTAL_BYTES", 150)
    assert upload(client, workspace_id, "one.png", PNG).status_code == 303
    full = upload(client, workspace_id, "two.png", PNG + b"\x00" * 60)
    assert full.status_code == 400
    assert "media/two.png: with it, the media of this course would add up to 0.0 MB; the limit is 0.0 MB." in text(full)
    assert [v.path for v in db.session.scalars(select(WorkspaceFileVersion).where(
        WorkspaceFileVersion.path.startswith("media/")))] == ["media/one.png"]


def test_reviewers_read_media_and_others_get_404(app, client, db, trainer, make_user):
    workspace_id = create_from_template(client)
    assert upload(client, workspace_id, "a.png", PNG).status_code == 303
    make_user(role="trainer", email="reviewer@example.org", language="en")
    make_user(role="trainer", email="stranger@example.org", language="en")
    add_member(client, workspace_id, "reviewer@example.org", "reviewer")
    review, stranger = as_user(app, "reviewer@example.org"), as_user(app, "stranger@example.org")
    page = text(review.get(f"/author/{workspace_id}/media"))
    assert "media/a.png" in page and "You review this course: you can see its media but not change them." in page
    assert upload(review, workspace_id, "b.png", PNG).status_code == 403
    assert act(review, workspace_id, "delete", "media/a.png").status_code == 403
    assert stranger.get(f"/author/{workspace_id}/media").status_code == 404
    assert stranger.get(f"/author/{workspace_id}/media/file/media/a.png").status_code == 404


def test_missing_alt_text_is_shown_at_its_line_and_on_the_media_page(client, db, trainer):
    workspace_id = create_from_template(client)
    assert upload(client, workspace_id, "red-flags.png", PNG).status_code == 303
    assert save(client, workspace_id, "introduction.md",
                LESSON.format(image="![](media/red-flags.png)")).status_code == 303
    editor = text(client.get(f"/author/{workspace_id}/files/introduction.md"))
    assert "To show an uploaded image, write ![alt text](media/name.png)." in editor
    assert re.search(r"<strong>Error</strong>\s*line 7:\s*<span lang=\"en\">image 'media/red-flags.png' has no alt "
                     r"text: describe it for learners who cannot see it, as in !\[what the picture shows\]"
                     r"\(media/red-flags.png\)</span>", editor)
    assert "<code>7 | ![](media/red-flags.png)</code>" in editor
    media = text(client.get(f"/author/{workspace_id}/media"))
    assert "<code>introduction.md</code></a> line 7:" in media and "used without alt text" in media
    assert save(client, workspace_id, "introduction.md",
                LESSON.format(image="![Three red flags](media/red-flags.png)")).status_code == 303
    media = text(client.get(f"/author/{workspace_id}/media"))
    assert "<q>Three red flags</q>" in media and "used without alt text" not in media


def test_a_media_change_reopens_and_a_published_course_serves_the_uploaded_image(app, client, db, trainer,
                                                                               make_user):
    workspace_id = create_from_template(client)
    assert upload(client, workspace_id, "red-flags.png", PNG).status_code == 303
    save(client, workspace_id, "introduction.md", LESSON.format(image="![Three red flags](media/red-flags.png)"))
    make_user(role="trainer", email="reviewer@example.org", language="en")
    add_member(client, workspace_id, "reviewer@example.org", "reviewer")
    review_and_publish(client, as_user(app, "reviewer@example.org"), workspace_id)
    learner = make_user(email="learner@example.org", language="en")
    assert learner
    student = as_user(app, "learner@example.org")
    image = student.get("/courses/phishing-basics/media/red-flags.png")
    assert (image.status_code, image.mimetype, image.data) == (200, "image/png", PNG)
    # Replacing the picture returns the workspace to draft; the live one stays until the next publication.
    response = replace(client, workspace_id, "media/red-flags.png", PNG + b"\x00")
    assert response.status_code == 303
    assert "Saving returned the workspace to draft" in text(client.get(response.location))
    db.session.expire_all()
    assert db.session.get(CourseWorkspace, workspace_id).state == "draft"
    assert student.get("/courses/phishing-basics/media/red-flags.png").data == PNG


def test_the_media_page_reads_a_fixed_number_of_queries(client, db, trainer):
    workspace_id = create_from_template(client)
    upload(client, workspace_id, "a.png", PNG)
    few, stop = count_queries(db)
    client.get(f"/author/{workspace_id}/media")
    stop()
    for name in ("b.png", "c.png", "d.png"):
        upload(client, workspace_id, name, PNG)
    act(client, workspace_id, "delete", "media/a.png")
    many, stop = count_queries(db)
    assert client.get(f"/author/{workspace_id}/media").status_code == 200
    stop()
    assert len(many) == len(few)


def test_an_svg_is_stored_cleaned_and_offered_as_a_download(client, db, trainer):
    workspace_id = create_from_template(client)
    drawing = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"><!-- x -->'
               b'<metadata>editor</metadata><circle r="2"/></svg>')
    assert upload(client, workspace_id, "dot.svg", drawing).status_code == 303
    stored = db.session.scalars(select(WorkspaceFileVersion).where(WorkspaceFileVersion.path == "media/dot.svg")).one()
    assert stored.content == b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"><circle r="2"/></svg>\n'
    served = client.get(f"/author/{workspace_id}/media/file/media/dot.svg")
    assert served.headers["Content-Disposition"].startswith("attachment")
    page = text(client.get(f"/author/{workspace_id}/media"))
    assert "<td>SVG</td>" in page and "0.0 MB of 6.0 MB used." in page
