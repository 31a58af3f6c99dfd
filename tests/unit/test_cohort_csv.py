"""Reading a trainer's CSV of learners: encodings, delimiters, column aliases, values and every error."""

from __future__ import annotations

import codecs
import csv
import io
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learnhub.services.cohort_csv import LearnerRow, ParsedImport, RowError, parse_learners_csv


def csv_bytes(*lines: str, encoding: str = "utf-8", newline: str = "\r\n") -> bytes:
    return newline.join(lines).encode(encoding)


def codes(parsed: ParsedImport) -> list[tuple[int, str | None, str, str]]:
    return [(e.line, e.field, e.code, e.value) for e in parsed.errors]


def only_error(data: bytes, **kwargs) -> RowError:
    parsed = parse_learners_csv(data, **kwargs)
    assert parsed.rows == ()
    assert len(parsed.errors) == 1, codes(parsed)
    return parsed.errors[0]


# --- encodings ---------------------------------------------------------------------------------

LATIN_ROWS = ("email,name,organisation", "ana@example.org,Ana Peña,São Tomé Lab", "jf@example.fr,Françoise Lécuyer,Él")


@pytest.mark.parametrize(("data", "encoding"), [
    (csv_bytes(*LATIN_ROWS), "utf-8"),
    (codecs.BOM_UTF8 + csv_bytes(*LATIN_ROWS), "utf-8-sig"),
    (csv_bytes(*LATIN_ROWS, encoding="utf-16"), "utf-16"),
    (codecs.BOM_UTF16_BE + csv_bytes(*LATIN_ROWS, encoding="utf-16-be"), "utf-16"),
    (csv_bytes(*LATIN_ROWS, encoding="cp1252"), "cp1252"),
])
def test_each_encoding_gives_the_accents_back(data, encoding):
    parsed = parse_learners_csv(data)
    assert parsed.encoding == encoding
    assert parsed.errors == ()
    assert [(r.name, r.organisation) for r in parsed.rows] == [
        ("Ana Peña", "São Tomé Lab"), ("Françoise Lécuyer", "Él"),
    ]


def test_the_utf8_bom_is_not_part_of_the_first_column_name():
    parsed = parse_learners_csv(codecs.BOM_UTF8 + b"Email;Name\r\nana@example.org;Ana\r\n")
    assert parsed.errors == ()
    assert parsed.rows[0].email == "ana@example.org"


def test_excel_unicode_text_is_utf16_with_tabs():
    data = "\ufeffCorreo\tNombre\tPaís\r\nana@example.org\tAna Peña\tPerú\r\n".encode("utf-16-le")
    parsed = parse_learners_csv(data)
    assert (parsed.encoding, parsed.delimiter, parsed.errors) == ("utf-16", "\t", ())
    assert parsed.rows == (LearnerRow(2, "ana@example.org", "Ana Peña", "PE", None, None, None, None, None),)


def test_cp1252_curly_quotes_and_euro_sign_come_out_right():
    parsed = parse_learners_csv("email;name;organisation\nana@example.org;Ana;“Café €”\n".encode("cp1252"))
    assert parsed.encoding == "cp1252"
    assert parsed.rows[0].organisation == "“Café €”"


# --- delimiters and quoting --------------------------------------------------------------------

@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_each_delimiter_is_detected_from_the_header(delimiter):
    data = csv_bytes(delimiter.join(["email", "name", "country"]), delimiter.join(["ana@example.org", "Ana", "mx"]))
    parsed = parse_learners_csv(data)
    assert parsed.delimiter == delimiter
    assert parsed.errors == ()
    assert [(r.email, r.name, r.country) for r in parsed.rows] == [("ana@example.org", "Ana", "MX")]


def test_a_semicolon_file_whose_header_quotes_a_comma_is_still_semicolon_separated():
    header = '"Nombre, completo";email;"País, de residencia";country'
    parsed = parse_learners_csv(csv_bytes(header, "Ana Peña;a@b.org;x;CL"))
    assert parsed.delimiter == ";"
    assert parsed.rows[0].country == "CL"


def test_commas_inside_a_quoted_header_do_not_outvote_the_semicolons():
    parsed = parse_learners_csv(csv_bytes('email;name;"Notas, comentarios, etc., más"', "a@b.org;Ana, la de TI;x"))
    assert parsed.delimiter == ";"
    assert [r.name for r in parsed.rows] == ["Ana, la de TI"]


