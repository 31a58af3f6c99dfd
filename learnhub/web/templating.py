"""What every template may use: the language switcher, names of reference data, translations."""

from __future__ import annotations

import flask_babel
from flask import Flask, request
from flask.globals import _cv_app
from flask_babel import format_date, format_datetime, gettext
from markupsafe import Markup

from learnhub import i18n
from learnhub.content import lesson_layout
from learnhub.models.courses import ShownText, localised
from learnhub.reports import numbers
from learnhub.services import organisations
from learnhub.services.certificates import display_code
from learnhub.web import form_tokens


def _translations():
    """Flask-Babel's translations for the locale in force, looked up once per request and locale rather than
    once per string (a page has about fifty): each lookup through Flask-Babel passes several context proxies.
    Keyed by the locale object, so `force_locale` (a mail in its recipient's language) gets its own."""
    context = _cv_app.get(None)
    if context is None:
        return flask_babel.get_translations()
    state = context.g.__dict__.get("_flask_babel")
    memo = getattr(state, "learnhub_translations", None)
    if memo is not None and memo[0] is getattr(state, "babel_locale", None):
        return memo[1]
    translations = flask_babel.get_translations()
    state = context.g._flask_babel
    state.learnhub_translations = (state.babel_locale, translations)
    return translations


def lang_attr(shown: ShownText | str) -> Markup:
    """` lang="xx"` for an element holding `shown` when its language is not the page's; else nothing.

    `shown` is a ShownText or a language code. Text shown in another language than the page's (a Spanish
    course title on a Portuguese page) must say so, or screen readers read it with the wrong voice."""
    language = shown if isinstance(shown, str) else shown.language
    if not language or language == i18n.current_language():
        return Markup("")
    return Markup(' lang="{}"').format(language)


def in_lang(shown: ShownText) -> Markup:
    """The text, escaped, in a `<span lang>` when its language is not the page's."""
    attribute = lang_attr(shown)
    return Markup("<span{}>{}</span>").format(attribute, shown.text) if attribute else Markup.escape(shown.text)


def lesson_html(html: str) -> Markup:
    """A lesson's stored HTML as the lesson page shows it: tables that scroll in their own box, images that
    open at full size (content/lesson_layout.py), with the words in the reader's language."""
    return lesson_layout.for_reading(
        html, gettext("Table (scroll sideways to see all of it)"), gettext("Open the image at full size"),
        i18n.current_language(),
        numbered_label=lambda number: gettext("Table %(num)d (scroll sideways to see all of it)", num=number))


def init_app(app: Flask) -> None:
    app.jinja_env.install_gettext_callables(  # as Flask-Babel installs them, through the memo above
        gettext=lambda string: _translations().ugettext(string),
        ngettext=lambda singular, plural, n: _translations().ungettext(singular, plural, n),
        pgettext=lambda context, string: _translations().upgettext(context, string),
        npgettext=lambda context, singular, plural, n: _translations().unpgettext(context, singular, plural, n),
        newstyle=True,
    )

    @app.context_processor
    def globals_for_templates():
        return {
            "current_language": i18n.current_language(),
            "language_names": i18n.LANGUAGE_NAMES,
            "here": request.full_path.rstrip("?") if request else "/",
        }

    app.jinja_env.filters["lesson_html"] = lesson_html
    # The one rule for numbers a learner reads (reports/numbers.py), in the page's language.
    app.jinja_env.filters["percent"] = lambda value: numbers.format_percent(value, i18n.current_language()) or ""
    app.jinja_env.filters["exact_number"] = lambda value: numbers.format_exact(value, i18n.current_language())
    app.jinja_env.filters["format_date_medium"] = lambda value: format_date(value, "medium") if value else ""
    app.jinja_env.filters["format_datetime_short"] = lambda value: format_datetime(value, "short") if value else ""
    app.jinja_env.globals.update(
        csrf_token=form_tokens.form_token,  # Flask-WTF's token, made with a kept signer (decision 0094)
        country_name=i18n.country_name,
        sector_name=i18n.sector_name,
        ecsf_role_name=i18n.ecsf_role_name,
        role_label=lambda role: i18n.ROLE_LABELS.get(role, role),
        kind_label=lambda kind: i18n.COURSE_KIND_LABELS.get(kind, kind),
        level_label=lambda level: i18n.COURSE_LEVEL_LABELS.get(level, level),
        language_name=lambda code: i18n.LANGUAGE_NAMES.get(code, code),
        language_in_text=i18n.language_in_text,
        lang_attr=lang_attr,
        in_lang=in_lang,
        state_label=lambda state: i18n.ITEM_STATE_LABELS.get(state, state),
        local_text=localised,
        display_code=display_code,
        organisation_suggestions=organisations.suggestions,
        organisation_type_label=lambda kind: i18n.ORGANISATION_TYPE_LABELS.get(kind, kind),
    )
