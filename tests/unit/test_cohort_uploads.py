"""A CSV with bad rows waits on disk for the trainer's confirmation: under a generated name, per cohort, a day
at most (services/cohort_uploads.py)."""

from __future__ import annotations

import os
import time

import pytest

from learnhub.services import cohort_uploads

DATA = b"name,email\nAna,ana@example.org\nBad,not-an-address\n"


def test_a_staged_upload_is_read_back_by_its_name_in_its_cohort_only(tmp_path):
    name = cohort_uploads.stage(tmp_path, 7, DATA)
    assert cohort_uploads.NAME.match(name) and len(name) == 32
    assert [path.name for path in tmp_path.iterdir()] == [f"7-{name}.csv"]
    assert cohort_uploads.staged(tmp_path, 7, name) == DATA
    assert cohort_uploads.staged(tmp_path, 8, name) is None  # another cohort's confirmation reads nothing


def test_every_upload_gets_a_new_name(tmp_path):
    names = {cohort_uploads.stage(tmp_path, 7, DATA) for _ in range(20)}
    assert len(names) == 20 and len(list(tmp_path.glob("*.csv"))) == 20


def test_discarding_deletes_the_file_and_may_be_repeated(tmp_path):
    name = cohort_uploads.stage(tmp_path, 7, DATA)
    cohort_uploads.discard(tmp_path, 7, name)
    assert cohort_uploads.staged(tmp_path, 7, name) is None
    assert list(tmp_path.iterdir()) == []
    cohort_uploads.discard(tmp_path, 7, name)


def test_staging_deletes_uploads_older_than_a_day_and_keeps_younger_ones(tmp_path):
    now = time.time()
    old = cohort_uploads.stage(tmp_path, 7, DATA)
    young = cohort_uploads.stage(tmp_path, 7, DATA)
    os.utime(tmp_path / f"7-{old}.csv", (now - 86_401, now - 86_401))
    os.utime(tmp_path / f"7-{young}.csv", (now - 86_000, now - 86_000))
    (tmp_path / "notes.txt").write_text("not an upload")
    newest = cohort_uploads.stage(tmp_path, 9, b"x", now=now)
    assert cohort_uploads.staged(tmp_path, 7, old) is None
    assert cohort_uploads.staged(tmp_path, 7, young) == DATA
    assert cohort_uploads.staged(tmp_path, 9, newest) == b"x"
    assert (tmp_path / "notes.txt").exists()


@pytest.mark.parametrize("name", ["../../etc/passwd", "short", "a" * 65, "a" * 31 + "/", "a" * 32 + "\n", ""])
def test_a_name_stage_never_generates_is_refused_before_it_becomes_a_path(tmp_path, name):
    with pytest.raises(ValueError, match="not a staged upload"):
        cohort_uploads.staged(tmp_path, 7, name)
    with pytest.raises(ValueError, match="not a staged upload"):
        cohort_uploads.discard(tmp_path, 7, name)