def test_a_single_column_header_defaults_to_comma():
    assert parse_learners_csv(b"email\na@b.org\n").delimiter == ","


def test_quoted_fields_keep_delimiters_quotes_and_newlines_and_lines_are_counted_as_in_the_file():
    data = csv_bytes(
        "email,name,organisation",
        'ana@example.org,"Peña, Ana","Ministerio de ""Seguridad"", Digital"',
        'bob@example.org,Bob,"CERT',
        'Caribe"',
        "",
        "not-an-email,Carla,",
    )
    parsed = parse_learners_csv(data)
    assert [(r.line, r.name, r.organisation) for r in parsed.rows] == [
        (2, "Peña, Ana", 'Ministerio de "Seguridad", Digital'),
        (3, "Bob", "CERT Caribe"),             # whitespace in a name or organisation is collapsed
    ]
    assert codes(parsed) == [(6, "email", "bad-email", "not-an-email")]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_every_line_ending_counts_lines_the_same(newline):
    parsed = parse_learners_csv(csv_bytes("email,name", "", "a@b.org,A", "", "", "bad,B", newline=newline))
    assert [r.line for r in parsed.rows] == [3]
    assert codes(parsed) == [(6, "email", "bad-email", "bad")]


def test_blank_lines_and_rows_of_empty_cells_are_skipped():
    parsed = parse_learners_csv(csv_bytes("", "email;name;country", ";;", "   ", "a@b.org;Ana;", ";;;", "\t"))
    assert parsed.errors == ()
    assert [(r.line, r.country) for r in parsed.rows] == [(5, None)]


# --- column names ------------------------------------------------------------------------------

EXPECTED_FULL_ROW = LearnerRow(
    line=2, email="ana@example.org", name="Ana Peña", country="BR", sector="health", organisation="Hospital X",
    organisation_type="government", ecsf_role="cyber-incident-responder", language="pt",
)


@pytest.mark.parametrize("header", [
    "Email,Full name,Country,Sector,Organisation,Organisation type,ECSF role,Language",
    "E-mail,Name,country,SECTOR,Organization,Type,Role,language",
    "Email address,name,Country,Sector,Organisation,Organization Type,Role,Language",
    "Correo electrónico,Nombre completo,País,Sector,Organización,Tipo de organización,Rol,Idioma",
    "correo,nombre,pais,sector,institución,tipo de organizacion,rol,idioma",
    "E-mail,Nome completo,País,Setor,Organização,Tipo de organização,Papel,Língua",
    "email,nome,pais,setor,organizacao,tipo de organizacao,função,lingua",
    "Courriel,Nom complet,Pays,Secteur,Organisation,Type d'organisation,Rôle,Langue",
    "  COURRIEL ,  Nom ,PAYS,secteur,organisation,TYPE D’ORGANISATION,rôle,langue",
])
def test_column_names_in_four_languages(header):
    parsed = parse_learners_csv(csv_bytes(header, "ana@example.org,Ana Peña,BR,health,Hospital X,government,"
                                                  "cyber-incident-responder,pt"))
    assert parsed.errors == ()
    assert parsed.rows == (EXPECTED_FULL_ROW,)


def test_unknown_columns_are_ignored_and_columns_can_come_in_any_order():
    parsed = parse_learners_csv(csv_bytes("notes;Nombre;teléfono;Correo", "vip;Ana;+52 55;ana@example.org"))
    assert parsed.errors == ()
    assert parsed.rows == (LearnerRow(2, "ana@example.org", "Ana", None, None, None, None, None, None),)


def test_a_repeated_column_uses_its_first_occurrence():
    parsed = parse_learners_csv(csv_bytes("email,name,correo", "first@example.org,Ana,second@example.org"))
    assert parsed.rows[0].email == "first@example.org"


# --- values ------------------------------------------------------------------------------------

def one_row(header: str, value: str) -> ParsedImport:
    return parse_learners_csv(csv_bytes(f"email;name;{header}", f"ana@example.org;Ana;{value}"))


