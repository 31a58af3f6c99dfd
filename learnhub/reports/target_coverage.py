"""Coverage against a target, computed only over the learners the target describes.

A target is a headcount to train in some sectors (and optionally one ECSF role) of a country. Its coverage
divides the learners *of those sectors* counted by `METRIC` by it: by default the learners *currently*
certified (holding a certificate that has not expired and is not revoked, issue 19, decision 0070), since a
target is about people trained now, not people once trained. A health target of 200 is compared with the
learners in health, never with the country's certified learners of every sector (which once gave 357 % in a
country whose health sector stood at 40 %). Every place a coverage is shown (the headline of a country, its
rows by sector and role, the regional comparison and the colour of its map tiles, every download) computes
it here or through `Report.coverage_in`, so they cannot disagree (docs/coverage.md, decision 0047).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from learnhub.reports.cuts import CURRENT
from learnhub.reports.suppression import Cell, ratio

METRIC = CURRENT
"""The metric coverage against targets counts: "current" (currently certified). Every page and download that
shows a coverage says which figure it uses."""


@dataclass(frozen=True)
class TargetCoverage:
    """The coverage of the targets of a country as a whole."""

    value: float | None
    """Currently certified (`METRIC`) over target, as a fraction; None when it may not be published (a count
    it needs is not shown, or the target is below k)."""
    target: int
    """The headcount of the sectors that have a target, added up."""
    sectors: tuple[str, ...]
    """The sectors with a target, sorted: the population the figure is about."""
    every_sector: bool
    """Every sector a learner can be in has a target: the figure is about the whole country."""
    certified: int | None
    """The published `METRIC` learners of those sectors (the numerator); None when one is not shown."""


def describes(target_sectors: Collection[str], sectors: Collection[str]) -> bool:
    """Targets set in `target_sectors` describe every learner when every sector a learner is in has one."""
    return set(sectors) <= set(target_sectors)


def over_sectors(targets: Mapping[str, int], certified_by_sector: Mapping[str, Cell], certified_total: Cell,
                 sectors: Collection[str], k: int) -> TargetCoverage | None:
    """The headline coverage of a country's sector targets (for every role); None when none is set.

    `certified_*` are the published `METRIC` counts. When every sector has a target the country's headline
    is the numerator (one published figure, the best estimate); otherwise the published counts of the
    targeted sectors are added up, and the figure is not shown when any of them is not.
    """
    if not targets:
        return None
    target = sum(targets.values())
    every = describes(targets, sectors)
    if every:
        numerator = None if certified_total.suppressed else certified_total.value
    else:
        cells = [certified_by_sector.get(sector) for sector in targets]
        numerator = None if any(cell is None or cell.suppressed for cell in cells) else sum(
            cell.value for cell in cells)
    return TargetCoverage(None if numerator is None else ratio(numerator, target, k), target,
                          tuple(sorted(targets)), every, numerator)
