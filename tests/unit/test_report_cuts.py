"""The registry of report cuts: each cut declared whole, and the rollup and the live count able to count it."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_babel import LazyString

from learnhub.models import CoverageCount, User
from learnhub.reports import aggregate, rollup
from learnhub.reports.cuts import BY_KEY, CUTS, FACT_CUTS, NOT_GIVEN, PROFILE_CUTS, TOTAL, Basis, Frame

CATALOGUES = sorted((Path(__file__).resolve().parents[2] / "learnhub" / "translations").glob(
    "*/LC_MESSAGES/messages.po"))
FRAME = Frame(2026, {"a-course": "awareness", "b-course": "skills", "c-course": "awareness"})


def texts(cut) -> list[LazyString]:
    return [cut.label] + ([cut.line_title] if cut.line_title is not None else [])


def test_keys_are_unique_and_fit_the_rollup_column():
    keys = [cut.key for cut in CUTS]
    assert len(set(keys)) == len(keys)
    assert TOTAL not in keys
    assert all(0 < len(key) <= CoverageCount.__table__.c.cut.type.length for key in keys)
    assert list(BY_KEY) == keys
    assert tuple(sorted(CUTS, key=lambda cut: not cut.profile)) == PROFILE_CUTS + FACT_CUTS


def test_every_label_is_lazy_distinct_and_translated_in_every_catalogue():
    assert CATALOGUES
    labels = [str(cut.label) for cut in CUTS]
    assert all(labels) and len(set(labels)) == len(labels)
    for catalogue_path in CATALOGUES:
        with catalogue_path.open("rb") as source:
            catalogue = read_po(source)
        for cut in CUTS:
            for text in texts(cut):
                assert isinstance(text, LazyString), (cut.key, text)  # translated when shown, not at import
                message = catalogue.get(str(text))
                assert message is not None and message.string, (catalogue_path.parts[-3], cut.key, str(text))


def test_profile_cuts_are_columns_of_users_read_by_the_rollup():
    columns = User.__table__.c
    for cut in PROFILE_CUTS:
        assert cut.key in columns, cut.key
        assert cut.key in rollup.PROFILE_COLUMNS
        # A column a learner may leave blank has a "Not given" row, so the rows add up to the headline.
        assert (NOT_GIVEN in cut.rows(FRAME)) == columns[cut.key].nullable, cut.key
    assert all(cut.basis is not Basis.PROFILE for cut in FACT_CUTS)


def test_every_value_a_profile_may_hold_is_a_named_row():
    for cut in PROFILE_CUTS:
        rows = cut.rows(FRAME)
        assert len(set(rows)) == len(rows), cut.key
        assert set(cut.row_names(rows, "en")) == set(rows) - {NOT_GIVEN}, cut.key


def test_the_rollup_and_the_live_count_each_read_every_basis_of_facts():
    bases = set(Basis) - {Basis.PROFILE}
    assert set(rollup.FACT_ROWS) == bases
    assert set(aggregate.FACT_ROWS) == bases
    assert {cut.basis for cut in FACT_CUTS} <= bases


def test_a_learner_counts_in_one_row_of_every_cut_per_fact():
    profile = rollup.Profile("DO", "trainee", tuple(f"{cut.key}-row" for cut in PROFILE_CUTS))
    facts = {"completed": [rollup.Fact("b-course", 2026, 3)]}
    cells = rollup.contributions(profile, facts, dict(FRAME.course_kinds), population=True)
    completed = {(cut, key) for _, year, cut, key, metric in cells if metric == "completed"}
    assert completed == {(TOTAL, ""), *((cut.key, f"{cut.key}-row") for cut in PROFILE_CUTS),
                         ("course", "b-course"), ("course_kind", "skills"), ("month", "2026-03")}
    population = {cut for _, year, cut, _, metric in cells if metric == "population"}
    assert population == {TOTAL, *(cut.key for cut in PROFILE_CUTS)}


def test_a_nested_cut_groups_into_a_cut_with_the_same_metrics():
    nested = [cut for cut in CUTS if cut.within]
    assert nested
    coarse_keys = [cut.within.cut for cut in nested]
    assert len(set(coarse_keys)) == len(coarse_keys)  # a coarse cut is suppressed with one finer cut only
    for cut in nested:
        coarse = BY_KEY[cut.within.cut]
        assert coarse is not cut and coarse.within is None and coarse.metrics == cut.metrics
        # every row the finer cut always shows falls in a row the coarser cut always shows
        assert {cut.within.row(FRAME, key) for key in cut.rows(FRAME)} <= set(coarse.rows(FRAME))
    assert BY_KEY["course"].within.row(FRAME, "c-course") == "awareness"
    assert BY_KEY["course"].within.row(FRAME, "retired-course") == NOT_GIVEN


def test_the_rows_of_facts_follow_the_year_and_the_catalogue():
    assert BY_KEY["month"].rows(FRAME) == [f"2026-{month:02d}" for month in range(1, 13)]
    assert BY_KEY["course"].rows(FRAME) == ["a-course", "b-course", "c-course"]
    assert BY_KEY["course_kind"].rows(FRAME) == ["awareness", "skills"]


@pytest.mark.parametrize("cut", CUTS, ids=lambda cut: cut.key)
def test_a_chart_shows_a_metric_of_its_cut(cut):
    assert cut.chart_metric in cut.metrics
    if cut.line_title is None:
        assert cut.chart_metric == "certified"  # the bar chart is titled "Certified learners, <label>"


def test_only_profile_cuts_count_the_population_and_partition_the_learners():
    for cut in CUTS:
        assert ("population" in cut.metrics) == cut.profile == cut.partition, cut.key


def test_rows_not_given_or_unknown_are_labelled_without_a_lookup_failing():
    gender = BY_KEY["gender"]
    labels = gender.row_labels(["woman", NOT_GIVEN, "no-such-gender"], "en")
    assert labels == {"woman": "Woman", NOT_GIVEN: "Not given", "no-such-gender": "no-such-gender"}
    assert BY_KEY["month"].row_labels(["2026-01"], "en") == {"2026-01": "January 2026"}  # issue 20: named
