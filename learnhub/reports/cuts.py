"""The cuts of a coverage report, each declared once: the registry every part of the reports reads.

A cut splits a country's counted learners into rows (by sector, by course, by month...). Its declaration
says everything about it: the key stored in `coverage_counts.cut` (and in every perturbation cell key, so
a key never changes), its heading, how a learner lands in its rows (`Basis`), the rows a report always
shows and in which order, what each row is called, and which cut it is suppressed together with. The
rollup (`rollup.py`) and the GROUP BY that checks it (`aggregate.py`) count what `CUTS` declares, each its
own way; `coverage.build` publishes the cuts in the order of `CUTS`, and every format and the dashboard
show them in that order under these labels.

Adding a profile cut is one entry here (its key a column of `users`), a migration that counts its rows
into `coverage_counts`, and the translations of its labels.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from flask_babel import LazyString, lazy_gettext
from sqlalchemy import ColumnElement, and_, or_, select

from learnhub import i18n, reference
from learnhub.extensions import db
from learnhub.models import Certificate, Course

POPULATION_YEAR = 0
TOTAL = "total"
"""The cut of the headline: one row, key ""."""
NOT_GIVEN = ""
"""The row of learners who left a profile field blank (or of a course without a kind)."""
NOT_GIVEN_LABEL = lazy_gettext("Not given")
EVENT_METRICS = ("enrolled", "active", "completed", "certified")
"""The metrics of facts the rollup stores (`coverage_counts`), each counted in the year of its fact."""
CURRENT = "current"
"""Learners holding a certificate that stands at the report's reference moment (`holds`). Currency changes
with time alone, so it is never stored: `rollup.current_counts` counts it when a report is read."""
REPORTED_EVENT_METRICS = (*EVENT_METRICS, CURRENT)
"""The metrics of learners' facts a report shows, in every cut ("current" after "certified")."""
METRICS = ("population", *REPORTED_EVENT_METRICS)
"""Every metric a report shows, in the order of its columns."""
# Analysts and administrators report on and run the programme; they are not its learners.
LEARNER_ROLES = ("trainee", "trainer")

CountKey = tuple[str, int, str, str, str]
"""(country, year, cut, key, metric): one cell of one country's report."""


class Basis(Enum):
    """How a learner lands in the rows of a cut. The rollup (`rollup.FACT_ROWS`) and the live GROUP BY
    (`aggregate.FACT_ROWS`) each say how to read every basis but PROFILE, which both read alike."""

    PROFILE = "profile"
    """The learner's profile: the column of `users` named like the cut. One row per learner, in each year's
    metrics and in the population, so the rows add up to the headline."""
    COURSE = "course"
    """The course of each fact: a learner in two courses is in two rows."""
    COURSE_KIND = "course kind"
    """The kind of the course of each fact."""
    MONTH = "month"
    """The month of each fact, "YYYY-MM": a learner active in two months is in both."""


@dataclass(frozen=True)
class Frame:
    """What the rows a report always shows depend on: its year and the courses (id -> kind, by id)."""

    year: int
    course_kinds: Mapping[str, str]


@dataclass(frozen=True)
class Within:
    """A cut whose rows are grouped into the rows of a coarser cut (each course into its kind): the two are
    suppressed together, so a group's figure never gives back a row the finer cut hides."""

    cut: str
    """Key of the coarser cut."""
    row: Callable[[Frame, str], str]
    """The coarser cut's row that holds a row of this cut."""


RowNames = Callable[[Sequence[str], str], Mapping[str, str]]
"""(row keys, language) -> what the rows are called; a key it leaves out is shown as it is."""


@dataclass(frozen=True)
class Cut:
    """One cut of a coverage report (see the module docstring)."""

    key: str
    label: LazyString
    """The heading ("By sector"), translated where it is shown."""
    basis: Basis
    rows: Callable[[Frame], list[str]]
    """The rows every report shows, in order, even at zero; rows found only in the counts follow, sorted."""
    row_names: RowNames
    within: Within | None = None
    """Suppressed together with a coarser cut; None: suppressed on its own against the headline."""
    chart_metric: str = "certified"
    """The metric the cut's chart shows (in the PDF too)."""
    line_title: LazyString | None = None
    """The rows are a time series: the dashboard charts `chart_metric` as a line under this title. Otherwise it
    draws bars of certified learners titled after the label ("Certified learners, by sector")."""

    @property
    def profile(self) -> bool:
        return self.basis is Basis.PROFILE

    @property
    def metrics(self) -> tuple[str, ...]:
        """The metrics counted in the cut: the population only by profile (facts have no population)."""
        return METRICS if self.profile else REPORTED_EVENT_METRICS

    @property
    def partition(self) -> bool:
        """Every counted learner is in exactly one row, so the true rows add up to the headline."""
        return self.profile

    def row_labels(self, keys: Sequence[str], language: str) -> dict[str, str]:
        """What each row is called, in the reader's language (one lookup for all the rows)."""
        names = self.row_names(keys, language)
        not_given = str(NOT_GIVEN_LABEL)
        return {key: not_given if key == NOT_GIVEN else str(names.get(key, key)) for key in keys}


