"""Fingerprinted names (learnhub.fingerprints) and the static files' manifest built from them."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from learnhub import fingerprints
from learnhub.web.static_files import StaticFiles

DIGEST = "3f9a1c2b4d5e"


@pytest.mark.parametrize(("name", "hashed"), [
    ("learnhub.css", f"learnhub.{DIGEST}.css"),
    ("css/site.min.css", f"css/site.min.{DIGEST}.css"),
    ("LICENSE", f"LICENSE.{DIGEST}"),
    ("photos/red flags.png", f"photos/red flags.{DIGEST}.png"),
    ("archive.tar.gz", f"archive.tar.{DIGEST}.gz"),
    (f"odd.{DIGEST}", f"odd.{DIGEST}.{DIGEST}"),  # a suffix that looks like a digest still comes back
])
def test_the_digest_goes_before_the_last_suffix_and_comes_back_out(name, hashed):
    assert fingerprints.hashed_name(name, DIGEST) == hashed
    assert fingerprints.split_hashed_name(hashed) == (name, DIGEST)


@pytest.mark.parametrize("name", ["learnhub.css", "css/site.css", "LICENSE", "a.3f9a1c2b4d5.css", "a.3F9A1C2B4D5E.css",
                                  "a.3f9a1c2b4d5e0.css", ".3f9a1c2b4d5e.css", "dir.3f9a1c2b4d5e/x"])
def test_names_without_a_digest_are_not_taken_for_hashed_ones(name):
    assert fingerprints.split_hashed_name(name) is None


@given(st.lists(st.text(alphabet="abcXYZ09-_ ", min_size=1, max_size=8), min_size=1, max_size=4),
       st.text(alphabet="0123456789abcdef", min_size=12, max_size=12))
def test_any_name_round_trips(segments, digest):
    name = "/".join([*segments[:-1], segments[-1] + ".png"]) if len(segments) % 2 else "/".join(segments)
    assert fingerprints.split_hashed_name(fingerprints.hashed_name(name, digest)) == (name, digest)


def test_the_digest_is_the_start_of_the_sha256_of_the_bytes(tmp_path):
    path = tmp_path / "site.css"
    path.write_bytes(b"body { color: #111; }\n")
    assert fingerprints.file_digest(path) == hashlib.sha256(b"body { color: #111; }\n").hexdigest()[:12]


def test_the_remembered_digest_follows_a_change_of_the_file(tmp_path):
    path = tmp_path / "picture.png"
    path.write_bytes(b"first")
    first = fingerprints.current_digest(path)
    path.write_bytes(b"second, longer")  # another size, so another key even within one mtime tick
    assert fingerprints.current_digest(path) == fingerprints.file_digest(path) != first


def test_the_manifest_names_every_file_by_its_content_read_once(tmp_path):
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "site.css").write_text("a { color: red; }")
    (tmp_path / "favicon.svg").write_text("<svg/>")
    (tmp_path / ".hidden").write_text("secret")
    manifest = StaticFiles(tmp_path)
    css = manifest.hashed_name("css/site.css")
    assert css == f"css/site.{hashlib.sha256(b'a { color: red; }').hexdigest()[:12]}.css"
    assert set(manifest.hashed) == {"css/site.css", "favicon.svg"}
    with pytest.raises(LookupError, match=r"'nothing\.css' is not a file under"):
        manifest.hashed_name("nothing.css")

    (tmp_path / "css" / "site.css").write_text("a { color: blue; }")
    assert manifest.hashed_name("css/site.css") == css  # read when built, not per request
    assert StaticFiles(tmp_path).hashed_name("css/site.css") != css  # the next process names the new bytes


def test_the_manifest_finds_current_stale_and_plain_names(tmp_path):
    tmp_path = tmp_path.resolve()
    (tmp_path / "site.css").write_text("a {}")
    manifest = StaticFiles(tmp_path)
    current = manifest.hashed_name("site.css")
    assert manifest.find(current) == fingerprints.Found(tmp_path / "site.css", current=True)
    assert manifest.find("site.000000000000.css") == fingerprints.Found(tmp_path / "site.css", current=False)
    assert manifest.find("site.css") == fingerprints.Found(tmp_path / "site.css", current=False)
    for unknown in ("other.css", "other.000000000000.css", "../site.css", ".hidden", ""):
        assert manifest.find(unknown) is None, unknown
