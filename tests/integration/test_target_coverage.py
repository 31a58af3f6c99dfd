"""Coverage against a target is computed only over the learners the target describes (issue 20).

A health target of 200 once gave "357 %" for Brazil (714 certified in every sector over 200) while the health
row said 40.5 %. The property: whatever the learners and the targets, the numerator of every coverage shown is
the certified learners of exactly the sectors (and role) the target is set for, within the perturbation of the
published cells it adds up, and the regional comparison shows the country's own figure.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from learnhub import reference
from learnhub.models import Target
from learnhub.reports import coverage, perturbation, rollup, target_coverage
from learnhub.reports.suppression import Cell
from tests.integration.test_reports import YEAR

SECTORS = [entry.id for entry in reference.sectors()]
ROLES = [entry.id for entry in reference.ecsf_roles()][:3]
K = 10

learners = st.dictionaries(st.sampled_from(SECTORS), st.integers(0, 60), min_size=1, max_size=6)
sector_targets = st.dictionaries(st.sampled_from(SECTORS), st.integers(K, 400), max_size=4)
role_targets = st.dictionaries(st.sampled_from(ROLES), st.sets(st.sampled_from(SECTORS), min_size=1), max_size=2)


def _counts(certified: dict[str, int]) -> dict[tuple[str, str, str], int]:
    """True counts of a country whose learners are all certified, by sector (and all of the first role)."""
    counts: dict[tuple[str, str, str], int] = {}
    total = sum(certified.values())
    for metric in coverage.METRICS:
        counts[(rollup.TOTAL, "", metric)] = total
        counts[("ecsf_role", ROLES[0], metric)] = total
        for sector, value in certified.items():
            counts[("sector", sector, metric)] = value
    return counts


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(certified=learners, targets=sector_targets, roles=role_targets)
def test_coverage_is_never_computed_over_a_population_the_target_does_not_describe(app, db, certified, targets,
                                                                                   roles):
    db.session.execute(delete(Target))
    db.session.add_all([Target(country="BR", year=YEAR, sector=sector, ecsf_role="", headcount=headcount)
                        for sector, headcount in targets.items()])
    db.session.add_all([Target(country="BR", year=YEAR, sector=sector, ecsf_role=role, headcount=K)
                        for role, sectors in roles.items() for sector in sectors])
    db.session.flush()
    with app.app_context():
        report = coverage.build("BR", YEAR, K, _counts(certified))
    figure = report.target_coverage()
    if not targets:
        assert figure is None and report.coverage() is None
    else:
        assert figure.target == sum(targets.values()) and set(figure.sectors) == set(targets)
        # Coverage counts the currently certified (decision 0070); here everyone certified still is.
        sector_rows = {row.key: row.values[target_coverage.METRIC] for row in report.cut("sector").rows}
        described = sum(certified.get(sector, 0) for sector in targets)  # the true count the target describes
        if figure.certified is not None:
            terms = 1 if figure.every_sector else len(targets)
            assert abs(figure.certified - described) <= perturbation.BOUND * terms
            if not figure.every_sector:
                assert figure.certified == sum(sector_rows[sector].value for sector in targets)
        if figure.value is not None:
            assert figure.value == figure.certified / figure.target
        for sector in targets:  # each sector's coverage is over that sector's own certified learners
            value = report.coverage(sector)
            if value is not None:
                assert value == sector_rows[sector].value / targets[sector]
    for role, sectors in roles.items():
        shown = report.coverage_in("ecsf_role", role)
        if not set(report.sector_keys()) <= sectors:  # some learners of the role are outside the target's sectors
            assert shown is None and report.role_coverage_limited(role)


def test_the_brazil_case_of_the_issue():
    """714 certified in every sector, 81 of them (published) in health, a health target of 200: 40.5 %."""
    by_sector = {"health": Cell(81, False, None), "energy": Cell(633, False, None)}
    figure = target_coverage.over_sectors({"health": 200}, by_sector, Cell(714, False, None), SECTORS, K)
    assert figure.value == 81 / 200 and figure.sectors == ("health",) and not figure.every_sector
    hidden = {**by_sector, "health": Cell(None, True, "small")}
    assert target_coverage.over_sectors({"health": 200}, hidden, Cell(714, False, None), SECTORS, K).value is None
    every = target_coverage.over_sectors({sector: 10 for sector in SECTORS}, by_sector, Cell(714, False, None),
                                         SECTORS, K)
    assert every.every_sector and every.certified == 714 and every.target == 10 * len(SECTORS)
