"""Each broken course in corpus/courses/ yields exactly the problems listed in its expected.txt.

A case is a course folder; expected.txt holds every `path:line: level: message` line it must produce,
in order (paths relative to corpus/, as `validate` prints them from the repository root). The root also
holds a README.md, a LICENSE and a hidden folder, which load_tree must skip.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from learnhub.content.loader import load_tree

CORPUS = Path(__file__).parent / "corpus" / "courses"
CASES = sorted(entry.name for entry in CORPUS.iterdir() if entry.is_dir() and not entry.name.startswith("."))


@pytest.fixture(scope="module")
def tree():
    return load_tree(CORPUS)


def test_the_corpus_has_at_least_thirty_cases():
    assert len(CASES) >= 30


def test_load_tree_returns_one_entry_per_course_folder_and_skips_files_and_hidden_folders(tree):
    assert sorted(tree) == CASES
    assert (CORPUS / "README.md").is_file()
    assert (CORPUS / ".hidden-draft" / "course.yaml").is_file()


@pytest.mark.parametrize("case", CASES)
def test_each_case_yields_exactly_its_expected_problems(tree, case):
    expected = (CORPUS / case / "expected.txt").read_text(encoding="utf-8").splitlines()
    course, problems = tree[case]
    assert [str(problem) for problem in problems] == expected
    assert expected, "every case must break something"
    assert (course is None) == any(": error: " in line for line in expected)


def test_cases_that_only_warn_still_load():
    only_warnings = [
        case for case in CASES
        if ": error: " not in (CORPUS / case / "expected.txt").read_text(encoding="utf-8")
    ]
    assert only_warnings == ["html-stripped", "missing-translation", "unlisted-files"]
