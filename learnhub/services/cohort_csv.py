"""A trainer's CSV of learners for a cohort, read into checked rows and errors the trainer can act on.

Trainers export these files from whatever spreadsheet they have, in their own language: Excel in
es/pt/fr locales writes Windows-1252 with semicolons, "Unicode text" is UTF-16 with tabs, Google
Sheets and LibreOffice write UTF-8 with commas. So the encoding and delimiter are detected, column
names are matched in English, Spanish, Portuguese and French, sectors, organisation types and roles are
read as codes or as the names the interface shows in any of its languages (`coded_values`), and every
problem becomes a RowError naming its line and column rather than an exception. Nothing here touches the
database: the caller decides what to do with the good rows (typically nothing until `errors` is empty).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache

import pycountry
from babel import Locale
from flask_babel import LazyString, lazy_gettext

from learnhub import reference
from learnhub.services import coded_values
from learnhub.services.accounts import email_problem, normalise_email
from learnhub.services.coded_values import fold_words
from learnhub.text import clean_line

DELIMITERS = (",", ";", "\t")
MAX_NAME = 120
MAX_ORGANISATION = 200
MAX_VALUE = 80

# Folded column names (see coded_values.fold_words) -> the LearnerRow field they fill.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "email": (
        "email", "e mail", "email address", "e mail address", "mail", "correo", "correo electronico",
        "email de contacto", "endereco de email", "endereco de e mail", "courriel", "adresse e mail",
        "adresse electronique", "adresse email",
    ),
    "name": (
        "name", "full name", "nombre", "nombre completo", "nombre y apellidos", "nome", "nome completo",
        "nom", "nom complet", "nom et prenom", "prenom et nom",
    ),
    "country": ("country", "pais", "pays"),
    "sector": ("sector", "secteur", "setor", "nis2 sector"),
    "organisation": (
        "organisation", "organization", "organizacion", "organizacao", "institucion", "instituicao",
        "institution", "organisme",
    ),
    "organisation_type": (
        "organisation type", "organization type", "type", "tipo", "tipo de organizacion", "tipo de organizacao",
        "type d organisation", "type d organisme",
    ),
    "ecsf_role": (
        "role", "ecsf role", "rol", "rol ecsf", "papel", "papel ecsf", "funcao", "role ecsf", "perfil ecsf",
    ),
    "language": ("language", "idioma", "lingua", "langue"),
}
REQUIRED_COLUMNS = ("email", "name")

# C0/C1 control characters other than tab, line feed, vertical tab, form feed and carriage return:
# a text file exported from a spreadsheet has none of them, binary files have many.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
# What a spreadsheet writes for an empty row, whatever its separator.
_BLANK = re.compile(r"[\s,;]*")


@dataclass(frozen=True)
class LearnerRow:
    line: int                 # 1-based line in the file (the header is line 1)
    email: str                # normalised with accounts.normalise_email
    name: str
    country: str | None       # ISO alpha-2 upper-case, one of reference.country_regions(); None = not given
    sector: str | None        # NIS2 sector id; None = not given
    organisation: str | None
    organisation_type: str | None
    ecsf_role: str | None
    language: str | None      # en/es/pt/fr


@dataclass(frozen=True)
class RowError:
    line: int
    field: str | None         # the column concerned (canonical name), None for the whole row/file
    code: str                 # machine code: "bad-email", "duplicate-email", "missing-email", "missing-name",
    #                           "too-long", "unknown-country", "unknown-sector", "unknown-role", "unknown-language",
    #                           "unknown-organisation-type", "too-many-columns", "no-header", "missing-column",
    #                           "not-text", "bad-csv", "too-many-rows", "empty-file"
    value: str                # the offending value as typed ("" if none), cut to 80 chars
    message: str              # a flask_babel LazyString: translated when rendered, no app context needed here


@dataclass(frozen=True)
class ParsedImport:
    rows: tuple[LearnerRow, ...]      # the good rows, in file order
    errors: tuple[RowError, ...]      # in line order
    encoding: str                     # what was detected: "utf-8", "utf-8-sig", "cp1252", "utf-16"
    delimiter: str                    # "," ";" or "\t"


def parse_learners_csv(data: bytes, *, max_rows: int = 20_000) -> ParsedImport:
    """The learners in `data`, checked; never raises, whatever the bytes.

    A row with any error is left out of `rows`. File-level problems (not text, empty, no header,
    a required column missing, more than `max_rows` learners) give a single error per problem and
    no rows at all.
    """
    text, encoding = _decode(data)
    if text is None:
        return ParsedImport((), (_error(1, None, "not-text"),), encoding, ",")
    delimiter = _detect_delimiter(text)

    def fail(*errors: RowError) -> ParsedImport:
        return ParsedImport((), errors, encoding, delimiter)

    records = _records(text, delimiter)
    first = next(records, None)
    if first is None:
        return fail(_error(1, None, "empty-file"))
    header_line, header = first
    if header is None:
        return fail(_error(header_line, None, "bad-csv"))
    columns = _columns(header)
    if not columns:
        return fail(_error(header_line, None, "no-header", delimiter.join(header).strip()))
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        return fail(*(_error(header_line, name, "missing-column") for name in missing))

    checker = _RowChecker(columns, width=len(header), delimiter=delimiter)
    rows: list[LearnerRow] = []
    errors: list[RowError] = []
    for count, (line, fields) in enumerate(records, start=1):
        if count > max_rows:
            return fail(_error(line, None, "too-many-rows", max=max_rows))
        if fields is None:
            errors.append(_error(line, None, "bad-csv"))
            break
        row, problems = checker.check(line, fields)
        if problems:
            errors.extend(problems)
        else:
            rows.append(row)
    return ParsedImport(tuple(rows), tuple(errors), encoding, delimiter)


# --- reading the bytes ------------------------------------------------------------------------

def _decode(data: bytes) -> tuple[str | None, str]:
    """The text and the encoding it was read with; None as text when the bytes are not a text file."""
    if data.startswith(codecs.BOM_UTF8):
        candidates = ("utf-8-sig",)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ("utf-16",)
    else:
        candidates = ("utf-8", "cp1252")
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return (None if _CONTROL.search(text) else text.lstrip("\ufeff")), encoding   # a second BOM: ignore it too
    return None, candidates[-1]


def _detect_delimiter(text: str) -> str:
    """The delimiter that makes the first non-blank line name the most known columns, then the commonest.

    Counting in the header is reliable where csv.Sniffer is not: a header has no numbers or free text,
    and Excel's es/pt/fr exports put semicolons where English ones put commas.
    """
    header = next((line for line in io.StringIO(text, newline="") if not _BLANK.fullmatch(line)), "")
    unquoted = re.sub(r'"[^"]*"', "", header)

    def score(delimiter: str) -> tuple[int, int]:
        try:
            fields = next(csv.reader([header.rstrip("\r\n")], delimiter=delimiter), [])
        except csv.Error:   # a header over the field size limit; _records reports it
            fields = []
        return len(_columns(fields)), unquoted.count(delimiter)

    return max(DELIMITERS, key=score)


def _records(text: str, delimiter: str) -> Iterator[tuple[int, list[str] | None]]:
    """(line where the record starts, its fields) for each non-blank record; fields None if unreadable.

    Lines are counted as the file has them, so a quoted value spanning lines moves the next line on.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error:  # a field over the csv module's size limit: a quote never closed, usually
            yield line, None
            return
        if not all(_BLANK.fullmatch(field) for field in fields):
            yield line, fields
        line = reader.line_num + 1