@pytest.mark.parametrize(("typed", "code"), [
    ("MX", "MX"), ("mx", "MX"), (" br ", "BR"), ("México", "MX"), ("mexico", "MX"), ("Mexique", "MX"),
    ("Brazil", "BR"), ("Brasil", "BR"), ("Brésil", "BR"), ("ESPAÑA", "ES"), ("Espanha", "ES"), ("Espagne", "ES"),
    ("Alemania", "DE"), ("Alemanha", "DE"), ("Allemagne", "DE"), ("Germany", "DE"),
    ("República Dominicana", "DO"), ("Dominica", "DM"), ("Perú", "PE"), ("Haïti", "HT"), ("Haiti", "HT"),
    ("Trinidad and Tobago", "TT"), ("Trinidad & Tobago", "TT"), ("Trinidad y Tobago", "TT"),
    ("Trinité-et-Tobago", "TT"), ("Saint Lucia", "LC"), ("St. Lucia", "LC"), ("Santa Lucía", "LC"),
    ("São Cristóvão e Névis", "KN"), ("Czech Republic", "CZ"), ("Tchéquie", "CZ"), ("Países Bajos", "NL"),
    ("Pays-Bas", "NL"), ("Bolivia", "BO"), ("Venezuela", "VE"),
])
def test_country_by_code_or_name(typed, code):
    parsed = one_row("country", typed)
    assert parsed.errors == ()
    assert parsed.rows[0].country == code


@pytest.mark.parametrize(("typed", "sector"), [
    ("energy", "energy"), ("ENERGY", "energy"), ("Drinking water", "drinking-water"),
    ("drinking-water", "drinking-water"), ("ICT service management (business-to-business)", "ict-service-management"),
    ("Public administration", "public-administration"), ("Education (outside NIS2)", "education"),
    ("education", "education"), ("Postal and courier services", "postal-courier"),
])
def test_sector_by_id_or_english_name(typed, sector):
    assert one_row("sector", typed).rows[0].sector == sector


@pytest.mark.parametrize(("typed", "role"), [
    ("ciso", "ciso"), ("Chief Information Security Officer (CISO)", "ciso"), ("CISO", "ciso"),
    ("penetration tester", "penetration-tester"), ("Penetration-Tester", "penetration-tester"),
    ("Cyber Legal, Policy and Compliance Officer", "cyber-legal-policy-compliance-officer"),
])
def test_ecsf_role_by_id_or_english_name(typed, role):
    parsed = parse_learners_csv(csv_bytes("email,name,role", f'a@b.org,Ana,"{typed}"'))
    assert parsed.errors == ()
    assert parsed.rows[0].ecsf_role == role


@pytest.mark.parametrize(("typed", "kind"), [
    ("government", "government"), ("Gobierno", "government"), ("governo", "government"),
    ("Gouvernement", "government"), ("private", "private"), ("Privado", "private"), ("privé", "private"),
    ("academia", "academia"), ("Universidad", "academia"), ("universidade", "academia"), ("Université", "academia"),
    ("civil-society", "civil-society"), ("Civil society", "civil-society"), ("sociedad civil", "civil-society"),
    ("Sociedade Civil", "civil-society"), ("société civile", "civil-society"),
])
def test_organisation_type_by_id_or_an_obvious_word(typed, kind):
    assert one_row("organisation type", typed).rows[0].organisation_type == kind


@pytest.mark.parametrize(("typed", "language"), [
    ("en", "en"), ("ES", "es"), ("pt-BR", "pt"), ("fr_FR", "fr"), ("English", "en"), ("Español", "es"),
    ("espanol", "es"), ("Português", "pt"), ("FRANÇAIS", "fr"), ("Spanish", "es"), ("inglés", "en"),
    ("portugais", "pt"), ("francês", "fr"),
])
def test_language_by_code_or_name(typed, language):
    assert one_row("language", typed).rows[0].language == language


def test_emails_are_normalised_and_optional_values_left_empty_are_none():
    parsed = parse_learners_csv(csv_bytes("email,name,country,sector,organisation,type,role,language",
                                          "  Ana.Pena@Example.ORG , Ana  Peña ,,,  ,,,"))
    assert parsed.rows == (LearnerRow(2, "ana.pena@example.org", "Ana Peña", None, None, None, None, None, None),)


def test_header_only_gives_no_rows_and_no_errors():
    assert parse_learners_csv(b"email,name,country\r\n") == ParsedImport((), (), "utf-8", ",")


