"""Fixtures shared by the integration tests of the trainer's pages."""

from __future__ import annotations

import pytest

from tests.conftest import log_in
from tests.integration.learning_helpers import sync_catalogue


@pytest.fixture
def trainer(app, db, client, make_user):
    """A trainer, logged in on `client`, with the course catalogue synced."""
    sync_catalogue(app)
    user = make_user(role="trainer", email="trainer@example.org", language="en", name="Tomás Trainer")
    log_in(client, "trainer@example.org")
    return user
