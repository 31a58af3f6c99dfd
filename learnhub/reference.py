"""Reference data the platform is built around: ECSF roles, NIS2 sectors and the EU and CELAC countries.

Loaded from the CSV files in learnhub/data (copied from the project's shared reference data), so the
content validator and the web layer read the same lists. Names are English msgids: the web layer
shows them through gettext, and the Babel extractor `learnhub.i18n:extract_reference_csv` puts them
in the catalogues.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"

ORGANISATION_TYPES = ("government", "private", "academia", "civil-society")
GENDERS = ("woman", "man", "another", "prefer-not-to-say")
LANGUAGES = ("en", "es", "pt", "fr")
REGIONS = ("EU", "LAC")


@dataclass(frozen=True)
class Entry:
    id: str
    name: str


def _rows(filename: str) -> list[dict[str, str]]:
    with (DATA_DIR / filename).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def ecsf_roles() -> tuple[Entry, ...]:
    """The 12 role profiles of ENISA's European Cybersecurity Skills Framework."""
    return tuple(Entry(row["id"], row["name"]) for row in _rows("ecsf-roles.csv"))


@cache
def sectors() -> tuple[Entry, ...]:
    """NIS2 Annex I and II sectors plus the platform's catch-alls (education, other)."""
    return tuple(Entry(row["id"], row["name"]) for row in _rows("nis2-sectors.csv"))


@cache
def country_regions() -> dict[str, str]:
    """ISO 3166-1 alpha-2 code -> 'EU' or 'LAC' for the 27 EU and 33 CELAC states."""
    return {row["alpha2"]: row["region"] for row in _rows("regions.csv")}


def ecsf_role_ids() -> frozenset[str]:
    return frozenset(entry.id for entry in ecsf_roles())


def sector_ids() -> frozenset[str]:
    return frozenset(entry.id for entry in sectors())
