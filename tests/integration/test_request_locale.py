"""The request's language (i18n.select_locale) reaches Flask-Babel as one kept Locale per language (issue 14): the
same choice as before, from the browser's Accept-Language or the language cookie, and no parse per request."""

from __future__ import annotations

import pytest
from babel import Locale
from flask_babel import get_locale

from learnhub.i18n import LANGUAGE_COOKIE, current_language


@pytest.mark.parametrize(("headers", "expected"), [
    ({"Accept-Language": "es-CO,es;q=0.9"}, "es"),
    ({"Accept-Language": "pt-BR"}, "pt"),
    ({"Accept-Language": "fr-HT"}, "fr"),
    ({"Accept-Language": "de-DE"}, "en"),
    ({}, "en"),
    ({"Accept-Language": "es", "Cookie": f"{LANGUAGE_COOKIE}=pt"}, "pt"),
])
def test_the_language_chosen_is_a_kept_locale(app, headers, expected):
    seen = []
    for _ in range(2):
        with app.test_request_context("/courses", headers=headers):
            seen.append(get_locale())
            assert current_language() == expected
    assert seen[0] == Locale.parse(expected)
    assert seen[0] is seen[1]  # parsed once, in this worker
