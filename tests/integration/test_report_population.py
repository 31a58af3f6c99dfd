"""The audit's differencing attack (issue 11) replayed against the real reports: throw-away accounts move no
figure until each is verified and has studied, and then they move a perturbed figure that does not give the
hidden count back."""

from __future__ import annotations

from sqlalchemy import select

from learnhub.models import Enrolment, LearnerActivity, User
from learnhub.models.base import utcnow
from learnhub.reports import coverage, perturbation
from learnhub.services import accounts
from tests.integration.report_helpers import assert_perturbed_within_bound, published
from tests.integration.test_rollup import assert_rollup_is_live

COUNTRY = "UY"
NOISES = tuple(noise for noise, _ in perturbation.NOISE)


def step(db, learner: User) -> None:
    """One learning step this month (what the learning service records when a lesson is done)."""
    now = utcnow()
    db.session.add(Enrolment(learner_id=learner.id, course_id="passwords-mfa", enrolled_at=now,
                             last_activity_at=now))
    db.session.add(LearnerActivity(learner_id=learner.id, course_id="passwords-mfa", year=now.year,
                                   month=now.month))


def energy_population(report: coverage.Report):
    return next(row for row in report.cut("sector").rows if row.key == "energy").values["population"].value


def test_eight_throw_away_accounts_do_not_give_a_hidden_cell_of_two_away(app, db, make_user):
    """Two learners in energy and twelve in health (k = 10): the audit added eight accounts in energy and read
    10 and 12, so the 2 was 10 - 8. Unverified accounts, and verified ones that never studied, now change no
    figure at all; verified accounts with a step change a perturbed figure, consistent with several counts."""
    year = utcnow().year
    for index in range(14):
        learner = make_user(email=f"real{index}@example.org", country=COUNTRY,
                            sector="energy" if index < 2 else "health")
        step(db, learner)
    db.session.commit()
    with app.app_context():
        before = coverage.build(COUNTRY, year, app.config["SUPPRESSION_K"])
        assert_perturbed_within_bound(before)
    k = before.k
    assert energy_population(before) in (None, 0)  # 2, published 0 to 4: never shown as a count

    # Eight self-registered accounts that studied but never verified their address, and eight verified ones
    # that only enrolled: nothing moves, not one figure of the report.
    unverified = [make_user(email=f"fake{index}@example.org", country=COUNTRY, sector="energy", verified=False)
                  for index in range(8)]
    for learner in unverified:
        step(db, learner)
    idle = [make_user(email=f"idle{index}@example.org", country=COUNTRY, sector="energy") for index in range(8)]
    now = utcnow()
    for learner in idle:
        db.session.add(Enrolment(learner_id=learner.id, course_id="passwords-mfa", enrolled_at=now,
                                 last_activity_at=now))
    db.session.commit()
    with app.app_context():
        unmoved = coverage.build(COUNTRY, year, k)
    assert (unmoved.headline, unmoved.cuts) == (before.headline, before.cuts)

    # The adversary gets the eight addresses verified, one at a time, and reads the report after each.
    seen = [energy_population(before)]
    for added, learner in enumerate(unverified, start=1):
        with app.app_context():
            accounts.mark_email_verified(db.session.get(User, learner.id))
            db.session.commit()
            report = coverage.build(COUNTRY, year, k)
            assert_perturbed_within_bound(report)
            assert_rollup_is_live(db.session)
        seen.append(energy_population(report))
        assert seen[-1] is None or seen[-1] == published(app, 2 + added, COUNTRY, year, "sector", "energy",
                                                         "population")
    with app.app_context():
        assert db.session.scalar(select(User.email_verified_at).where(User.id == unverified[-1].id)) is not None
    # After the eighth, the cell holds 10: it reads 10 plus the cell's fixed noise (when shown at all), and
    # health reads 12 plus its own.
    expected = published(app, 10, COUNTRY, year, "sector", "energy", "population")
    assert abs(expected - 10) <= perturbation.BOUND
    assert seen[-1] in (None, expected)

    # What the adversary can conclude: every count of the cell that, with some noise of the table, gives every
    # figure they read after each addition. A hidden figure is not 0 (a 0 is shown, and health, never 0, would
    # be hidden as a complement before it); small or a complement, it says nothing more. The true 2 is among
    # them, and never alone.
    def explains(v: int, noise: int) -> bool:
        return all(perturbation.publish(v + added, noise) == value if value is not None
                   else perturbation.publish(v + added, noise) != 0 for added, value in enumerate(seen))

    candidates = {v for v in range(30) if any(explains(v, noise) for noise in NOISES)}
    assert 2 in candidates and len(candidates) >= 2, (seen, candidates)