@cache
def _column_names() -> dict[str, str]:
    return {alias: column for column, aliases in COLUMN_ALIASES.items() for alias in aliases}


def _columns(header: list[str]) -> dict[str, int]:
    """Known column -> its index; unknown columns are ignored and a repeated one keeps its first place."""
    names = _column_names()
    columns: dict[str, int] = {}
    for index, title in enumerate(header):
        column = names.get(fold_words(title))
        if column is not None:
            columns.setdefault(column, index)
    return columns


# --- checking the values ----------------------------------------------------------------------

class _RowChecker:
    """Turns one record into a LearnerRow or its errors, remembering e-mails already seen."""

    def __init__(self, columns: dict[str, int], *, width: int, delimiter: str):
        self.columns = columns
        self.width = width
        self.delimiter = delimiter
        self.first_line_of: dict[str, int] = {}

    def check(self, line: int, fields: list[str]) -> tuple[LearnerRow | None, list[RowError]]:
        errors: list[RowError] = []

        def value(column: str) -> str:
            index = self.columns.get(column)
            return clean_line(fields[index]).strip() if index is not None and index < len(fields) else ""

        extra = fields[self.width:]
        if any(field.strip() for field in extra):
            typed = self.delimiter.join(extra).rstrip(self.delimiter + " ")
            errors.append(_error(line, None, "too-many-columns", typed))

        typed_email = value("email")
        email = normalise_email(typed_email)
        if not email:
            errors.append(_error(line, "email", "missing-email"))
        elif email_problem(email) is not None:  # the one e-mail rule of every door
            errors.append(_error(line, "email", "bad-email", typed_email))
        elif email in self.first_line_of:
            errors.append(_error(line, "email", "duplicate-email", typed_email, first=self.first_line_of[email]))
        else:
            self.first_line_of[email] = line

        name = " ".join(value("name").split())
        if not name:
            errors.append(_error(line, "name", "missing-name"))
        elif len(name) > MAX_NAME:
            errors.append(_error(line, "name", "too-long", name, max=MAX_NAME))

        organisation = " ".join(value("organisation").split()) or None
        if organisation and len(organisation) > MAX_ORGANISATION:
            errors.append(_error(line, "organisation", "too-long", organisation, max=MAX_ORGANISATION))

        coded: dict[str, str | None] = {}
        for column, (lookup, code) in _CODED_COLUMNS.items():
            typed = value(column)
            coded[column] = lookup(typed) if typed else None
            if typed and coded[column] is None:
                errors.append(_error(line, column, code, typed))

        if errors:
            return None, errors
        return LearnerRow(line=line, email=email, name=name, organisation=organisation, **coded), errors


