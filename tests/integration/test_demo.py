"""`learnhub demo`: marked, realistic synthetic learners; refused where it must be; adds nothing twice.

Runs on databases of its own (committed, like the command's batches), with the starter catalogue.
Each test uses its own seed, so their learners never overlap.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime

import pytest
from sqlalchemy import func, select, text, update

from learnhub.cli_demo import demo_command
from learnhub.extensions import db
from learnhub.models import Attempt, Certificate, Course, CourseItem, Enrolment, ItemProgress, LearnerActivity, User
from learnhub.models.base import utcnow
from learnhub.reference import GENDERS, ORGANISATION_TYPES, country_regions, ecsf_role_ids, sector_ids
from learnhub.reports import aggregate
from learnhub.services import accounts, catalogue, demo, demo_learners, passwords
from learnhub.services.certificates import CODE_ALPHABET
from tests.conftest import DEFAULT_PASSWORD, PROFILE
from tests.integration.learning_helpers import app_with_own_database

SUMMARY = re.compile(r"demo data: (\d+) learners created \((\d+) already there\), (\d+) enrolments, (\d+) progress "
                     r"rows, (\d+) attempts, (\d+) certificates in [\d.]+ s")


def own_app(tmp_path_factory, purpose: str, *, courses: bool):
    app = app_with_own_database(tmp_path_factory, purpose, courses=courses)
    if "demo" not in app.cli.commands:
        app.cli.add_command(demo_command)
    return app


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    app = own_app(tmp_path_factory, "demo", courses=True)
    yield app
    with app.app_context():
        db.engine.dispose()


def run_demo(app, *args: str):
    return app.test_cli_runner().invoke(args=["demo", *args])


def summary_of(result) -> dict[str, int]:
    assert result.exit_code == 0, result.output
    match = SUMMARY.search(result.output)
    assert match, result.output
    return dict(zip(("learners", "skipped", "enrolments", "progress", "attempts", "certificates"),
                    map(int, match.groups()), strict=True))


def emails(seed: int, count: int) -> list[str]:
    first = demo.first_number(seed)
    return [demo_learners.demo_email(number) for number in range(first, first + count)]


def learners_of(seed: int, count: int) -> list[User]:
    return list(db.session.scalars(select(User).where(User.email.in_(emails(seed, count))).order_by(User.id)))


def counts_for(ids: list[int]) -> dict[str, int]:
    def count(model) -> int:
        return db.session.scalar(select(func.count()).select_from(model).where(model.learner_id.in_(ids)))

    return {"enrolments": count(Enrolment), "progress": count(ItemProgress), "attempts": count(Attempt),
            "certificates": count(Certificate)}


def table_counts() -> dict[str, int]:
    return {model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
            for model in (User, Enrolment, ItemProgress, Attempt, Certificate)}


def test_the_distributions_cover_the_reference_lists():
    assert set(demo_learners.COUNTRY_WEIGHTS) == set(country_regions())
    assert set(demo_learners.SECTOR_WEIGHTS) == set(sector_ids())
    assert set(demo_learners.ECSF_ROLE_WEIGHTS) == set(ecsf_role_ids())
    assert set(demo_learners.GENDER_WEIGHTS) == {*GENDERS, None}
    assert all(set(weights) == set(ORGANISATION_TYPES) for weights in demo_learners.ORGANISATION_TYPE_WEIGHTS.values())
    assert set(demo_learners.ORGANISATION_TYPE_WEIGHTS) - {None} <= set(sector_ids())


@pytest.mark.parametrize(("env", "args", "message"), [
    ("production", (), "demo data is never created in production (LEARNHUB_ENV=production)"),
    ("testing", ("--year", "2999"), "--year 2999 has not started yet"),
    ("testing", ("--year", "1999"), "--year 1999 is too early"),
])
def test_refused_in_production_and_for_impossible_years(demo_app, env, args, message):
    with demo_app.app_context():
        before = table_counts()
    demo_app.config["LEARNHUB_ENV"] = env
    try:
        result = run_demo(demo_app, "--learners", "10", *args)
    finally:
        demo_app.config["LEARNHUB_ENV"] = "testing"
    assert result.exit_code == 1, result.output
    assert f"learnhub: error: {message}" in result.output
    assert "Traceback" not in result.output
    with demo_app.app_context():
        assert table_counts() == before


def test_refused_until_the_courses_are_synced(tmp_path_factory):
    app = own_app(tmp_path_factory, "demo_empty", courses=False)
    result = run_demo(app, "--learners", "10")
    assert result.exit_code == 1
    assert "learnhub: error: sync the courses first: learnhub courses sync" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0
        db.engine.dispose()


def test_learners_are_marked_realistic_and_consistent(demo_app):
    seed, count = 2, 300
    taken = emails(seed, count)[7]  # a real person already has this address: left alone, counted as there
    with demo_app.app_context():
        person = accounts.create("person@example.org", DEFAULT_PASSWORD, accounts.Profile(**PROFILE))
        person.email = taken  # an account from before the one e-mail rule refused .test addresses (issue 11)
        other = accounts.create("someone@example.org", DEFAULT_PASSWORD, accounts.Profile(**PROFILE))
        db.session.add(Enrolment(learner_id=other.id, course_id="passwords-mfa"))
        db.session.execute(update(Course).where(Course.id == "incident-response-fundamentals").values(retired=True))
        db.session.commit()
        untouched = [(row.id, row.email, row.name, row.password_hash, row.organisation, row.country, row.created_at)
                     for row in (person, other)]
        others_before = counts_for([person.id, other.id])
    try:
        summary = summary_of(run_demo(demo_app, "--learners", str(count), "--seed", str(seed)))
    finally:
        with demo_app.app_context():
            db.session.execute(update(Course).where(Course.id == "incident-response-fundamentals")
                               .values(retired=False))
            db.session.commit()
    assert (summary["learners"], summary["skipped"]) == (count - 1, 1)

    with demo_app.app_context():
        now = utcnow()
        start = datetime(now.year, 1, 1)
        learners = [user for user in learners_of(seed, count) if user.email != taken]
        ids = [user.id for user in learners]
        assert sorted(user.email for user in learners) == sorted(set(emails(seed, count)) - {taken})
        assert counts_for(ids) == {name: summary[name] for name in ("enrolments", "progress", "attempts",
                                                                    "certificates")}
        # Nothing of anyone else changed.
        assert [(row.id, row.email, row.name, row.password_hash, row.organisation, row.country, row.created_at)
                for row in (db.session.get(User, untouched[0][0]), db.session.get(User, untouched[1][0]))] == untouched
        assert counts_for([untouched[0][0], untouched[1][0]]) == others_before

        # Marked, with a plausible profile, in the 60 countries.
        regions = country_regions()
        for user in learners:
            assert user.organisation.endswith(" (demo)") and user.password_hash == "!demo"
            assert user.role == "trainee" and user.active
            assert user.country in regions and user.sector in sector_ids()
            assert user.organisation_type in ORGANISATION_TYPES
            assert user.ecsf_role is None or user.ecsf_role in ecsf_role_ids()
            assert user.gender is None or user.gender in GENDERS
            assert user.language in ("en", "es", "pt", "fr") and user.name
            assert start <= user.created_at <= user.last_login_at <= now
            assert user.email_verified_at == user.created_at  # vouched for by the operator: counted once active
        # The rollup the generator rebuilt counts the demo learners who did a learning step (they are verified),
        # and not the ones who only enrolled.
        active = set(db.session.scalars(select(LearnerActivity.learner_id).where(LearnerActivity.learner_id.in_(ids))))
        assert active and len(active) < len(ids)
        counted = db.session.scalar(select(func.count()).select_from(User).where(
            User.email_verified_at.is_not(None), User.role.in_(("trainee", "trainer")),
            User.id.in_(select(LearnerActivity.learner_id))))
        population = sum(value for (_, year, cut, _, metric), value in aggregate.stored(db.session.connection()).items()
                         if cut == "total" and metric == "population" and year == 0)
        assert population == counted >= len(active)
        for email in (learners[0].email, learners[-1].email):
            assert accounts.authenticate(email, "!demo") is None
            assert accounts.authenticate(email, DEFAULT_PASSWORD) is None

        # Enrolments: 1-4 each, only in published courses, inside this year up to now.
        enrolments = list(db.session.scalars(select(Enrolment).where(Enrolment.learner_id.in_(ids))))
        per_learner = Counter(row.learner_id for row in enrolments)
        assert set(per_learner) == set(ids) and set(per_learner.values()) <= {1, 2, 3, 4}
        published = {course.id for course in catalogue.published_courses()}
        assert {row.course_id for row in enrolments} <= published - {"incident-response-fundamentals"}
        assert all(start <= row.enrolled_at <= row.last_activity_at <= now for row in enrolments)
        assert all(row.completed_at is None or row.completed_at == row.last_activity_at for row in enrolments)

        # Progress agrees with the attempts; a completed course has every item finished.
        live = {course.id: {item.id: item for item in catalogue.syllabus(course).items}
                for course in catalogue.published_courses()}
        progress = list(db.session.scalars(select(ItemProgress).where(ItemProgress.learner_id.in_(ids))))
        attempts = list(db.session.scalars(select(Attempt).where(Attempt.learner_id.in_(ids))))
        by_quiz: dict = {}
        for attempt in attempts:
            by_quiz.setdefault((attempt.learner_id, attempt.item_id), []).append(attempt)
            assert attempt.passed == (attempt.score >= attempt.pass_mark)
            assert re.fullmatch(r"[0-9a-f]{64}", attempt.token_hash)
            assert (attempt.questions, attempt.answers, attempt.scores, attempt.marks) == ([], {}, {}, {})
            assert start <= attempt.started_at <= attempt.submitted_at <= now
        assert len({attempt.token_hash for attempt in attempts}) == len(attempts)
        finished: dict = {}
        for row in progress:
            item = live[row.course_id][row.item_id]
            assert start <= row.updated_at <= now
            if item.kind == "lesson":
                assert (row.state, row.attempts, row.best_score) == ("done", 0, None)
            else:
                tries = by_quiz.pop((row.learner_id, row.item_id))
                assert sorted(attempt.number for attempt in tries) == list(range(1, len(tries) + 1))
                assert row.attempts == len(tries) <= (item.max_attempts or len(tries))
                assert row.best_score == max(attempt.score for attempt in tries)
                assert row.state == ("passed" if any(attempt.passed for attempt in tries) else "failed")
            if row.state in ("done", "passed"):
                finished.setdefault((row.learner_id, row.course_id), set()).add(row.item_id)
        assert by_quiz == {}  # no attempt without its progress row
        completed = {(row.learner_id, row.course_id) for row in enrolments if row.completed_at is not None}
        for learner_id, course_id in completed:
            assert finished[(learner_id, course_id)] == set(live[course_id])
        for row in enrolments:
            if row.completed_at is None:
                assert finished.get((row.learner_id, row.course_id), set()) != set(live[row.course_id])

        # A certificate for every completed enrolment (every starter course certifies), and only then.
        certificates = list(db.session.scalars(select(Certificate).where(Certificate.learner_id.in_(ids))))
        assert {(row.learner_id, row.course_id) for row in certificates} == completed
        assert len(certificates) == len(completed)
        names = {user.id: user.name for user in learners}
        enrolled = {(row.learner_id, row.course_id): row for row in enrolments}
        for certificate in certificates:
            assert len(certificate.code) == 12 and set(certificate.code) <= set(CODE_ALPHABET)
            assert certificate.learner_name == names[certificate.learner_id]
            assert certificate.issued_at == enrolled[(certificate.learner_id, certificate.course_id)].completed_at
            assert certificate.revoked_at is None
        assert len({certificate.code for certificate in certificates}) == len(certificates)


def test_the_same_seed_again_adds_nothing_and_more_learners_adds_only_the_new(demo_app):
    first = summary_of(run_demo(demo_app, "--learners", "200", "--seed", "3", "--batch", "64"))
    assert (first["learners"], first["skipped"]) == (200, 0)
    with demo_app.app_context():
        before = table_counts()
        rows_before = {(row.email, row.name, row.country, row.created_at) for row in learners_of(3, 200)}

    again = summary_of(run_demo(demo_app, "--learners", "200", "--seed", "3"))
    assert again == {"learners": 0, "skipped": 200, "enrolments": 0, "progress": 0, "attempts": 0,
                     "certificates": 0}
    with demo_app.app_context():
        assert table_counts() == before

    more = summary_of(run_demo(demo_app, "--learners", "250", "--seed", "3"))
    assert (more["learners"], more["skipped"]) == (50, 200)
    with demo_app.app_context():
        after = table_counts()
        assert after["users"] == before["users"] + 50
        assert after["enrolments"] == before["enrolments"] + more["enrolments"]
        assert after["attempts"] == before["attempts"] + more["attempts"]
        assert {(row.email, row.name, row.country, row.created_at) for row in learners_of(3, 200)} == rows_before
        assert {user.email for user in learners_of(3, 250)} == set(emails(3, 250))


def test_two_thousand_learners_have_the_planned_shape(demo_app):
    summary = summary_of(run_demo(demo_app, "--learners", "2000", "--seed", "4"))
    assert summary["learners"] == 2000
    assert 15_000 <= summary["progress"] + summary["attempts"] <= 25_000
    with demo_app.app_context():
        learners = learners_of(4, 2000)
        ids = [user.id for user in learners]
        enrolments = db.session.execute(select(Enrolment.completed_at, Course.kind).join(Course).where(
            Enrolment.learner_id.in_(ids))).all()
    completed = sum(row.completed_at is not None for row in enrolments) / len(enrolments)
    awareness = sum(row.kind == "awareness" for row in enrolments) / len(enrolments)
    assert 0.50 <= completed <= 0.60
    assert awareness >= 0.70
    assert 0.30 <= sum(user.ecsf_role is not None for user in learners) / len(learners) <= 0.40
    countries = Counter(user.country for user in learners)
    assert [code for code, _ in countries.most_common(2)] == ["BR", "MX"]
    assert Counter(user.organisation_type for user in learners).most_common(1)[0][0] == "government"
    assert Counter(user.sector for user in learners).most_common(1)[0][0] == "public-administration"
    assert {row.completed_at.year for row in enrolments if row.completed_at} == {utcnow().year}
    with demo_app.app_context():
        assert planner_rows_of("users") >= 2000  # statistics refreshed after the bulk load (ANALYZE)


def planner_rows_of(table: str) -> int:
    """How many rows the query planner believes `table` has (0 when it has no statistics)."""
    if db.engine.dialect.name == "postgresql":
        return int(db.session.scalar(text("SELECT reltuples FROM pg_class WHERE oid = to_regclass(:t)"),
                                     {"t": table}) or 0)
    stat = db.session.scalar(text("SELECT stat FROM sqlite_stat1 WHERE tbl = :t AND idx IS NULL "
                                  "UNION ALL SELECT stat FROM sqlite_stat1 WHERE tbl = :t LIMIT 1"), {"t": table})
    return int(stat.split()[0]) if stat else 0


def snapshot(seed: int, count: int) -> dict:
    """Everything the demo made for these learners, without database ids."""
    keys = dict(db.session.execute(select(CourseItem.id, CourseItem.course_id + ":" + CourseItem.key)).all())
    users = learners_of(seed, count)
    email = {user.id: user.email for user in users}
    ids = list(email)

    def rows(model, *columns) -> list[tuple]:
        found = db.session.execute(select(model.learner_id, *columns).where(model.learner_id.in_(ids))).all()
        return sorted((email[row[0]], *(keys.get(value, value) if name.key.endswith("item_id") else value
                                          for name, value in zip(columns, row[1:], strict=True))) for row in found)

    return {
        "users": sorted((user.email, user.name, user.language, user.country, user.sector, user.organisation,
                         user.organisation_type, user.ecsf_role, user.gender, user.created_at, user.last_login_at)
                        for user in users),
        "enrolments": rows(Enrolment, Enrolment.course_id, Enrolment.enrolled_at, Enrolment.last_item_id,
                           Enrolment.last_activity_at, Enrolment.completed_at),
        "progress": rows(ItemProgress, ItemProgress.item_id, ItemProgress.state, ItemProgress.best_score,
                         ItemProgress.attempts, ItemProgress.updated_at),
        "attempts": rows(Attempt, Attempt.item_id, Attempt.number, Attempt.token_hash, Attempt.score,
                         Attempt.passed, Attempt.started_at, Attempt.submitted_at),
        "certificates": rows(Certificate, Certificate.course_id, Certificate.code, Certificate.issued_at),
    }


def test_a_seed_and_a_past_year_make_the_same_learners_on_another_database(demo_app, tmp_path_factory):
    twin = own_app(tmp_path_factory, "demo_twin", courses=True)
    made = [summary_of(run_demo(app, "--learners", "150", "--seed", "5", "--year", "2025", "--batch", batch))
            for app, batch in ((demo_app, "5000"), (twin, "7"))]
    assert made[0] == made[1] and made[0]["learners"] == 150
    snapshots = []
    for app in (demo_app, twin):
        with app.app_context():
            snapshots.append(snapshot(5, 150))
    with twin.app_context():
        db.engine.dispose()
    assert snapshots[0] == snapshots[1]
    times = [row[-1] for row in snapshots[0]["users"]] + [row[2] for row in snapshots[0]["enrolments"]]
    assert {moment.year for moment in times} == {2025}


# --- Plain demo accounts (`--accounts`): the administration's user list at scale (issue 17) ----------------

def test_plain_accounts_are_marked_searchable_and_made_once(tmp_path_factory):
    app = own_app(tmp_path_factory, "demo_accounts", courses=False)  # no course needed: no activity
    first = run_demo(app, "--accounts", "300")
    assert first.exit_code == 0, first.output
    assert "300 demo accounts made, 0 existed already" in first.output
    again = run_demo(app, "--accounts", "450")
    assert "150 demo accounts made, 300 existed already" in again.output
    with app.app_context():
        people = list(db.session.scalars(select(User).order_by(User.id)))
        assert len(people) == 450
        assert [person.email for person in people[:2]] == ["person0000001@demo.learnhub.test",
                                                           "person0000002@demo.learnhub.test"]
        assert all(person.organisation.endswith(" (demo)") for person in people)
        assert not passwords.verify_password(people[0].password_hash, "!demo")  # no usable password
        assert Counter(person.role for person in people) == {"trainee": 446, "trainer": 4}
        assert sum(not person.active for person in people) == 2  # numbers 211 and 422
        assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 0
        surname = people[6].name.split()[1]
        db.engine.dispose()
    admin = app.test_client()
    with app.app_context():
        accounts.create("root@example.org", DEFAULT_PASSWORD, accounts.Profile(**PROFILE), role="admin",
                        verified=True)
        db.session.commit()
    assert admin.post("/login", data={"email": "root@example.org", "password": DEFAULT_PASSWORD}).status_code == 303
    found = admin.get("/admin/users/", query_string={"q": "person0000007"}).get_data(as_text=True)
    assert "person0000007@demo.learnhub.test" in found and "person0000008@" not in found
    assert surname in admin.get("/admin/users/", query_string={"q": surname}).get_data(as_text=True)


def test_plain_accounts_are_refused_in_production_and_one_of_the_two_counts_is_needed(tmp_path_factory):
    app = own_app(tmp_path_factory, "demo_accounts_refused", courses=False)
    app.config["LEARNHUB_ENV"] = "production"
    refused = run_demo(app, "--accounts", "5")
    assert refused.exit_code == 1
    assert "learnhub: error: demo data is never created in production (LEARNHUB_ENV=production)" in refused.output
    app.config["LEARNHUB_ENV"] = "testing"
    neither = run_demo(app)
    assert neither.exit_code == 2 and "say how many: --learners N, --accounts N, or both" in neither.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0
        db.engine.dispose()
