"""Rules of workspace review (issue 16, decision 0074) that need no database: what each role may do, and which
publication is live given the steps."""

from __future__ import annotations

from datetime import datetime

import pytest

from learnhub.models import WorkspacePublication, WorkspaceStep
from learnhub.services.workspace_members import Rights
from learnhub.services.workspace_publishing import Step, live_in


@pytest.mark.parametrize(("role", "edit", "review", "manage"), [
    ("owner", True, True, True),
    ("co-author", True, False, False),
    ("reviewer", False, True, False),
    ("admin", True, True, True),
    (None, False, False, False),
])
def test_what_each_role_may_do(role, edit, review, manage):
    rights = Rights(role)
    assert (rights.edit, rights.review, rights.manage, rights.admin) == (edit, review, manage, role == "admin")


def step(action: str, publication: WorkspacePublication | None = None) -> Step:
    return Step(WorkspaceStep(action=action, state="draft"), "Someone", publication)


def test_the_live_publication_is_that_of_the_newest_publishing_step_unless_unpublished_since():
    first = WorkspacePublication(id=1, revision="a" * 64, withdrawn_at=None)
    second = WorkspacePublication(id=2, revision="b" * 64, withdrawn_at=None)
    assert live_in([]) is None
    assert live_in([step("submitted")]) is None
    assert live_in([step("reopened"), step("published", second), step("approved"), step("published", first)]) is second
    assert live_in([step("unpublished"), step("published", second)]) is None
    withdrawn = WorkspacePublication(id=3, revision="c" * 64, withdrawn_at=datetime(2026, 12, 6))
    assert live_in([step("published", withdrawn)]) is None