@lru_cache(maxsize=2048)
def _country(typed: str) -> str | None:
    code = typed.upper()
    if code in reference.country_regions():
        return code
    return _country_names().get(fold_words(typed))


@cache
def _country_names() -> dict[str, str]:
    """Folded English, Spanish, Portuguese and French names of the EU and CELAC states -> alpha-2.

    Babel's names are the ones the platform shows; pycountry adds the long English forms trainers
    type ("Saint Lucia", "Trinidad and Tobago", "Czech Republic").
    """
    names: dict[str, str] = {}
    for code in reference.country_regions():
        for language in reference.LANGUAGES:
            names[fold_words(Locale(language).territories[code])] = code
        country = pycountry.countries.get(alpha_2=code)
        for attribute in ("name", "official_name", "common_name"):
            if (name := getattr(country, attribute, None)) is not None:
                names[fold_words(name)] = code
    return names


def _sector(typed: str) -> str | None:
    return coded_values.lookup("sector", typed)


def _ecsf_role(typed: str) -> str | None:
    return coded_values.lookup("ecsf_role", typed)


def _organisation_type(typed: str) -> str | None:
    return coded_values.lookup("organisation_type", typed)


@cache
def _language_names() -> dict[str, str]:
    """Codes and the names of the platform's languages in each of them ("inglés", "Português") -> code."""
    names = {code: code for code in reference.LANGUAGES}
    for shown_in in reference.LANGUAGES:
        for code in reference.LANGUAGES:
            names[fold_words(Locale(shown_in).languages[code])] = code
    return names


@lru_cache(maxsize=512)
def _language(typed: str) -> str | None:
    folded = fold_words(typed)
    words = folded.split()
    if len(words) == 2 and words[0] in reference.LANGUAGES and len(words[1]) == 2:   # "pt-BR", "es_MX"
        return words[0]
    return _language_names().get(folded)


_CODED_COLUMNS: dict[str, tuple[Callable[[str], str | None], str]] = {
    "country": (_country, "unknown-country"),
    "sector": (_sector, "unknown-sector"),
    "organisation_type": (_organisation_type, "unknown-organisation-type"),
    "ecsf_role": (_ecsf_role, "unknown-role"),
    "language": (_language, "unknown-language"),
}


# --- messages ---------------------------------------------------------------------------------

