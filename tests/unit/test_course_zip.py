"""Uploaded course zips: the hostile corpus is refused with a message naming the entry, before any entry is
decompressed; every starter course survives a zip round trip byte for byte (issue 16)."""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path

import pytest

from learnhub.services import course_zip
from learnhub.services.workspaces import folder_files

COURSES = Path(__file__).resolve().parents[2] / "courses"
STARTERS = sorted(p.name for p in COURSES.iterdir() if (p / "course.yaml").is_file())
COURSE_YAML = b"format: 1\nid: tiny\n"


def make_zip(entries, compression=zipfile.ZIP_DEFLATED) -> bytes:
    """entries: (name, bytes) or (ZipInfo, bytes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


def link(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


def refusal(data: bytes) -> list[str]:
    with pytest.raises(course_zip.ZipRefused) as refused:
        course_zip.read_upload(data)
    return [str(message) for message in refused.value.messages]


HOSTILE = {
    "traversal": ([("course.yaml", COURSE_YAML), ("../evil.md", b"x")],
                  "../evil.md: the path leaves its folder (.., . or an empty part)."),
    "traversal inside": ([("course.yaml", COURSE_YAML), ("media/../../evil.png", b"x")],
                         "media/../../evil.png: the path leaves its folder"),
    "absolute": ([("course.yaml", COURSE_YAML), ("/etc/passwd.md", b"x")],
                 "/etc/passwd.md: absolute paths are not allowed."),
    "drive letter": ([("course.yaml", COURSE_YAML), ("C:/evil.md", b"x")], "C:/evil.md: absolute paths"),
    "backslash": ([("course.yaml", COURSE_YAML), ("..\\evil.md", b"x")],
                  "..\\evil.md: backslashes are not allowed in names"),
    "symlink": ([("course.yaml", COURSE_YAML), (link("media/passwd.png"), b"/etc/passwd")],
                "media/passwd.png: symbolic links are not allowed."),
    "executable": ([("course.yaml", COURSE_YAML), ("run.sh", b"#!/bin/sh\n")],
                   "run.sh: this type of file is not part of a course"),
    "html": ([("course.yaml", COURSE_YAML), ("media/page.html", b"<script>")],
             "media/page.html: this type of file is not part of a course"),
    "python at the top": ([("course.yaml", COURSE_YAML), ("setup.py", b"")], "setup.py: this type of file"),
    "hidden": ([("course.yaml", COURSE_YAML), (".git/config", b"")], ".git/config: hidden files"),
    "no course.yaml": ([("lesson.md", b"# Hi\n")], "The archive has no course.yaml"),
    "duplicate": ([("course.yaml", COURSE_YAML), ("course.yaml", COURSE_YAML)],
                  "course.yaml: this name appears twice in the archive."),
}


@pytest.mark.filterwarnings("ignore:Duplicate name")
@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_entries_are_refused_naming_the_entry(name):
    entries, expected = HOSTILE[name]
    messages = refusal(make_zip(entries))
    assert any(message.startswith(expected) for message in messages), messages


def test_a_zip_bomb_is_refused_by_its_ratio_before_it_is_decompressed():
    bomb = make_zip([("course.yaml", COURSE_YAML), ("media/zeros.txt", b"\0" * (20 * 1024 * 1024))])
    assert len(bomb) < 100_000
    assert refusal(bomb) == ["media/zeros.txt: compressed more than 100 times; this looks like a zip bomb."]


def test_files_too_large_together_are_refused_by_their_declared_size(monkeypatch):
    monkeypatch.setattr(course_zip, "MAX_ZIP_BYTES", 10**9)  # stored, so the upload is as large as its files
    entries = [("course.yaml", COURSE_YAML)] + [(f"media/part-{n}.txt", bytes(range(256)) * 4096 * 17)
                                                for n in range(4)]  # 4 x 17 MB, ratio 1
    assert refusal(make_zip(entries, zipfile.ZIP_STORED)) == [
        "The files add up to 68 MB once extracted; the limit is 64 MB."]


def test_ten_thousand_files_are_refused_with_one_message():
    entries = [("course.yaml", COURSE_YAML)] + [(f"media/{n}.txt", b"") for n in range(10_000)]
    assert refusal(make_zip(entries, zipfile.ZIP_STORED)) == [
        "The archive holds 10001 files; a course may have at most 2000."]


def test_an_upload_over_the_size_limit_and_a_file_that_is_no_zip_are_refused():
    assert refusal(b"x" * (course_zip.MAX_ZIP_BYTES + 1)) == ["The file is larger than 8 MB."]
    assert refusal(b"PK\x03\x04 not really a zip") == ["This file is not a .zip archive."]


def test_a_lying_entry_is_refused_as_damaged():
    data = bytearray(make_zip([("course.yaml", COURSE_YAML), ("lesson.md", b"# Lesson\n" * 50)],
                              zipfile.ZIP_STORED))
    start = data.index(b"# Lesson")
    data[start] = ord("X")  # the CRC no longer matches
    assert refusal(bytes(data)) == ["lesson.md: this entry is damaged and cannot be read."]


def test_many_problems_are_shortened():
    entries = [("course.yaml", COURSE_YAML)] + [(f"bad-{n}.exe", b"") for n in range(30)]
    messages = refusal(make_zip(entries))
    assert len(messages) == 21 and messages[-1] == "… and 10 more problems."


def test_a_folder_zip_and_a_flat_zip_are_both_accepted_and_archive_litter_is_skipped():
    flat = course_zip.read_upload(make_zip([("course.yaml", COURSE_YAML), ("a.md", b"A"),
                                            ("__MACOSX/._a.md", b"junk"), (".DS_Store", b"junk")]))
    assert flat.files == {"course.yaml": COURSE_YAML, "a.md": b"A"} and flat.folder is None
    nested = course_zip.read_upload(make_zip([("tiny/course.yaml", COURSE_YAML), ("tiny/media/x.png", b"P"),
                                              ("tiny/", b"")]))
    assert nested.files == {"course.yaml": COURSE_YAML, "media/x.png": b"P"} and nested.folder == "tiny"


@pytest.mark.parametrize("path, allowed", [
    ("course.yaml", True), ("lesson.es.md", True), ("quiz.gift", True), ("media/a/b.png", True),
    ("media/CREDITS.yaml", True), ("README.md", True), ("LICENSE", True), ("media/x.svg", True),
    ("other.yaml", False), ("media/x.exe", False), ("lessons/a.md", False), ("media", False), ("a.html", False),
])
def test_the_types_course_format_v1_allows(path, allowed):
    assert (course_zip.path_problem(path) is None) is allowed


@pytest.mark.parametrize("course_id", STARTERS)
def test_every_starter_course_round_trips_through_a_zip_byte_for_byte(course_id):
    files = folder_files(COURSES / course_id)
    on_disk = {p.relative_to(COURSES / course_id).as_posix() for p in (COURSES / course_id).rglob("*") if p.is_file()}
    assert set(files) == on_disk  # every file of a starter course is a type the format allows
    built = course_zip.build(course_id, files)
    assert course_zip.build(course_id, files) == built  # same files, same zip
    upload = course_zip.read_upload(built)
    assert upload.folder == course_id and upload.files == files
