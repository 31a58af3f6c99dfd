"""Languages named inside a sentence ("Este curso está em espanhol"): four translated constants, lowercase in
Spanish, Portuguese and French, and the fallback notices that use them translated in every catalogue."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_babel import LazyString, force_locale, gettext

from learnhub import create_app
from learnhub.i18n import LANGUAGE_NAMES, LANGUAGE_NAMES_IN_TEXT, language_in_text

CATALOGUES = {path.parts[-3]: path for path in sorted(
    (Path(__file__).resolve().parents[2] / "learnhub" / "translations").glob("*/LC_MESSAGES/messages.po"))}
NOTICES = (
    "This course is in %(language)s: it is not available in your language yet.",
    "This lesson is in %(language)s: it is not translated into your language yet.",
    "This quiz is in %(language)s: it is not translated into your language yet.",
)


@pytest.fixture(scope="module")
def app():
    return create_app({"LEARNHUB_ENV": "testing", "SECRET_KEY": "x" * 40, "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_every_interface_language_has_a_lazy_name_for_sentences():
    assert set(LANGUAGE_NAMES_IN_TEXT) == set(LANGUAGE_NAMES)
    assert all(isinstance(name, LazyString) for name in LANGUAGE_NAMES_IN_TEXT.values())


def test_other_course_languages_are_named_by_cldr_in_the_readers_language(app):
    with app.test_request_context(), force_locale("en"):
        assert language_in_text("ht") == "Haitian Creole"
        assert language_in_text("es") == "Spanish"
        assert language_in_text("zz") == "zz"


def test_names_and_notices_are_translated_in_every_catalogue():
    """Until the catalogues include this branch's strings (/work/i18n/i21core.json), a Brazilian would read
    "Este curso está em Spanish"."""
    assert set(CATALOGUES) == {"es", "pt", "fr"}
    for language, path in CATALOGUES.items():
        with path.open("rb") as source:
            catalogue = read_po(source)
        for msgid in (*[str(name._args[0]) for name in LANGUAGE_NAMES_IN_TEXT.values()], *NOTICES):
            message = catalogue.get(msgid)
            assert message is not None and message.string, (language, msgid)


SENTENCES = {("pt", "es"): "Este curso está em espanhol", ("es", "en"): "Este curso está en inglés",
             ("fr", "en"): "Ce cours est en anglais", ("fr", "es"): "Ce cours est en espagnol"}


def test_the_course_notice_names_the_language_in_the_readers_words(app):
    shown = {}
    for reader, language in SENTENCES:
        with app.test_request_context(), force_locale(reader):
            shown[reader, language] = gettext(NOTICES[0], language=language_in_text(language))[:len(
                SENTENCES[reader, language])]
    assert shown == SENTENCES
