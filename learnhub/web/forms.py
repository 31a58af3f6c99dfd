"""The base of every form: what a person types is cleaned the same way on every page.

Each text field drops the control characters no keyboard types (NUL, BEL, vertical tab...): PostgreSQL
refuses NUL in text, spreadsheets refuse the others in exports. One-line fields also turn tabs and line
breaks into spaces; text areas keep them. Passwords are left exactly as typed (a hash must match what
was set). Numbers must be finite: "NaN", "sNaN" and "inf" are a form error, not a crash in a comparison.
Fields get these rules through `Meta.bind_field`, so a new form or field cannot forget them.
"""

from __future__ import annotations

import math
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, FloatField, PasswordField, StringField, TextAreaField
from wtforms.validators import StopValidation

from learnhub.text import clean_line, clean_text


def _line(value):
    return clean_line(value) if isinstance(value, str) else value


def _text(value):
    return clean_text(value) if isinstance(value, str) else value


class Finite:
    """A number field's first validator: NaN and infinity stop validation with a form error (a later
    NumberRange would raise on a signalling NaN instead of answering)."""

    def __call__(self, form, field) -> None:
        value = field.data
        if isinstance(value, Decimal):
            finite = value.is_finite()
        else:
            finite = not isinstance(value, float) or math.isfinite(value)
        if not finite:
            raise StopValidation(_l("Enter a number."))


class BaseForm(FlaskForm):
    """FlaskForm (CSRF, request data) with the input rules above on every field.

    `page_order`: the names of the fields in the order the page shows them, when that is not the order the
    class declares them in (fields from a mixin come first); the error summary lists errors in that order.
    """

    page_order: tuple[str, ...] = ()

    def errors_in_page_order(self) -> list[tuple[str, list]]:
        """(field name, its errors) in the order a reader meets the fields; the form-wide CSRF error first."""
        errors = self.errors
        first = [name for name in ("csrf_token", *self.page_order) if name in errors]
        ordered = first + [name for name in self._fields if name in errors and name not in first]
        return [(name, errors[name]) for name in ordered]

    class Meta:
        def bind_field(self, form, unbound_field, options):
            field = super().bind_field(form, unbound_field, options)
            if isinstance(field, TextAreaField):
                field.filters = (_text, *field.filters)
            elif isinstance(field, StringField) and not isinstance(field, PasswordField):
                field.filters = (_line, *field.filters)
            elif isinstance(field, DecimalField | FloatField):
                field.validators = [Finite(), *field.validators]
            return field


class AnonymousForm(BaseForm):
    """A form for people without a session yet (log in, register, reset a password): no CSRF token, whose
    secret would need a session cookie on the anonymous page; its view is `security.anonymous_form`, which
    refuses a form sent from another site (decision 0037)."""

    class Meta:
        csrf = False
