"""Regrades above LEARNHUB_REGRADE_INLINE_LIMIT as queue jobs (issue 13, decision 0035): applied in chunks each
committed with the regrade's cursor, resumed after a crash with no attempt regraded twice, woken by the sweep,
failed for good and resumed by an admin's retry, and the regrade page showing progress, then what it did."""

from __future__ import annotations

import shutil
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from learnhub.jobs import queue, tasks
from learnhub.models import Attempt, AuditEvent, CourseItem, QuizRegrade, User
from learnhub.models.base import utcnow
from learnhub.services import regrades
from tests.conftest import post_form
from tests.integration.learning_helpers import CATALOGUE, submit_quiz, swap_answer_key, sync_catalogue
from tests.integration.test_trainer import assign, create_cohort, enrol_learner

PAGE = "/trainer/quizzes/passwords-mfa/check-passwords-mfa/regrade"
LEARNERS = 3


@pytest.fixture
def changed_key(app, db, client, trainer, make_user, tmp_path):
    """Three learners answered the passwords quiz right; then one choice question's key was swapped (the right
    answer is now a wrong one), so a regrade lowers each of their three attempts. Answers the attempt ids and
    their scores before."""
    cohort_id = create_cohort(client)
    assign(client, cohort_id, "passwords-mfa")
    for number in range(LEARNERS):
        learner, learner_client = enrol_learner(app, db, client, make_user, cohort_id, f"l{number}@example.org")
        submit_quiz(learner_client, app, learner, "passwords-mfa", "check-passwords-mfa", right=True)
    copy = tmp_path / "courses"
    shutil.copytree(CATALOGUE, copy)
    for name in ("check-passwords-mfa.gift", "check-passwords-mfa.es.gift", "check-passwords-mfa.pt.gift"):
        path = copy / "passwords-mfa" / name
        path.write_text(swap_answer_key(path.read_text(), "length-vs-complexity"))
    sync_catalogue(app, copy)
    app.config["REGRADE_INLINE_LIMIT"] = 1
    yield dict(db.session.execute(select(Attempt.id, Attempt.score).order_by(Attempt.id)).all())
    app.config["REGRADE_INLINE_LIMIT"] = 500


def quiz_item(db) -> CourseItem:
    return db.session.scalar(select(CourseItem).where(CourseItem.key == "check-passwords-mfa"))


def trainer_user(db) -> User:
    return db.session.scalar(select(User).where(User.role == "trainer"))


def regraded_events(db) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.event == "attempt.regraded"))


def test_a_regrade_above_the_limit_is_queued_and_the_page_says_what_it_did(app, db, client, changed_key):
    before = changed_key
    preview = client.get(PAGE).get_data(as_text=True)
    assert "3 attempts would change" in preview
    applied = post_form(client, PAGE, {})
    assert applied.status_code == 303  # the inline test queue ran the job after the request
    db.session.expire_all()
    after = dict(db.session.execute(select(Attempt.id, Attempt.score)).all())
    assert after.keys() == before.keys() and all(after[key] < before[key] for key in before)
    assert regraded_events(db) == LEARNERS
    [regrade] = db.session.scalars(select(QuizRegrade)).all()
    assert (regrade.status, regrade.total_attempts, regrade.examined, regrade.changed) == ("done", 3, 3, 3)
    queued, finished = (db.session.scalar(select(AuditEvent.detail).where(AuditEvent.event == name))
                        for name in ("quiz.regrade_queued", "quiz.regraded"))
    assert queued["attempts"] == 3 and (finished["examined"], finished["changed"]) == (3, 3)
    page = client.get(PAGE).get_data(as_text=True)
    assert "Regrade finished: 3 attempts examined, 3 changed" in page
    assert "No attempt would change" in page