# --- errors ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("row", "expected"), [
    (",Ana", [(2, "email", "missing-email", "")]),
    ("  ,Ana", [(2, "email", "missing-email", "")]),
    ("ana,Ana", [(2, "email", "bad-email", "ana")]),
    ("ana@example,Ana", [(2, "email", "bad-email", "ana@example")]),
    ("ana@@example.org,Ana", [(2, "email", "bad-email", "ana@@example.org")]),
    ("a@b@example.org,Ana", [(2, "email", "bad-email", "a@b@example.org")]),
    ("ana pena@example.org,Ana", [(2, "email", "bad-email", "ana pena@example.org")]),
    ("@example.org,Ana", [(2, "email", "bad-email", "@example.org")]),
    ("ana@example..org,Ana", [(2, "email", "bad-email", "ana@example..org")]),
    ("ana@.org,Ana", [(2, "email", "bad-email", "ana@.org")]),
    ('"Ana <ana@example.org>",Ana', [(2, "email", "bad-email", "Ana <ana@example.org>")]),
    ("ana@example.org\u200b,Ana", [(2, "email", "bad-email", "ana@example.org\u200b")]),
    (f"{'a' * 245}@example.org,Ana", [(2, "email", "bad-email", "a" * 80)]),
    ("ana@example.org,", [(2, "name", "missing-name", "")]),
    (f"ana@example.org,{'N' * 121}", [(2, "name", "too-long", "N" * 80)]),
    (f"ana@example.org,Ana,{'O' * 201}", [(2, "organisation", "too-long", "O" * 80)]),
    ("ana@example.org,Ana,,US", [(2, "country", "unknown-country", "US")]),
    ("ana@example.org,Ana,,United States", [(2, "country", "unknown-country", "United States")]),
    ("ana@example.org,Ana,,,mining", [(2, "sector", "unknown-sector", "mining")]),
    ("ana@example.org,Ana,,,,,hacker", [(2, "ecsf_role", "unknown-role", "hacker")]),
    ("ana@example.org,Ana,,,,,,de", [(2, "language", "unknown-language", "de")]),
    ("ana@example.org,Ana,,,,media,", [(2, "organisation_type", "unknown-organisation-type", "media")]),
    ("ana@example.org,Ana,,,,,,,surplus", [(2, None, "too-many-columns", "surplus")]),
    ("ana@example.org,Ana,,,,,,,one,two,", [(2, None, "too-many-columns", "one,two")]),
    (",,,Atlantis,mining,,,klingon", [
        (2, "email", "missing-email", ""), (2, "name", "missing-name", ""),
        (2, "country", "unknown-country", "Atlantis"), (2, "sector", "unknown-sector", "mining"),
        (2, "language", "unknown-language", "klingon"),
    ]),
])
def test_each_value_error_names_its_line_field_and_value(row, expected):
    parsed = parse_learners_csv(csv_bytes("email,name,organisation,country,sector,type,role,language", row))
    assert parsed.rows == ()
    assert codes(parsed) == expected


def test_trailing_empty_cells_beyond_the_header_are_not_extra_columns():
    parsed = parse_learners_csv(csv_bytes("email,name", "ana@example.org,Ana,,, "))
    assert parsed.errors == ()
    assert len(parsed.rows) == 1


def test_a_row_with_errors_is_left_out_and_the_others_kept_in_order():
    parsed = parse_learners_csv(csv_bytes(
        "email;name;country", "a@example.org;A;MX", "b@example.org;;XX", "c@example.org;C;BR",
    ))
    assert [r.email for r in parsed.rows] == ["a@example.org", "c@example.org"]
    assert codes(parsed) == [(3, "name", "missing-name", ""), (3, "country", "unknown-country", "XX")]


def test_a_repeated_email_is_an_error_on_the_later_line_naming_the_first():
    parsed = parse_learners_csv(csv_bytes(
        "email,name", "ana@example.org,Ana", "bob@example.org,Bob", '"  ANA@Example.org ",Ana again',
        "Ana@example.ORG,Ana thrice",
    ))
    assert [(r.line, r.email) for r in parsed.rows] == [(2, "ana@example.org"), (3, "bob@example.org")]
    assert codes(parsed) == [
        (4, "email", "duplicate-email", "ANA@Example.org"), (5, "email", "duplicate-email", "Ana@example.ORG"),
    ]
    assert str(parsed.errors[0].message) == (
        "Line 4: the e-mail ANA@Example.org is already on line 2. Remove one of the two rows."
    )


