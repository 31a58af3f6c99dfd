"""What every template may use: the language switcher, names of reference data, the logout form."""

from __future__ import annotations

from flask import Flask, request
from flask_babel import format_date, format_datetime
from markupsafe import Markup

from learnhub import i18n
from learnhub.models.courses import ShownText, localised
from learnhub.services.certificates import display_code


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


def init_app(app: Flask) -> None:
    @app.context_processor
    def globals_for_templates():
        from learnhub.web.auth.forms import LogoutForm

        return {
            "current_language": i18n.current_language(),
            "language_names": i18n.LANGUAGE_NAMES,
            "logout_form": LogoutForm(formdata=None),  # only drawn: never reads the body (a 413 page has none)
            "here": request.full_path.rstrip("?") if request else "/",
        }

    app.jinja_env.filters["format_date_medium"] = lambda value: format_date(value, "medium") if value else ""
    app.jinja_env.filters["format_datetime_short"] = lambda value: format_datetime(value, "short") if value else ""
    app.jinja_env.globals.update(
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
    )
