"""Which language a learner sees when a course, an item or a text lacks theirs (decision 0039).

The learner's own language first; then the course's own order for that language (`fallback` in
course.yaml), else the site-wide order below; then the course's default language. The site order puts
the closest language a learner of the region is likely to read first: Portuguese speakers read Spanish
more easily than English, French speakers (Haiti, the French Caribbean) more often read English.

Plain Python (no Flask): the loader uses it for its messages, the models and services to pick what to
show, so the validator says exactly what the pages will do.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

SITE_FALLBACK: Mapping[str, tuple[str, ...]] = {
    "pt": ("es", "en"),
    "fr": ("en", "es"),
    "es": ("en",),
    "en": ("es",),
}
"""For each interface language, the languages to try, in order, when a course lacks it."""


def fallback_order(language: str, overrides: Mapping[str, Sequence[str]] | None = None) -> tuple[str, ...]:
    """The languages to try for a learner who reads `language`, best first, `language` itself included.

    A course's override for `language` replaces the site order for that language; other languages keep
    the site order.
    """
    then = (overrides or {}).get(language)
    if then is None:
        then = SITE_FALLBACK.get(language, ())
    return tuple(dict.fromkeys((language, *then)))


def choose(language: str, available: Sequence[str], overrides: Mapping[str, Sequence[str]] | None = None) -> str:
    """The language to show: the first of `fallback_order` that is `available`, else the first available one
    (a course's default language comes first); "" when nothing is available."""
    if not available:
        return ""
    present = set(available)
    return next((code for code in fallback_order(language, overrides) if code in present), available[0])


def ordered(default_language: str, languages: Iterable[str]) -> list[str]:
    """`languages` with `default_language` first (when present), the others in their given order."""
    codes = list(dict.fromkeys(languages))
    return [default_language, *(c for c in codes if c != default_language)] if default_language in codes else codes