def test_a_duplicate_of_a_row_with_other_errors_still_names_that_row():
    parsed = parse_learners_csv(csv_bytes("email,name,country", "ana@example.org,Ana,XX", "ana@example.org,Ana,MX"))
    assert parsed.rows == ()
    assert codes(parsed) == [(2, "country", "unknown-country", "XX"), (3, "email", "duplicate-email",
                                                                       "ana@example.org")]


def test_missing_email_column():
    error = only_error(csv_bytes("name,country", "Ana,MX"))
    assert (error.line, error.field, error.code, error.value) == (1, "email", "missing-column", "")
    assert str(error.message) == (
        "Line 1: the header has no e-mail column. Add a column named email (or correo, courriel)."
    )


def test_missing_name_column():
    error = only_error(csv_bytes("Correo;País", "ana@example.org;MX"))
    assert (error.line, error.field, error.code, error.value) == (1, "name", "missing-column", "")


def test_data_without_a_header_row():
    error = only_error(csv_bytes("ana@example.org,Ana Peña,MX", "bob@example.org,Bob,BR"))
    assert (error.line, error.field, error.code, error.value) == (1, None, "no-header", "ana@example.org,Ana Peña,MX")


def test_too_many_rows_is_one_error_and_no_rows():
    data = csv_bytes("email,name", *(f"u{i}@example.org,U{i}" for i in range(4)), "bad,")
    error = only_error(data, max_rows=3)
    assert (error.line, error.field, error.code, error.value) == (5, None, "too-many-rows", "")
    assert str(error.message) == (
        "Line 5: the file has more than 3 learners. Split it into files of at most 3 rows and upload each one."
    )
    assert len(parse_learners_csv(data.rsplit(b"\r\n", 2)[0], max_rows=3).rows) == 3


def test_blank_lines_do_not_count_towards_the_row_limit():
    data = csv_bytes("email,name", "", "a@example.org,A", "", "b@example.org,B", "", "")
    assert len(parse_learners_csv(data, max_rows=2).rows) == 2


@pytest.mark.parametrize("data", [
    b"", b"   ", b"\r\n\r\n", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, b",,,\r\n;;\r\n", "\ufeff\r\n".encode("utf-16"),
])
def test_empty_file(data):
    error = only_error(data)
    assert (error.line, error.field, error.code, error.value) == (1, None, "empty-file", "")


