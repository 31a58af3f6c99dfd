"""The schema comes only from Alembic, and the migrations build exactly what the models describe.

Migrations use only their own table definitions and SQL, as of their revision, never application code, so
a later model change cannot break upgrading an old or empty database (issue 12). The step-by-step test
upgrades one revision at a time and adds rows after each step, so every data migration runs over real
rows. (0006 also creates the API token table, unrelated to its rollup: deployed databases have run it so,
and it stays there.)
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from learnhub.extensions import db
from learnhub.reports import aggregate
from tests.conftest import fresh_database_url, make_app

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def test_empty_database_upgrades_to_head_with_no_drift(tmp_path):
    app = make_app(fresh_database_url("migrations", tmp_path), tmp_path)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, db.metadata) == []
            tables = set(inspect(connection).get_table_names())
        assert {"users", "analyst_countries", "password_reset_tokens", "audit_events", "alembic_version"} <= tables
        downgrade(revision="base")
        with db.engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
        upgrade()
        with db.engine.connect() as connection:
            assert "users" in inspect(connection).get_table_names()
        db.engine.dispose()


def test_connections_are_configured_for_concurrency(app):
    """SQLite: WAL, a busy timeout and enforced foreign keys. PostgreSQL is left alone (learnhub.database):
    the run's own schema, at the server's default isolation level."""
    with app.app_context(), db.engine.connect() as connection:
        if db.engine.dialect.name == "sqlite":
            pragma = {name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                      for name in ("journal_mode", "busy_timeout", "foreign_keys")}
            assert pragma == {"journal_mode": "wal", "busy_timeout": 15000, "foreign_keys": 1}
            return
        assert db.engine.dialect.name == "postgresql"
        assert connection.exec_driver_sql("SELECT current_schema()").scalar() == "lh_integration"
        assert connection.exec_driver_sql("SHOW transaction_isolation").scalar() == "read committed"
        assert "alembic_version" in inspect(connection).get_table_names()


def _insert(connection, table: str, **values) -> None:
    """One row by plain SQL, with no model: the columns are the ones given, as the revision has them."""
    def column(name, value):
        kind = (sa.JSON() if isinstance(value, dict | list) else sa.Boolean() if isinstance(value, bool)
                else sa.DateTime() if isinstance(value, datetime) else sa.Date() if isinstance(value, date) else None)
        return sa.column(name, kind)

    connection.execute(sa.table(table, *(column(name, value) for name, value in values.items())).insert().values(
        **values))


def _scalar(connection, sql: str):
    return connection.execute(sa.text(sql)).scalar()


def _user(connection, id_, role, country, email, created_at, **profile):
    _insert(connection, "users", id=id_, email=email, name=email.split("@")[0], password_hash="x", role=role,
            language="en", country=country, sector=profile.get("sector", "energy"), organisation="Org",
            organisation_type=profile.get("organisation_type", "company"), ecsf_role=profile.get("ecsf_role"),
            gender=profile.get("gender"), session_token=f"session-{id_}", active=True, created_at=created_at)


def _accounts(connection):
    _user(connection, 1, "trainee", "DE", "alice@example.org", datetime(2026, 1, 5, 10), ecsf_role="auditor",
          gender="female")
    _user(connection, 2, "trainer", "FR", "bob@example.org", datetime(2026, 1, 6, 11))
    _user(connection, 3, "analyst", "DE", "carol@example.org", datetime(2026, 1, 7, 12))
    _user(connection, 4, "trainee", "DE", "dave@example.org", datetime(2026, 1, 8, 13), sector="health")
    _insert(connection, "analyst_countries", user_id=3, country="DE")
    _insert(connection, "audit_events", id=1, at=datetime(2026, 1, 7, 12), actor_id=3, event="user.created",
            ip="127.0.0.1", detail={"id": 3})
    _insert(connection, "password_reset_tokens", id=1, user_id=4, token_hash="reset-1",
            created_at=datetime(2026, 1, 8, 13), expires_at=datetime(2026, 1, 9, 13))


def _catalogue(connection):
    _insert(connection, "courses", id="c1", revision="r1", source_hash="h1", title={"en": "Course"}, summary={},
            languages=["en"], kind="course", level="basic", minutes=60, roles=[], sectors=[], certificate=True,
            pass_mark=0.8, retired=False, created_at=datetime(2026, 1, 1), synced_at=datetime(2026, 1, 1))
    _insert(connection, "course_modules", id=1, course_id="c1", key="m1", position=1, title={"en": "Module"},
            retired=False)
    _insert(connection, "course_items", id=1, course_id="c1", module_id=1, key="q1", kind="quiz", position=1,
            title={"en": "Quiz"}, languages=["en"], minutes=5, pass_mark=0.8, max_attempts=3, shuffle=False,
            retired=False)
    _insert(connection, "lesson_bodies", item_id=1, language="en", title="Quiz", html="<p>Quiz</p>")
    _insert(connection, "quiz_questions", id=1, item_id=1, language="en", key="k1", position=1, type="single",
            revision="r1", data={"options": ["a", "b"]})


def _progress(connection):
    for id_, learner, enrolled, completed in ((1, 1, datetime(2026, 2, 10), datetime(2026, 3, 15)),
                                              (2, 2, datetime(2026, 2, 11), None),
                                              (3, 4, datetime(2026, 2, 12), None)):
        _insert(connection, "enrolments", id=id_, learner_id=learner, course_id="c1", enrolled_at=enrolled,
                last_item_id=1, last_activity_at=enrolled, completed_at=completed)
    _insert(connection, "item_progress", id=1, learner_id=1, course_id="c1", item_id=1, state="passed",
            best_score=1.0, attempts=1, updated_at=datetime(2026, 3, 15))
    _insert(connection, "attempts", id=1, token_hash="attempt-1", learner_id=2, course_id="c1", item_id=1, number=1,
            language="en", course_revision="r1", questions=[], answers={}, scores={}, score=0.5, pass_mark=0.8,
            passed=False, awaiting_marking=0, started_at=datetime(2026, 4, 1, 9), submitted_at=datetime(2026, 4, 1, 10))
    _insert(connection, "certificates", id=1, code="CERT0001", learner_id=1, course_id="c1", learner_name="alice",
            course_title={"en": "Course"}, minutes=60, issued_at=datetime(2026, 3, 15))


def _cohorts(connection):
    assert _scalar(connection, "SELECT count(*) FROM attempts WHERE marks IS NOT NULL") == 1
    _insert(connection, "cohorts", id=1, trainer_id=2, name="Cohort", organisation="Org", country="FR",
            language="en", created_at=datetime(2026, 1, 20))
    _insert(connection, "assignments", id=1, cohort_id=1, course_id="c1", due_on=date(2026, 6, 30),
            created_at=datetime(2026, 1, 20))
    _insert(connection, "cohort_members", cohort_id=1, learner_id=1, added_at=datetime(2026, 2, 1, 9))
    _insert(connection, "notices", id=1, learner_id=2, kind="marked", attempt_id=1, created_at=datetime(2026, 4, 2))


def _targets(connection):
    _insert(connection, "targets", id=1, country="DE", year=2026, sector="energy", ecsf_role="auditor", headcount=10,
            updated_by=3, updated_at=datetime(2026, 1, 10))


def _rollups(connection):
    months = connection.execute(sa.text(
        "SELECT learner_id, course_id, year, month FROM learner_activity ORDER BY learner_id")).all()
    assert [tuple(row) for row in months] == [(1, "c1", 2026, 3), (2, "c1", 2026, 4)]
    _insert(connection, "api_tokens", id=1, user_id=3, name="analysis", token_hash="token-1", prefix="lh_1",
            created_at=datetime(2026, 3, 1), expires_at=datetime(2027, 3, 1))
    # A stale count, to be replaced by the recount of 0011.
    _insert(connection, "coverage_counts", country="DE", year=2026, cut="total", key="", metric="enrolled",
            learners=99)


def _verification(connection):
    assert _scalar(connection, "SELECT count(*) FROM users WHERE email_verified_at = created_at") == 4
    # Registered after the revision and not verified: never counted, whatever they do.
    _user(connection, 5, "trainee", "DE", "eve@example.org", datetime(2026, 5, 1))
    _insert(connection, "enrolments", id=4, learner_id=5, course_id="c1", enrolled_at=datetime(2026, 5, 2),
            last_activity_at=datetime(2026, 5, 2))
    _insert(connection, "learner_activity", learner_id=5, course_id="c1", year=2026, month=5)
    _insert(connection, "learner_activity", learner_id=2, course_id="c1", year=2026, month=11)


def _consent(connection):
    assert _scalar(connection, "SELECT count(*) FROM cohort_members WHERE accepted_at = added_at") == 1
    _insert(connection, "cohort_members", cohort_id=1, learner_id=4, added_at=datetime(2026, 5, 3))


def _invitations(connection):
    assert _scalar(connection, "SELECT sum(invitations_sent) FROM cohort_members") == 0
    connection.execute(sa.text(
        "UPDATE cohort_members SET invited_name = 'dave', invitation_queued_at = :at, invitation_token_id = 1 "
        "WHERE learner_id = 4"), {"at": datetime(2026, 5, 3)})


def _throttling(connection):
    _insert(connection, "throttle_events", id=1, scope="login", key_hash="k" * 64, at=datetime(2026, 5, 4))


def _report_population(connection):
    pass


def _task_queue(connection):
    _insert(connection, "outbound_mails", id=1, recipient="ana@example.org", subject="Hola", body="Cuerpo",
            status="queued", attempts=0, created_at=datetime(2026, 5, 5))
    _insert(connection, "failed_jobs", id=1, task="tasks.deliver_mail", arguments=[1], error="SMTPException: down",
            failed_at=datetime(2026, 5, 5))


def _cohort_imports(connection):
    _insert(connection, "cohort_imports", id=1, cohort_id=1, trainer_id=2, status="running", total_rows=2,
            done_rows=1, rows=[{"email": "rosa@example.org", "name": "Rosa"}], invited=1, already_invited=0,
            already_members=0, new_accounts=1, staff=0, skipped_lines=0, created_at=datetime(2026, 5, 6),
            started_at=datetime(2026, 5, 6), heartbeat_at=datetime(2026, 5, 6))


def _export_files(connection):
    _insert(connection, "export_files", id=1, owner_id=1, kind="cohort_progress",
            parameters={"cohort_id": 1, "fmt": "csv"}, filename="cohort-1-progress.csv",
            mimetype="text/csv; charset=utf-8", content=b"\xef\xbb\xbfName\r\n", status="ready",
            created_at=datetime(2026, 5, 6), ready_at=datetime(2026, 5, 6), expires_at=datetime(2026, 5, 7))


def _quiz_regrades(connection):
    _insert(connection, "quiz_regrades", id=1, item_id=1, trainer_id=2, status="running", total_attempts=1,
            examined=0, last_attempt_id=0, changed=0, pass_changed=0, created_at=datetime(2026, 5, 7),
            started_at=datetime(2026, 5, 7), heartbeat_at=datetime(2026, 5, 7))


def _course_format_additions(connection):
    assert _scalar(connection, "SELECT count(*) FROM courses WHERE reviewed IS NULL") == 1
    row = connection.execute(sa.text("SELECT fallback, objectives, credits FROM courses WHERE id = 'c1'")).one()
    assert [json.loads(value) if isinstance(value, str) else value for value in row] == [{}, {}, {}]
    rubrics = _scalar(connection, "SELECT rubrics FROM course_items WHERE id = 1")
    assert (json.loads(rubrics) if isinstance(rubrics, str) else rubrics) == {}
    _insert(connection, "courses", id="c2", revision="r2", source_hash="h2", title={"en": "Reviewed"}, summary={},
            languages=["en", "es"], kind="awareness", level="beginner", minutes=30, roles=[], sectors=[],
            certificate=False, pass_mark=70, retired=False, created_at=datetime(2026, 6, 1),
            synced_at=datetime(2026, 6, 1), fallback={"pt": ["es"]}, objectives={"en": ["Spot a lure"]},
            credits={}, reviewed=date(2026, 5, 31))


def _second_factors(connection):
    _insert(connection, "totp_factors", user_id=3, secret="JBSWY3DPEHPK3PXP", created_at=datetime(2026, 6, 2),
            confirmed_at=datetime(2026, 6, 2), last_counter=59000000)
    _insert(connection, "recovery_codes", id=1, user_id=3, code_hash="$argon2id$x", created_at=datetime(2026, 6, 2))
    _insert(connection, "remembered_devices", id=1, user_id=3, token_hash="d" * 64, label="Firefox",
            created_at=datetime(2026, 6, 2), expires_at=datetime(2026, 7, 2))
    _insert(connection, "passkeys", id=1, user_id=3, credential_id="Y3JlZC0x", public_key=b"\xa5\x01\x02",
            sign_count=0, transports=["internal"], name="Laptop", created_at=datetime(2026, 6, 2))
    _insert(connection, "sso_identities", id=1, user_id=3, provider="ministerio", subject="carol-1",
            created_at=datetime(2026, 6, 2))


def _quiz_show_answers(connection):
    assert _scalar(connection, "SELECT show_answers FROM course_items WHERE id = 1") == "after_pass"


def _user_administration(connection):
    # Every account there before has its folded name and search words (alice's name is her address's user part).
    assert _scalar(connection, "SELECT name_key FROM users WHERE email = 'alice@example.org'") == "alice"
    assert _scalar(connection, "SELECT count(*) FROM user_search_words WHERE word = 'alice'") == 1
    assert _scalar(connection, "SELECT count(*) FROM user_search_words WHERE word = 'alice@example.org'") == 1
    assert _scalar(connection, "SELECT count(*) FROM audit_events WHERE subject_id IS NULL") == 1
    _insert(connection, "user_search_words", word="extra", name_key="alice", user_id=1)
    # Every spelling of an organisation in a country became an unlisted record, and its people point at it.
    assert _scalar(connection, "SELECT count(*) FROM users WHERE organisation_id IS NULL") == 0
    assert _scalar(connection, "SELECT count(*) FROM organisations WHERE listed = false") == _scalar(
        connection, "SELECT count(DISTINCT country) FROM users")  # every test account works at "Org"
    _insert(connection, "site_pages", key="privacy", language="en", body="# Privacy", updated_at=datetime(2026, 12, 5),
            updated_by=1)


def _certificate_validity(connection):
    # The certificate of 0003 stays, never expiring, as generation 1; a renewal of it may now be stored.
    row = connection.execute(sa.text("SELECT id, learner_id, course_id, generation, expires_at, renews_id, "
                                     "reminded_days FROM certificates")).one()
    assert tuple(row[3:]) == (1, None, None, None)
    assert _scalar(connection, "SELECT count(*) FROM courses WHERE valid_months IS NULL AND renews IS NULL") == 2
    _insert(connection, "certificates", id=2, code="RENEWED23456", learner_id=row[1], course_id=row[2],
            learner_name="Alice", course_title={"en": "Course"}, minutes=30, issued_at=datetime(2026, 12, 1),
            expires_at=datetime(2027, 12, 1), generation=2, renews_id=row[0],
            revoked_at=datetime(2026, 12, 2))  # revoked: the rollup written by plain SQL stays exact
    with pytest.raises(sa.exc.IntegrityError), connection.begin_nested():
        _insert(connection, "certificates", id=3, code="TWICE2345678", learner_id=row[1], course_id=row[2],
                learner_name="Alice", course_title={"en": "Course"}, minutes=30, issued_at=datetime(2026, 12, 1),
                generation=2)


def _course_workspaces(connection):
    _insert(connection, "course_workspaces", id=1, course_id="c1", state="draft", created_by_id=2,
            created_at=datetime(2026, 12, 5))
    _insert(connection, "workspace_members", workspace_id=1, user_id=2, role="owner", added_at=datetime(2026, 12, 5))
    _insert(connection, "workspace_file_versions", id=1, workspace_id=1, path="course.yaml", content=b"format: 1\n",
            size=10, sha256="0" * 64, saved_by_id=2, saved_at=datetime(2026, 12, 5))


def _recertification_campaigns(connection):
    _insert(connection, "campaigns", id=1, course_id="c1", title=None, due_on=date(2027, 1, 31),
            due_at=datetime(2027, 2, 1), started_by_id=2, started_at=datetime(2026, 12, 6), state="open",
            ended_at=None, population="cohorts", country=None, sector=None, organisation_id=None)
    _insert(connection, "campaign_cohorts", campaign_id=1, cohort_id=1)


def _open_badges(connection):
    # Existing certificates have no place in the status lists until their badge is first downloaded; a place is
    # held by one certificate only.
    assert _scalar(connection, "SELECT count(*) FROM certificates WHERE badge_index IS NULL") == 2
    connection.execute(sa.text("UPDATE certificates SET badge_index = 0 WHERE id = 1"))
    with pytest.raises(sa.exc.IntegrityError), connection.begin_nested():
        connection.execute(sa.text("UPDATE certificates SET badge_index = 0 WHERE id = 2"))
    _insert(connection, "badge_keys", id=1, kid="k" * 43, public_jwk="{}", private_jwe=None,
            created_at=datetime(2026, 12, 6), retired_at=None)


def _workspace_publishing(connection):
    # The draft workspace of 0021 stays a draft; a publication of its file version, and the step that made it.
    assert _scalar(connection, "SELECT state FROM course_workspaces WHERE id = 1") == "draft"
    _insert(connection, "workspace_publications", id=1, workspace_id=1, course_id="c1", revision="r" * 64,
            published_by_id=2, published_at=datetime(2026, 12, 6), withdrawn_at=None)
    _insert(connection, "workspace_published_files", publication_id=1, version_id=1)
    _insert(connection, "workspace_steps", id=1, workspace_id=1, action="published", state="published", actor_id=2,
            comment="", at=datetime(2026, 12, 6), publication_id=1)


def _catalogue_version(connection):
    # The one row, with a random token (the catalogue's version), already there for the first request to read.
    assert re.fullmatch(r"[0-9a-f]{32}", _scalar(connection, "SELECT version FROM catalogue_state WHERE id = 1"))


STEPS = {
    "0001_accounts": _accounts, "0002_course_catalogue": _catalogue, "0003_learner_progress": _progress,
    "0004_cohorts": _cohorts, "0005_targets": _targets, "0006_coverage_rollups": _rollups,
    "0007_email_verification": _verification, "0008_cohort_consent": _consent, "0009_invitations": _invitations,
    "0010_login_throttling": _throttling, "0011_report_population": _report_population,
    "0012_task_queue": _task_queue, "0013_cohort_imports": _cohort_imports, "0014_export_files": _export_files,
    "0015_quiz_regrades": _quiz_regrades, "0016_course_format_additions": _course_format_additions,
    "0017_second_factors": _second_factors,
    "0018_quiz_show_answers": _quiz_show_answers,
    "0019_user_administration": _user_administration,
    "0020_certificate_validity": _certificate_validity,
    "0021_course_workspaces": _course_workspaces,
    "0022_recertification_campaigns": _recertification_campaigns,
    "0023_open_badges": _open_badges,
    "0024_workspace_publishing": _workspace_publishing,
    "0025_catalogue_version": _catalogue_version,
}
SURVIVORS = {"users": 5, "analyst_countries": 1, "audit_events": 1, "password_reset_tokens": 1, "courses": 2,
             "course_modules": 1, "course_items": 1, "lesson_bodies": 1, "quiz_questions": 1, "enrolments": 4,
             "item_progress": 1, "attempts": 1, "certificates": 2, "cohorts": 1, "assignments": 1,
             "cohort_members": 2, "notices": 1, "targets": 1, "learner_activity": 4, "api_tokens": 1,
             "throttle_events": 1, "outbound_mails": 1, "failed_jobs": 1, "cohort_imports": 1,
             "export_files": 1, "quiz_regrades": 1, "totp_factors": 1, "recovery_codes": 1,
             "remembered_devices": 1, "passkeys": 1, "sso_identities": 1,
             "user_search_words": 21, "site_pages": 1, "organisations": 2, "course_workspaces": 1,
             "workspace_members": 1, "workspace_file_versions": 1, "campaigns": 1, "campaign_cohorts": 1,
             "badge_keys": 1, "workspace_publications": 1, "workspace_published_files": 1,
             "workspace_steps": 1, "catalogue_state": 1}


def test_empty_database_upgrades_step_by_step_over_real_rows(tmp_path):
    revisions = [script.revision for script in reversed(list(ScriptDirectory(str(MIGRATIONS)).walk_revisions()))]
    assert revisions == list(STEPS), "a new migration needs its step here, with rows for its tables"
    app = make_app(fresh_database_url("migration_steps", tmp_path), tmp_path)
    with app.app_context():
        for revision in revisions:
            upgrade(revision=revision)
            with db.engine.begin() as connection:
                assert _scalar(connection, "SELECT version_num FROM alembic_version") == revision
                STEPS[revision](connection)

        with db.engine.connect() as connection:
            counts = {table: connection.execute(sa.select(sa.func.count()).select_from(sa.table(table))).scalar()
                      for table in SURVIVORS}
            assert counts == SURVIVORS
            assert _scalar(connection, "SELECT count(*) FROM users WHERE email_verified_at IS NULL") == 1
            assert _scalar(connection, "SELECT count(*) FROM cohort_members WHERE accepted_at IS NULL") == 1
            rollup = {tuple(row[:5]): row[5] for row in connection.execute(sa.text(
                "SELECT country, year, cut, key, metric, learners FROM coverage_counts"))}
        # Counted: alice (DE) and bob (FR), verified at 0007 with a learning step. Not counted: carol
        # (analyst), dave (no learning step), eve (not verified).
        assert rollup[("DE", 2026, "total", "", "enrolled")] == 1
        assert rollup[("DE", 2026, "month", "2026-03", "completed")] == 1
        assert rollup[("DE", 2026, "ecsf_role", "auditor", "certified")] == 1
        assert rollup[("DE", 2026, "course_kind", "course", "active")] == 1
        assert rollup[("DE", 0, "sector", "energy", "population")] == 1
        assert rollup[("FR", 2026, "month", "2026-04", "active")] == 1
        assert rollup[("FR", 2026, "month", "2026-11", "active")] == 1
        assert rollup[("FR", 2026, "gender", "", "enrolled")] == 1
        assert ("DE", 0, "sector", "health", "population") not in rollup
        assert ("DE", 2026, "month", "2026-05", "enrolled") not in rollup

        # The application's own count at head is the oracle: the migration wrote exactly what it writes.
        result = app.test_cli_runner().invoke(args=["report", "check"])
        assert result.exit_code == 0, result.output
        db.session.remove()
        with db.engine.begin() as connection:
            aggregate.rebuild(connection)
            rebuilt = {tuple(row[:5]): row[5] for row in connection.execute(sa.text(
                "SELECT country, year, cut, key, metric, learners FROM coverage_counts"))}
        assert rebuilt == rollup
        db.engine.dispose()
