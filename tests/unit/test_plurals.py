"""Every count the interface shows goes through ngettext (issue 20: "Se importaron 1 filas", "Primeros intentos
de 1 participantes", "1 horas"), and every message is one pybabel can extract.

The scan reads the messages as `make messages` extracts them (templates, Python, e-mails): a message that is
not a plural may hold a number only if the number is not a count of something (a line number, an ordinal, a
percentage, a code) or a fixed limit that is never 1; those are listed below, each with its reason, so a new
message with a count fails here until it uses ngettext or says why it need not.
"""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\((\w+)\)([ds])")

# Names that hold something other than a count wherever they appear.
NOT_COUNT_NAMES = {
    "line": "a line of a file",
    "first": "the line a duplicate first appeared on",
    "id": "a job's number",
    "percent": "a percentage",
    "k": "the suppression threshold, a number compared with counts, not a number of things",
    "d": "the perturbation bound, a difference between counts",
    "hidden": "a footnote number",
    "score": "a percentage",
    "mark": "a percentage",
    "year": "a year",
    "date": "a date",
    "version": "a saved version's number",
    "old": "a saved version's number",
    "new": "a saved version's number",
    "ratio": "a fixed limit (course_zip.MAX_RATIO: how many times a file may be compressed)",
}
# Names that carry a count in a message formatted with %(…)s (a number already formatted by numberformat).
COUNT_NAMES = {"num", "count", "n", "rows", "total", "done", "shown", "hours", "minutes", "days", "learners",
               "attempts", "people", "invited", "already", "skipped", "examined", "changed", "passes", "max"}
# Messages whose remaining number is not a count, or is a count fixed above 1.
NOT_COUNTS = {
    "Question %(num)s": "an ordinal (the question's place)",
    "Attempt %(num)d": "an ordinal (the attempt's number)",
    "Table %(num)d (scroll sideways to see all of it)": "an ordinal (the table's place in the lesson)",
    "Page %(num)s": "an ordinal (the page's number)",
    "Enter a password of at least %(n)d characters.": "a fixed limit (passwords.MIN_LENGTH, 12)",
    "Enter a password of at most %(n)d characters.": "a fixed limit (passwords.MAX_LENGTH)",
    "Enter an e-mail address of at most %(n)d characters.": "a fixed limit (254)",
    "Enter a name of at most %(n)d characters.": "a fixed limit (api_tokens.NAME_MAX_LENGTH)",
    "Line %(line)d: the file has more than %(max)d learners. Split it into files of at most %(max)d rows and "
    "upload each one.": "a fixed limit (20,000 rows)",
    "Line %(line)d: the name is longer than %(max)d characters. Shorten it.": "a fixed limit (120)",
    "Line %(line)d: the organisation is longer than %(max)d characters. Shorten it.": "a fixed limit (200)",
    "Line %(line)d: the headcount “%(value)s” must be a whole number from 0 to %(max)d.": "a range's bound",
    "The file is larger than %(n)d MB.": "a fixed limit (course_zip.MAX_ZIP_BYTES)",
    "The archive holds %(count)d files; a course may have at most %(n)d.": "a fixed limit (course_zip.MAX_FILES), "
    "and a count above it",
    "The files add up to %(size)d MB once extracted; the limit is %(n)d MB.": "a fixed limit and a size above it",
    "%(path)s: the text is larger than %(n)d bytes.": "a fixed limit (workspaces.MAX_FILE_BYTES)",
    "Counts from 1 to %(k)d are not shown (—), nor any other cell that would let someone work them out from the "
    "totals; no percentage is shown over fewer than %(n)d learners.": "the suppression threshold, never below 5",
}


def extracted_messages() -> list[tuple[str, int, str | tuple]]:
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
    return [(filename, line, message) for filename, line, message, _comments, _context in
            extract_from_dir(ROOT, method_map, options_map, keywords=keywords)
            if filename.startswith("learnhub/")]


def counts_without_plural(message: str) -> list[str]:
    """The placeholders of a singular message that look like counts and are not excused above."""
    if message in NOT_COUNTS:
        return []
    found = []
    for name, kind in PLACEHOLDER.findall(message):
        if name in NOT_COUNT_NAMES:
            continue
        if kind == "d" or name in COUNT_NAMES:
            found.append(name)
    return found


def test_every_count_in_a_message_goes_through_ngettext():
    messages = extracted_messages()
    assert len(messages) > 500  # the scan read the templates and the Python code, not nothing
    offenders = [f"{filename}:{line}: {message[:90]!r} ({', '.join(names)})"
                 for filename, line, message in messages if isinstance(message, str)
                 and (names := counts_without_plural(message))]
    assert offenders == [], "use ngettext for these counts:\n" + "\n".join(offenders)


def test_the_scan_catches_the_messages_issue_20_found():
    for message in ("Imported %(rows)d rows: %(invited)d invited",
                    "First attempts of %(num)d learners in your cohorts.",
                    "Estimated effort: %(hours)s hours", "Importing: %(done)s of %(total)s rows"):
        assert counts_without_plural(message), message
    assert counts_without_plural("Line %(line)d: “%(value)s” is not a sector.") == []


def test_the_excused_messages_still_exist():
    """An excuse for a message that is gone would let a new message of the same words through unexamined."""
    singular = {message for _filename, _line, message in extracted_messages() if isinstance(message, str)}
    assert set(NOT_COUNTS) <= singular, set(NOT_COUNTS) - singular


# A gettext call inside an f-string is invisible to pybabel (the whole f-string is one token to its Python
# lexer), so its message never reaches the catalogues and stays English: "Items done" in a Spanish export.
GETTEXT_IN_FSTRING = re.compile(r"""\bf(["'])[^"'\n]*\{[^}\n]*\b(?:_|gettext|ngettext|lazy_gettext|_l)\(\s*["']""")


def test_no_gettext_call_hides_inside_an_f_string():
    offenders = [f"{path.relative_to(ROOT)}:{number}" for path in sorted((ROOT / "learnhub").rglob("*.py"))
                 for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
                 if GETTEXT_IN_FSTRING.search(text)]
    assert offenders == []
    assert GETTEXT_IN_FSTRING.search("""header += [f"{title}: {gettext('Items done')}"]""")
