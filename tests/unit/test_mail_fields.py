"""Trainer-typed text quoted in mails to anyone: one line, bounded, never a link (issue 11)."""

from __future__ import annotations

from learnhub.services.mail import quoted


def test_line_breaks_and_control_characters_collapse_to_one_line():
    text = "Ana\r\n\r\nYour account is locked.\tReply with your password.\x07\u2028\u202eend"
    assert quoted(text) == '"Ana Your account is locked. Reply with your password. end"'


def test_long_text_is_cut_to_the_bound_with_an_ellipsis():
    value = quoted("x" * 500)
    assert value == '"' + "x" * 79 + '…"' and len(value) == 82
    assert quoted("short", limit=3) == '"sh…"'


def test_nothing_reads_as_a_link_or_ends_the_quote():
    value = quoted('Cohort "2026" see https://evil.example/login, www.phish.test or mailto:help@evil.org', limit=200)
    assert value == ('"Cohort \'2026\' see https[:]//evil[.]example/login, www[.]phish[.]test or '
                     'mailto[:]help@evil[.]org"')
    assert "://" not in value and value.count('"') == 2


def test_ordinary_names_are_kept_as_typed():
    assert quoted("  Hospital San Juan, cohort 1 ") == '"Hospital San Juan, cohort 1"'
    assert quoted("2026/1: [MINSAL]*? v2.0 Dr. Quispe") == '"2026/1: [MINSAL]*? v2.0 Dr. Quispe"'
    assert quoted(None) == '""'
