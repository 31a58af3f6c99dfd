"""Fixtures shared by the integration tests of the trainer's pages."""

from __future__ import annotations

import pytest

from tests.conftest import log_in
from tests.integration.learning_helpers import app_with_own_database


@pytest.fixture
def trainer(app, db, client, make_user):
    """A trainer, logged in on `client` (the session's database holds the course catalogue)."""
    user = make_user(role="trainer", email="trainer@example.org", language="en", name="Tomás Trainer")
    log_in(client, "trainer@example.org")
    return user


@pytest.fixture(scope="module")
def shared_app(tmp_path_factory, request):
    """An app on a database of the test module's own, for tests whose threads commit for real (no
    per-test rollback); named after the module, so two such modules never share rows."""
    from learnhub.extensions import db

    app = app_with_own_database(tmp_path_factory, request.module.__name__.rpartition(".")[2].removeprefix("test_"))
    yield app
    with app.app_context():
        db.engine.dispose()
