"""What every template may use: the language switcher, names of reference data, the logout form."""

from __future__ import annotations

from flask import Flask, request
from flask_babel import format_date, format_datetime

from learnhub import i18n
from learnhub.models.courses import localised
from learnhub.services.certificates import display_code


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
        state_label=lambda state: i18n.ITEM_STATE_LABELS.get(state, state),
        local_text=localised,
        display_code=display_code,
    )
