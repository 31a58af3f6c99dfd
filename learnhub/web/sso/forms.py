"""The login page's single sign-on form: the work address decides which organisation signs in."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SubmitField

from learnhub.web.forms import AnonymousForm
from learnhub.web.forms_common import email_field


class SsoForm(AnonymousForm):
    sso_email = email_field(_l("Work e-mail address"), new=False)
    next = HiddenField()
    submit = SubmitField(_l("Continue with my organisation"))