def _labels(labels: Mapping[str, object]) -> RowNames:
    return lambda keys, language: labels


def _named(choices: Callable[[], list[tuple[str, str]]]) -> RowNames:
    return lambda keys, language: dict(choices())


def _course_titles(keys: Sequence[str], language: str) -> dict[str, str]:
    return {course.id: course.title_in(language)
            for course in db.session.scalars(select(Course).where(Course.id.in_(keys)))}


def _months(frame: Frame) -> list[str]:
    return [f"{frame.year}-{month:02d}" for month in range(1, 13)]


CUTS: tuple[Cut, ...] = (
    Cut("sector", lazy_gettext("By sector"), Basis.PROFILE,
        rows=lambda frame: [entry.id for entry in reference.sectors()], row_names=_named(i18n.sector_choices)),
    Cut("organisation_type", lazy_gettext("By type of organisation"), Basis.PROFILE,
        rows=lambda frame: list(reference.ORGANISATION_TYPES), row_names=_labels(i18n.ORGANISATION_TYPE_LABELS)),
    Cut("ecsf_role", lazy_gettext("By cybersecurity role"), Basis.PROFILE,
        rows=lambda frame: [entry.id for entry in reference.ecsf_roles()] + [NOT_GIVEN],
        row_names=_named(i18n.ecsf_role_choices)),
    Cut("gender", lazy_gettext("By gender"), Basis.PROFILE,
        rows=lambda frame: [*reference.GENDERS, NOT_GIVEN], row_names=_labels(i18n.GENDER_LABELS)),
    Cut("course", lazy_gettext("By course"), Basis.COURSE,
        rows=lambda frame: list(frame.course_kinds), row_names=_course_titles,
        within=Within("course_kind", lambda frame, course: frame.course_kinds.get(course, NOT_GIVEN))),
    Cut("course_kind", lazy_gettext("By type of course"), Basis.COURSE_KIND,
        rows=lambda frame: list(dict.fromkeys(frame.course_kinds.values())),
        row_names=_labels(i18n.COURSE_KIND_LABELS)),
    # The year's headline bounds the months (a learner active in two months counts in both, so the months
    # add up to the headline or more): a lone hidden month is protected against it like any other cut.
    Cut("month", lazy_gettext("By month"), Basis.MONTH, rows=_months,
        row_names=lambda keys, language: {key: i18n.month_name(key, language) for key in keys},
        chart_metric="active", line_title=lazy_gettext("Active learners by month")),
)
"""Every cut, in the order reports show them."""

BY_KEY: dict[str, Cut] = {cut.key: cut for cut in CUTS}
PROFILE_CUTS: tuple[Cut, ...] = tuple(cut for cut in CUTS if cut.profile)
FACT_CUTS: tuple[Cut, ...] = tuple(cut for cut in CUTS if not cut.profile)


# --- currency: the one rule of "currently certified" ---------------------------------------------------

def reference_moment(year: int, now: datetime) -> datetime:
    """The moment a report of `year` counts currency at: `now` for the current year or a later one, and the
    end of the year (the exclusive start of the next, 1 January 00:00 UTC) for a past year."""
    end = datetime(year + 1, 1, 1)
    return end if end <= now else now


def holds(issued_at: datetime, expires_at: datetime | None, revoked_at: datetime | None, moment: datetime) -> bool:
    """A certificate stands at `moment`: issued by then, not revoked, and not expired (no expiry, or one
    after the moment; a certificate that expires at the moment no longer stands)."""
    return revoked_at is None and issued_at <= moment and (expires_at is None or expires_at > moment)


def holds_clause(moment: datetime) -> ColumnElement[bool]:
    """`holds` as a WHERE clause on `certificates`, for the queries that count currency."""
    return and_(Certificate.revoked_at.is_(None), Certificate.issued_at <= moment,
                or_(Certificate.expires_at.is_(None), Certificate.expires_at > moment))
