"""Training targets: headcounts per country, year, sector and optional ECSF role, set by analysts and admins.

A form row and a CSV file go through the same checks; a file with any bad row changes nothing, and
every problem is reported with its line and field.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext
from sqlalchemy import select

from learnhub.extensions import db
from learnhub.models import Target, User
from learnhub.models.base import utcnow
from learnhub.services import coded_values
from learnhub.services.cohort_csv import decode_text, read_records
from learnhub.text import fold

MAX_HEADCOUNT = 50_000_000
COLUMNS = {"year": ("year", "ano", "annee", "año"), "sector": ("sector", "setor", "secteur"),
           "ecsf_role": ("role", "ecsf role", "rol", "papel", "role ecsf", "rôle"),
           "headcount": ("headcount", "target", "meta", "objetivo", "objectif", "cible", "personas", "pessoas",
                         "personnes")}


@dataclass(frozen=True)
class TargetRow:
    line: int
    year: int
    sector: str
    ecsf_role: str
    headcount: int


@dataclass(frozen=True)
class TargetError:
    line: int
    field: str | None
    message: str


def check_row(line: int, year: str, sector: str, role: str, headcount: str) -> tuple[TargetRow | None, list]:
    """One target row, or the problems with it (a message per field, naming the line)."""
    errors = []
    try:
        year_value = int(year.strip())
        if not 2000 <= year_value <= 2100:
            raise ValueError
    except ValueError:
        errors.append(TargetError(line, "year", lazy_gettext(
            "Line %(line)d: the year “%(value)s” is not a year such as 2026.", line=line, value=year[:20])))
        year_value = 0
    sector_id = coded_values.lookup("sector", sector)
    if sector_id is None:
        errors.append(TargetError(line, "sector", lazy_gettext(
            "Line %(line)d: “%(value)s” is not a sector. Use one of: %(accepted)s.",
            line=line, value=sector[:60], accepted=coded_values.lazy_accepted_values("sector"))))
    role_id = ""
    if role.strip():
        role_id = coded_values.lookup("ecsf_role", role)
        if role_id is None:
            errors.append(TargetError(line, "ecsf_role", lazy_gettext(
                "Line %(line)d: “%(value)s” is not an ECSF role. Use one of: %(accepted)s; or leave it empty "
                "for every role.", line=line, value=role[:60],
                accepted=coded_values.lazy_accepted_values("ecsf_role"))))
    try:
        count = int(headcount.strip().replace(" ", "").replace("\u202f", ""))
        if not 0 <= count <= MAX_HEADCOUNT:
            raise ValueError
    except ValueError:
        errors.append(TargetError(line, "headcount", lazy_gettext(
            "Line %(line)d: the headcount “%(value)s” must be a whole number from 0 to %(max)d.",
            line=line, value=headcount[:20], max=MAX_HEADCOUNT)))
        count = 0
    if errors:
        return None, errors
    return TargetRow(line, year_value, sector_id, role_id or "", count), []


def parse_csv(data: bytes) -> tuple[list[TargetRow], list[TargetError]]:
    """Rows with a header naming year, sector, optional role, and headcount (in en/es/pt/fr)."""
    text, _encoding = decode_text(data)
    if not text or not text.strip():
        return [], [TargetError(1, None, lazy_gettext(
            "The file is empty or not a CSV text file. Save it from your spreadsheet as CSV and upload it again."))]
    first = text.splitlines()[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    records = list(read_records(text, delimiter))
    if not records or records[0][1] is None:
        return [], [TargetError(1, None, lazy_gettext(
            "Line 1 should name the columns: year, sector, role, headcount."))]
    names = {fold(alias): column for column, aliases in COLUMNS.items() for alias in aliases}
    positions = {names[fold(title.strip())]: index for index, title in enumerate(records[0][1])
                 if fold(title.strip()) in names}
    missing = [column for column in ("year", "sector", "headcount") if column not in positions]
    if missing:
        return [], [TargetError(records[0][0], column, lazy_gettext(
            "Line %(line)d: the header has no %(column)s column.", line=records[0][0], column=column))
            for column in missing]
    rows: list[TargetRow] = []
    errors: list[TargetError] = []
    seen: dict[tuple[int, str, str], int] = {}
    for line, fields in records[1:]:
        if fields is None:
            errors.append(TargetError(line, None, lazy_gettext(
                "Line %(line)d cannot be read as CSV: a quotation mark is never closed.", line=line)))
            break

        def value(column: str, fields=fields) -> str:
            index = positions.get(column)
            return fields[index] if index is not None and index < len(fields) else ""

        row, problems = check_row(line, value("year"), value("sector"), value("ecsf_role"), value("headcount"))
        errors.extend(problems)
        if row is not None:
            key = (row.year, row.sector, row.ecsf_role)
            if key in seen:
                errors.append(TargetError(line, None, lazy_gettext(
                    "Line %(line)d repeats the target of line %(first)d (same year, sector and role).",
                    line=line, first=seen[key])))
            else:
                seen[key] = line
                rows.append(row)
    return rows, errors


def save(country: str, rows: list[TargetRow], author: User) -> int:
    """Insert or replace the targets (all rows or none: the caller has checked every row). Flushes."""
    existing = {(t.year, t.sector, t.ecsf_role): t for t in db.session.scalars(
        select(Target).where(Target.country == country))}
    for row in rows:
        target = existing.get((row.year, row.sector, row.ecsf_role))
        if target is None:
            target = Target(country=country, year=row.year, sector=row.sector, ecsf_role=row.ecsf_role)
            db.session.add(target)
        target.headcount, target.updated_by, target.updated_at = row.headcount, author.id, utcnow()
    db.session.flush()
    return len(rows)


def for_country(country: str, year: int) -> list[Target]:
    return list(db.session.scalars(select(Target).where(Target.country == country, Target.year == year)
                                   .order_by(Target.sector, Target.ecsf_role)))