@pytest.mark.parametrize(("data", "encoding"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01", "cp1252"),              # an image
    (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", "utf-8"),               # an .xlsx is a zip
    (b"email,name\r\nana@example.org,An\x00a\r\n", "utf-8"),                      # a NUL in a UTF-8 file
    ("email\tname\r\n".encode("utf-16-le"), "utf-8"),                            # UTF-16 without its BOM
    (b"email,name\r\n\x81\x8d\x8f\x90\xff,\xfe\r\n", "cp1252"),                   # not UTF-8, not cp1252
    (codecs.BOM_UTF8 + b"email\xff\xfe", "utf-8-sig"),
    (codecs.BOM_UTF16_LE + b"e\x00m\x00\x00\xd8", "utf-16"),                      # a lone surrogate
    (codecs.BOM_UTF16_LE + b"e\x00m", "utf-16"),                                  # an odd number of bytes
    (bytes(range(256)), "cp1252"),
])
def test_binary_junk_is_one_not_text_error(data, encoding):
    parsed = parse_learners_csv(data)
    assert parsed.encoding == encoding
    assert codes(parsed) == [(1, None, "not-text", "")]
    assert parsed.rows == ()


def test_a_quote_never_closed_is_reported_at_its_line_and_keeps_the_rows_before():
    data = csv_bytes("email,name", "a@example.org,A", 'b@example.org,"B' + "x" * 140_000, "c@example.org,C")
    parsed = parse_learners_csv(data)
    assert [r.email for r in parsed.rows] == ["a@example.org"]
    assert codes(parsed) == [(3, None, "bad-csv", "")]


def test_an_unreadable_header_is_reported_at_its_line():
    parsed = parse_learners_csv(b"\r\n" + b'"email' + b"x" * 140_000)
    assert parsed.rows == ()
    assert codes(parsed) == [(2, None, "bad-csv", "")]


def test_messages_name_the_line_and_value_and_are_rendered_without_an_app():
    parsed = parse_learners_csv(csv_bytes("email,name,country", "", "ana@,Ana,Narnia"))
    assert [str(e.message) for e in parsed.errors] == [
        "Line 3: “ana@” is not an e-mail address. Correct it in the e-mail column.",
        "Line 3: “Narnia” in the country column is not an EU or CELAC country. Use a two-letter code such as "
        "MX, BR or ES, or the country's name.",
    ]


def test_every_code_has_a_message_that_renders():
    seen: set[str] = set()
    samples = [
        b"", b"\x00", csv_bytes("a,b", "c,d"), csv_bytes("country", "MX"), csv_bytes("email,name", "x,y"),
        csv_bytes("email,name", "a@b.org,A", "a@b.org,A,extra"), csv_bytes("email,name", f'a@b.org,"{"x" * 140_000}'),
        csv_bytes("email,name,country,sector,type,role,language,organisation",
                  f",{'n' * 121},XX,YY,ZZ,WW,VV,{'o' * 201}", "a@b.org,"),
        csv_bytes("email,name", "a@b.org,A", "b@b.org,B"),
    ]
    for index, data in enumerate(samples):
        parsed = parse_learners_csv(data, max_rows=1 if index == len(samples) - 1 else 10)
        for error in parsed.errors:
            assert str(error.message).strip() and "%(" not in str(error.message)
            seen.add(error.code)
    assert seen == {
        "empty-file", "not-text", "no-header", "missing-column", "bad-email", "duplicate-email",
        "too-many-columns", "bad-csv", "missing-email", "too-long", "unknown-country", "unknown-sector",
        "unknown-organisation-type", "unknown-role", "unknown-language", "missing-name", "too-many-rows",
    }


# --- size and robustness -----------------------------------------------------------------------

def test_ten_thousand_rows():
    rng = random.Random(7)
    countries = ["MX", "br", "España", "Brésil", "Chile", "pt"]
    lines = ["Correo;Nombre;País;Sector;Idioma"] + [
        f"learner{i}@example.org;Learner {i} Peña;{rng.choice(countries)};health;es" for i in range(10_000)
    ]
    parsed = parse_learners_csv(csv_bytes(*lines, encoding="cp1252"))
    assert parsed.errors == ()
    assert len(parsed.rows) == 10_000
    last = parsed.rows[-1]
    assert (last.line, last.email, last.name, last.sector, last.language) == (
        10_001, "learner9999@example.org", "Learner 9999 Peña", "health", "es")
    assert {r.country for r in parsed.rows} == {"MX", "BR", "ES", "CL", "PT"}


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400), st.integers(min_value=0, max_value=5))
def test_any_bytes_give_a_parsed_import(data, max_rows):
    parsed = parse_learners_csv(data, max_rows=max_rows)
    assert isinstance(parsed, ParsedImport)
    assert parsed.encoding in {"utf-8", "utf-8-sig", "cp1252", "utf-16"}
    assert parsed.delimiter in {",", ";", "\t"}
    assert [e.line for e in parsed.errors] == sorted(e.line for e in parsed.errors)
    for error in parsed.errors:
        assert len(error.value) <= 80
        str(error.message)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=200))
def test_any_bytes_after_a_header_give_a_parsed_import(tail):
    parsed = parse_learners_csv(b"email;name;country;sector;role;language;type\r\n" + tail)
    assert isinstance(parsed, ParsedImport)
    assert len({r.email for r in parsed.rows}) == len(parsed.rows)


NAMES = st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=40).map(
    lambda s: " ".join(s.split())).filter(bool)


@settings(max_examples=100)
@given(st.lists(NAMES, min_size=1, max_size=8), st.sampled_from([",", ";", "\t"]),
       st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_what_a_spreadsheet_writes_comes_back(names, delimiter, encoding):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(["Nombre", "Correo"])
    writer.writerows([name, f"learner{i}@example.org"] for i, name in enumerate(names))
    parsed = parse_learners_csv(buffer.getvalue().encode(encoding))
    assert (parsed.encoding, parsed.delimiter, parsed.errors) == (encoding, delimiter, ())
    assert [r.name for r in parsed.rows] == names