def test_a_regrade_killed_mid_way_resumes_after_its_last_chunk_and_regrades_nobody_twice(app, db, client,
                                                                                        changed_key):
    with app.test_request_context(method="POST"):
        queued = regrades.record(trainer_user(db), quiz_item(db).course, quiz_item(db))
        db.session.commit()
        regrade_id = queued.id
        regrades.run(regrade_id, chunk=1, max_chunks=1)  # then the consumer was killed
    db.session.expire_all()
    found = db.session.get(QuizRegrade, regrade_id)
    assert (found.status, found.examined, found.changed) == ("running", 1, 1) and regraded_events(db) == 1
    page = client.get(PAGE).get_data(as_text=True)
    assert "Regrading: 1 of 3 attempts" in page
    assert "Apply the regrade" not in page  # nobody applies a second regrade while this one runs
    assert post_form(client, PAGE, {}, page=None).status_code in (200, 303)
    assert db.session.scalar(select(func.count()).select_from(QuizRegrade)) == 1
    with app.test_request_context(method="POST"):
        regrades.run(regrade_id, chunk=1)
    db.session.expire_all()
    found = db.session.get(QuizRegrade, regrade_id)
    assert (found.status, found.examined, found.changed) == ("done", 3, 3)
    assert regraded_events(db) == LEARNERS
    audited = db.session.scalars(select(AuditEvent.detail).where(AuditEvent.event == "attempt.regraded")).all()
    assert sorted(detail["attempt_id"] for detail in audited) == sorted(changed_key)


def test_the_sweep_wakes_a_regrade_whose_consumer_went_silent(app, db, changed_key):
    with app.test_request_context(method="POST"):
        regrade_id = regrades.record(trainer_user(db), quiz_item(db).course, quiz_item(db)).id
        db.session.commit()
    with app.app_context():
        assert tasks.sweep.call_local()["regrades"] == 0  # heartbeat still fresh
    db.session.execute(QuizRegrade.__table__.update().values(heartbeat_at=utcnow() - timedelta(minutes=11)))
    db.session.commit()
    with app.app_context():
        assert tasks.sweep.call_local()["regrades"] == 1
    queue.drain()
    db.session.expire_all()
    assert db.session.get(QuizRegrade, regrade_id).status == "done" and regraded_events(db) == LEARNERS


def test_a_regrade_failing_every_try_is_failed_and_an_admins_retry_resumes_it(app, db, client, changed_key,
                                                                            monkeypatch):
    from learnhub.models import FailedJob
    from learnhub.services import marking

    real = marking.apply_regrade
    calls = {"n": 0}

    def broken_after_one_chunk(user, changes, ip=None):
        calls["n"] += 1
        if calls["n"] > 1:
            raise RuntimeError("database went away")
        return real(user, changes, ip)

    monkeypatch.setattr(marking, "apply_regrade", broken_after_one_chunk)
    monkeypatch.setattr(regrades, "CHUNK", 1)
    with app.test_request_context(method="POST"):
        regrade_id = regrades.record(trainer_user(db), quiz_item(db).course, quiz_item(db)).id
        db.session.commit()
    tasks.run_regrade(regrade_id)
    queue.drain()
    [retry] = queue.huey.scheduled()
    assert (retry.name, retry.args) == ("tasks.run_regrade", (regrade_id,))
    retry.retries, retry.eta = 0, None  # the last try comes due, and fails too
    queue.huey.execute(retry)
    db.session.expire_all()
    found = db.session.get(QuizRegrade, regrade_id)
    assert (found.status, found.examined, found.error) == ("failed", 1, "RuntimeError: database went away")
    [failure] = db.session.scalars(select(FailedJob)).all()
    assert (failure.task, failure.arguments) == ("tasks.run_regrade", [regrade_id])
    assert "The regrade stopped after 1 of 3 attempts" in client.get(PAGE).get_data(as_text=True)

    monkeypatch.setattr(marking, "apply_regrade", real)
    assert tasks.retry("tasks.run_regrade", [regrade_id]) is True
    queue.drain()
    db.session.expire_all()
    found = db.session.get(QuizRegrade, regrade_id)
    assert (found.status, found.examined, found.changed) == ("done", 3, 3) and regraded_events(db) == LEARNERS
