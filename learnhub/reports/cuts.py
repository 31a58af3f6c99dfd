"""The shape of a coverage count, shared by the rollup (learnhub/reports/rollup.py) and the GROUP BY
that checks and rebuilds it (learnhub/reports/aggregate.py): neither imports the other for these.
"""

from __future__ import annotations

POPULATION_YEAR = 0
TOTAL = "total"
PROFILE_CUTS = ("sector", "organisation_type", "ecsf_role", "gender")
EVENT_METRICS = ("enrolled", "active", "completed", "certified")
# Analysts and administrators report on and run the programme; they are not its learners.
LEARNER_ROLES = ("trainee", "trainer")

CountKey = tuple[str, int, str, str, str]
"""(country, year, cut, key, metric): one cell of one country's report."""
