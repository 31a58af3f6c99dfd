"""Sectors, organisation types and ECSF roles typed in a CSV: codes, English names and the names the interface
shows in Spanish, Portuguese and French, folded; every CSV reader uses the same rule and lists the accepted
values in the reader's language when a value is unknown (issue 20)."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from learnhub import create_app, reference
from learnhub.i18n import ORGANISATION_TYPE_LABELS
from learnhub.services import coded_values, targets
from learnhub.services.cohort_csv import parse_learners_csv


@pytest.fixture(scope="module")
def app():
    return create_app({"LEARNHUB_ENV": "testing", "SECRET_KEY": "x" * 40, "SQLALCHEMY_DATABASE_URI": "sqlite://"})


@pytest.mark.parametrize(("kind", "typed", "code"), [
    ("sector", "Energía", "energy"),
    ("sector", "ENERGIA", "energy"),
    ("sector", "Administración pública", "public-administration"),
    ("sector", "administracion publica", "public-administration"),
    ("sector", "Salud", "health"),
    ("sector", "Saúde", "health"),
    ("sector", "santé", "health"),
    ("sector", "public-administration", "public-administration"),
    ("sector", "Public administration", "public-administration"),
    ("sector", "Education (outside NIS2)", "education"),
    ("organisation_type", "Sector privado", "private"),
    ("organisation_type", "Secteur privé", "private"),
    ("organisation_type", "Gobierno u organismo público", "government"),
    ("organisation_type", "Universidad o centro de investigación", "academia"),
    ("organisation_type", "Sociedade civil ou organização sem fins lucrativos", "civil-society"),
    ("organisation_type", "civil-society", "civil-society"),
    ("organisation_type", "ONG", "civil-society"),
    ("ecsf_role", "penetration-tester", "penetration-tester"),
    ("ecsf_role", "Cyber Incident Responder", "cyber-incident-responder"),
])
def test_codes_and_shown_names_in_every_language_are_read(kind, typed, code):
    assert coded_values.lookup(kind, typed) == code


@pytest.mark.parametrize(("kind", "typed"), [("sector", "mining"), ("sector", ""), ("organisation_type", "media"),
                                             ("ecsf_role", "hacker")])
def test_unknown_values_are_none(kind, typed):
    assert coded_values.lookup(kind, typed) is None


def test_every_shown_name_in_every_language_reads_back_to_its_code(app):
    """What the interface shows is what a trainer copies into a spreadsheet: it must come back."""
    shown = {"sector": [(e.id, e.name) for e in reference.sectors()],
             "ecsf_role": [(e.id, e.name) for e in reference.ecsf_roles()],
             "organisation_type": [(code, str(label._args[0])) for code, label in ORGANISATION_TYPE_LABELS.items()]}
    for language in reference.LANGUAGES:
        with app.test_request_context(), force_locale(language):
            from flask_babel import gettext
            for kind, entries in shown.items():
                for code, name in entries:
                    typed = gettext(name)
                    assert coded_values.lookup(kind, typed) == code, (language, kind, typed)
                    assert coded_values.lookup(kind, typed.upper()) == code, (language, kind, typed)


SPANISH_FILE = "\n".join([
    "correo;nombre;sector;tipo de organización",
    "ana@example.org;Ana Pérez;Energía;Administración pública",
    "luis@example.org;Luis Soto;Administración pública;Gobierno u organismo público",
    "eva@example.org;Eva Ruiz;Salud;Sector privado",
    "rui@example.org;Rui Costa;Saúde;Setor privado",
    "zoe@example.org;Zoé Martin;Santé;Secteur privé",
]).encode("utf-8")


def test_a_cohort_file_in_spanish_imports_every_row():
    parsed = parse_learners_csv(SPANISH_FILE)
    # "Administración pública" is a sector, not an organisation type: that row's type is the one error.
    assert [(e.line, e.field, e.code) for e in parsed.errors] == [(2, "organisation_type", "unknown-organisation-type")]
    assert [(r.sector, r.organisation_type) for r in parsed.rows] == [
        ("public-administration", "government"), ("health", "private"), ("health", "private"), ("health", "private")]


def test_the_error_lists_the_accepted_values_in_the_readers_language(app):
    parsed = parse_learners_csv("email,name,sector,type\nana@example.org,Ana,Minería,Prensa\n".encode())
    with app.test_request_context(), force_locale("es"):
        sector, kind = (str(error.message) for error in parsed.errors)
    assert "Minería" in sector and "Energía (energy)" in sector and "Salud (health)" in sector
    assert "Sector privado (private)" in kind and "Gobierno u organismo público (government)" in kind
    with app.test_request_context(), force_locale("fr"):
        assert "Santé (health)" in str(parsed.errors[0].message)


def test_targets_read_the_same_names_and_list_the_same_values(app):
    rows, errors = targets.parse_csv("año;sector;rol;meta\n2026;Salud;;200\n2026;Energía;;50\n2026;Minería;;5\n"
                                     .encode())
    assert [(r.sector, r.headcount) for r in rows] == [("health", 200), ("energy", 50)]
    assert [(e.line, e.field) for e in errors] == [(4, "sector")]
    with app.test_request_context(), force_locale("es"):
        message = str(errors[0].message)
    assert "Minería" in message and "Salud (health)" in message and "Energía (energy)" in message
