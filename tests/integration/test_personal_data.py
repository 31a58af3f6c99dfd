"""Personal data rights (issue 17): a learner's copy of everything about them, and the erasure of their
personal data on request, which leaves coverage counts and `learnhub report check` as they were."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from learnhub.extensions import db as database
from learnhub.models import AuditEvent, Certificate, Notice, User
from learnhub.models.base import utcnow
from learnhub.reports import aggregate
from learnhub.services import catalogue, certificates, cohorts, housekeeping, learning, personal_data, user_admin
from tests.conftest import DEFAULT_PASSWORD, form_token, log_in
from tests.integration.learning_helpers import submit_quiz

# Columns that name an account without a foreign key: a new one must be added here too, or the test below
# cannot see its table.
USER_COLUMN_NAMES = {"user_id", "learner_id", "actor_id", "owner_id", "trainer_id", "subject_id", "updated_by",
                     "marker_id", "holder_id", "account_id"}


def _tables_that_refer_to_accounts() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for table in database.metadata.sorted_tables:
        columns = {column.name for column in table.columns
                   if any(fk.column.table.name == "users" for fk in column.foreign_keys)
                   or column.name in USER_COLUMN_NAMES}
        if columns:
            found[table.name] = columns
    found["users"] = {"id"}
    return found


def test_every_table_that_refers_to_accounts_is_exported_or_left_out_with_a_reason():
    referring = _tables_that_refer_to_accounts()
    declared = set(personal_data.EXPORTED) | set(personal_data.NOT_EXPORTED)
    assert set(referring) - declared == set(), "add the new table to personal_data.EXPORTED (or NOT_EXPORTED)"
    assert declared - set(referring) == set()
    for name, exported in personal_data.EXPORTED.items():
        assert set(exported.person_columns) == referring[name], name  # every column that names the person
        assert set(exported.left_out) <= {column.name for column in database.metadata.tables[name].columns}


def _learner_with_history(app, db, client, make_user):
    trainer = make_user(role="trainer", email="trainer@example.org", name="Tomás Trainer")
    learner = make_user(email="lucia@example.org", name="Lucía Fernández", language="en", country="DO")
    cohort = cohorts.create(trainer, "Ministry cohort", "MAP", "DO", "es")
    cohorts.add_people(cohort, [cohorts.Person(email="lucia@example.org", name="Lucía F.")])
    db.session.commit()
    assert log_in(client, "lucia@example.org").status_code == 303
    with app.app_context():
        learner = db.session.get(User, learner.id)
        course = catalogue.course_or_none("passwords-mfa")
        syllabus = catalogue.syllabus(course)
        for item in syllabus.items:
            if item.kind == "lesson":
                learning.mark_lesson_done(learner, course, item, syllabus)
        certificate = certificates.issue(learner, course)
        db.session.add(Notice(learner_id=learner.id, kind="marked"))
        db.session.commit()
        code = certificate.code
    response, _token, _data = submit_quiz(client, app, learner, "passwords-mfa", "check-passwords-mfa", right=True)
    assert response.status_code == 303
    return learner, code


def test_the_copy_holds_a_row_of_every_table_the_learner_is_in_and_no_secret(app, db, client, make_user):
    learner, code = _learner_with_history(app, db, client, make_user)
    response = client.get("/account/data/learnhub-my-data.json")
    assert response.status_code == 200 and response.headers["Content-Disposition"].startswith("attachment")
    data = json.loads(response.get_data(as_text=True))
    tables = data["tables"]
    assert set(tables) == set(personal_data.EXPORTED)
    for name in ("users", "enrolments", "item_progress", "learner_activity", "attempts", "certificates",
                 "cohort_members", "notices", "audit_events"):
        assert tables[name], f"{name} holds the learner's rows"
    assert tables["users"][0]["email"] == "lucia@example.org"
    assert "password_hash" not in tables["users"][0] and "session_token" not in tables["users"][0]
    assert "token_hash" not in tables["attempts"][0] and tables["attempts"][0]["answers"]
    assert tables["certificates"][0]["code"] == code
    assert tables["cohort_members"][0]["invited_name"] == "Lucía F."
    assert all(learner.id in (row["actor_id"], row["subject_id"]) for row in tables["audit_events"])
    summary = client.get("/account/data/summary")
    page = summary.get_data(as_text=True)
    assert summary.status_code == 200 and "Your quiz attempts, with your answers" in page and code in page
    assert [e.detail["format"] for e in db.session.scalars(select(AuditEvent).where(
        AuditEvent.event == "privacy.exported").order_by(AuditEvent.id))] == ["json", "html"]


def test_erasure_on_request_keeps_counts_and_report_check_clean(app, db, client, make_user):
    learner, code = _learner_with_history(app, db, client, make_user)
    connection = db.session.connection()
    counts_before = aggregate.nonzero(aggregate.stored(connection))
    assert counts_before
    wrong = client.post("/account/data/delete", data={**form_token(client.get("/account/data").get_data(
        as_text=True)), "password": "not my password"})
    assert wrong.status_code == 400 and "Your password is not right." in wrong.get_data(as_text=True)
    asked = client.post("/account/data/delete", data={**form_token(client.get("/account/data").get_data(
        as_text=True)), "password": DEFAULT_PASSWORD})
    assert asked.status_code == 303
    assert db.session.get(User, learner.id).deletion_requested_at is not None

    admin_client = app.test_client()
    make_user(role="admin", email="boss@example.org", name="Boss Admin", language="en")
    log_in(admin_client, "boss@example.org")
    listing = admin_client.get("/admin/users/").get_data(as_text=True)
    assert "Deletion requests waiting" in listing and "lucia@example.org" in listing
    page = admin_client.get(f"/admin/users/{learner.id}").get_data(as_text=True)
    erased = admin_client.post(f"/admin/users/{learner.id}/erase", data=form_token(page))
    assert erased.status_code == 303

    db.session.expire_all()
    person = db.session.get(User, learner.id)
    assert person.erased_at is not None and not person.active
    assert "lucia" not in person.email and person.name != "Lucía Fernández" and person.organisation == ""
    assert client.get("/learning").status_code == 302  # the open session ended
    assert log_in(app.test_client(), "lucia@example.org").status_code != 303
    verify = client.get(f"/verify/{code}").get_data(as_text=True)
    assert "Holder removed" in verify and "Lucía" not in verify
    assert db.session.scalar(select(Certificate.learner_name).where(Certificate.code == code)) == ""
    assert "Lucía" not in admin_client.get("/admin/users/?q=lucia").get_data(as_text=True)
    # The counts that included her are unchanged, and the rollup still agrees with the facts.
    connection = db.session.connection()
    assert aggregate.nonzero(aggregate.stored(connection)) == counts_before
    assert aggregate.nonzero(aggregate.live_counts(connection)) == counts_before
    check = app.test_cli_runner().invoke(args=["report", "check"])
    assert check.exit_code == 0, check.output
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.event == "privacy.erased"))
    assert event.subject_id == learner.id and event.actor_id is not None


def test_a_request_is_carried_out_by_housekeeping_after_the_delay_and_can_be_withdrawn(app, db, make_user):
    waiting = make_user(email="wait@example.org", name="Wanda Wait")
    due = make_user(email="due@example.org", name="Dario Due")
    withdrawn = make_user(email="back@example.org", name="Berta Back")
    for person in (waiting, due, withdrawn):
        personal_data.request_deletion(person)
    due.deletion_requested_at = utcnow() - timedelta(days=app.config["DELETION_DELAY_DAYS"] + 1)
    withdrawn.deletion_requested_at = due.deletion_requested_at
    personal_data.cancel_deletion(withdrawn)
    db.session.commit()
    with app.app_context():
        removed = housekeeping.run()
    assert removed["deletion_requests"] == 1
    db.session.expire_all()
    assert db.session.get(User, due.id).erased_at is not None
    assert db.session.get(User, waiting.id).erased_at is None
    assert db.session.get(User, withdrawn.id).erased_at is None


def test_the_last_admin_cannot_be_erased(db, make_user):
    admin = make_user(role="admin", email="only@example.org")
    personal_data.request_deletion(admin)
    with pytest.raises(user_admin.AdminError) as refused:
        personal_data.erase(admin)
    assert refused.value.code == "last-admin"


def test_second_factors_and_provider_links_are_listed_without_secrets_and_erased(db, make_user):
    from learnhub.models import Passkey, RecoveryCode, RememberedDevice, SsoIdentity, TotpFactor

    person = make_user(email="factors@example.org", name="Fausto Factor")
    now = utcnow()
    db.session.add_all([
        TotpFactor(user_id=person.id, secret="JBSWY3DPEHPK3PXP", confirmed_at=now),
        RecoveryCode(user_id=person.id, code_hash="$argon2id$secret-hash"),
        RememberedDevice(user_id=person.id, token_hash="e" * 64, label="Firefox on a phone",
                         expires_at=now + timedelta(days=30)),
        Passkey(user_id=person.id, credential_id="Y3JlZC0y", public_key=b"\xa5\x01", name="Work laptop"),
        SsoIdentity(user_id=person.id, provider="ministerio", subject="fausto-7"),
    ])
    db.session.commit()
    copy = json.dumps(personal_data.collect(person))
    for shown in ("Firefox on a phone", "Work laptop", "fausto-7", "ministerio"):
        assert shown in copy
    for secret in ("JBSWY3DPEHPK3PXP", "secret-hash", "e" * 64):
        assert secret not in copy
    assert personal_data.erase(person, reason="request")
    db.session.commit()
    for model in (TotpFactor, RecoveryCode, RememberedDevice, Passkey, SsoIdentity):
        assert db.session.scalar(select(model).where(model.user_id == person.id)) is None, model.__name__