# One message per code (or code:field), each a literal so pybabel extracts it; every message gets
# line and value, and some an extra number (max, first).
_MESSAGES: dict[str, Callable[..., LazyString]] = {
    "not-text": lambda **v: lazy_gettext(
        "The file is not a CSV text file. In your spreadsheet use Save as, choose CSV (comma or semicolon "
        "separated) and upload that file.", **v),
    "empty-file": lambda **v: lazy_gettext(
        "The file is empty. Upload a CSV file with a header row (email, name, …) and one learner per line.", **v),
    "bad-csv": lambda **v: lazy_gettext(
        "Line %(line)d cannot be read as CSV, usually because a quotation mark is never closed. Correct that "
        "line and upload the file again.", **v),
    "no-header": lambda **v: lazy_gettext(
        "Line %(line)d should name the columns (for example email, name, country) but names none this import "
        "knows: “%(value)s”. Add a header row.", **v),
    "missing-column:email": lambda **v: lazy_gettext(
        "Line %(line)d: the header has no e-mail column. Add a column named email (or correo, courriel).", **v),
    "missing-column:name": lambda **v: lazy_gettext(
        "Line %(line)d: the header has no name column. Add a column named name (or nombre, nome, nom).", **v),
    "too-many-rows": lambda **v: lazy_gettext(
        "Line %(line)d: the file has more than %(max)d learners. Split it into files of at most %(max)d rows "
        "and upload each one.", **v),
    "too-many-columns": lambda **v: lazy_gettext(
        "Line %(line)d has more values than the header has columns (extra: “%(value)s”). Put quotation marks "
        "around values that contain the separator, or remove the extra values.", **v),
    "missing-email": lambda **v: lazy_gettext(
        "Line %(line)d: the e-mail is empty. Enter the learner's e-mail address.", **v),
    "bad-email": lambda **v: lazy_gettext(
        "Line %(line)d: “%(value)s” is not an e-mail address. Correct it in the e-mail column.", **v),
    "duplicate-email": lambda **v: lazy_gettext(
        "Line %(line)d: the e-mail %(value)s is already on line %(first)d. Remove one of the two rows.", **v),
    "missing-name": lambda **v: lazy_gettext(
        "Line %(line)d: the name is empty. Enter the learner's full name.", **v),
    "too-long:name": lambda **v: lazy_gettext(
        "Line %(line)d: the name is longer than %(max)d characters. Shorten it.", **v),
    "too-long:organisation": lambda **v: lazy_gettext(
        "Line %(line)d: the organisation is longer than %(max)d characters. Shorten it.", **v),
    "unknown-country": lambda **v: lazy_gettext(
        "Line %(line)d: “%(value)s” in the country column is not an EU or CELAC country. Use a two-letter code "
        "such as MX, BR or ES, or the country's name.", **v),
    "unknown-sector": lambda **v: lazy_gettext(
        "Line %(line)d: “%(value)s” in the sector column is not a sector. Use one of: %(accepted)s; or leave it "
        "empty.", accepted=coded_values.lazy_accepted_values("sector"), **v),
    "unknown-organisation-type": lambda **v: lazy_gettext(
        "Line %(line)d: “%(value)s” in the organisation type column is not known. Use one of: %(accepted)s; or "
        "leave it empty.", accepted=coded_values.lazy_accepted_values("organisation_type"), **v),
    "unknown-role": lambda **v: lazy_gettext(
        "Line %(line)d: “%(value)s” in the role column is not an ECSF role. Use one of: %(accepted)s; or leave "
        "it empty.", accepted=coded_values.lazy_accepted_values("ecsf_role"), **v),
    "unknown-language": lambda **v: lazy_gettext(
        "Line %(line)d: “%(value)s” in the language column is not a language of the platform. Use en, es, pt "
        "or fr, or leave it empty.", **v),
}


def _error(line: int, field: str | None, code: str, value: str = "", **numbers: int) -> RowError:
    value = value[:MAX_VALUE]
    message = _MESSAGES.get(f"{code}:{field}") or _MESSAGES[code]
    return RowError(line, field, code, value, message(line=line, value=value, **numbers))


# The same reading rules serve every spreadsheet upload (targets too).
decode_text = _decode
read_records = _records
