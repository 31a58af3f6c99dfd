"""The fallback order: the learner's language, then the course's order for it or the site's, then the
course's default language (decision 0039)."""

from __future__ import annotations

import pytest

from learnhub.content.languages import SITE_FALLBACK, choose, fallback_order, ordered
from learnhub.models.courses import ShownText, shown_text


def test_the_site_order_is_the_one_the_issue_sets():
    assert dict(SITE_FALLBACK) == {"pt": ("es", "en"), "fr": ("en", "es"), "es": ("en",), "en": ("es",)}
    assert fallback_order("pt") == ("pt", "es", "en")
    assert fallback_order("fr") == ("fr", "en", "es")
    assert fallback_order("es") == ("es", "en")
    assert fallback_order("en") == ("en", "es")
    assert fallback_order("de") == ("de",)


@pytest.mark.parametrize(("language", "available", "expected"), [
    ("pt", ["en", "es"], "es"),
    ("pt", ["es", "en"], "es"),
    ("pt", ["en"], "en"),
    ("pt", ["en", "es", "pt"], "pt"),
    ("fr", ["en", "es"], "en"),
    ("fr", ["es", "en"], "en"),   # English before Spanish, even when Spanish is the default language
    ("fr", ["es"], "es"),
    ("es", ["en", "pt"], "en"),
    ("en", ["pt", "es"], "es"),
    ("de", ["pt", "es"], "pt"),   # no order for German: the default language (listed first)
    ("fr", ["de", "it"], "de"),
])
def test_choose_takes_the_first_available_language_of_the_order_else_the_default(language, available, expected):
    assert choose(language, available) == expected


def test_a_course_override_replaces_the_site_order_for_its_language_only():
    overrides = {"pt": ("en",)}
    assert fallback_order("pt", overrides) == ("pt", "en")
    assert choose("pt", ["es", "en"], overrides) == "en"
    assert choose("fr", ["es", "en"], overrides) == "en"  # the site order still applies to French
    assert choose("pt", ["es", "de"], overrides) == "es"  # nothing of the override there: the default
    assert fallback_order("pt", {"pt": ("pt", "en", "en")}) == ("pt", "en")


def test_choose_with_nothing_available_is_empty():
    assert choose("pt", []) == ""


def test_ordered_puts_the_default_language_first_and_keeps_the_rest():
    assert ordered("en", ["es", "pt", "en"]) == ["en", "es", "pt"]
    assert ordered("en", ["es", "es"]) == ["es"]


def test_shown_text_names_the_language_it_picked():
    titles = {"en": "Phishing", "es": "Phishing (es)"}
    assert shown_text(titles, "pt", "en") == ShownText("Phishing (es)", "es")
    assert shown_text(titles, "fr", "en") == ShownText("Phishing", "en")
    assert shown_text(titles, "pt", "en", {"pt": ("en",)}) == ShownText("Phishing", "en")
    assert shown_text({"en": "Only", "es": ""}, "pt", "en") == ShownText("Only", "en")  # an empty text is none
    assert shown_text({}, "pt", "en") == ShownText("", "pt")
    assert str(shown_text(titles, "es", "en")) == "Phishing (es)"
