"""The catalogue's filter form (a GET form: no CSRF token, nothing changes on the server)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SearchField, SelectField, SubmitField

from learnhub import i18n
from learnhub.services.catalogue import CatalogueFilter
from learnhub.web.forms import BaseForm
from learnhub.web.forms_common import options


class CatalogueFilterForm(BaseForm):
    class Meta:
        csrf = False

    text = SearchField(_l("Search"), render_kw={"placeholder": _l("phishing, contraseñas, patching…")})
    kind = SelectField(_l("Type"), validate_choice=False)
    level = SelectField(_l("Level"), validate_choice=False)
    language = SelectField(_l("Course language"), validate_choice=False)
    role = SelectField(_l("Cybersecurity role"), validate_choice=False)
    sector = SelectField(_l("Sector"), validate_choice=False)
    submit = SubmitField(_l("Filter"))

    def fill_choices(self) -> None:
        every = ("", _l("Any"))
        self.kind.choices = options([every, *i18n.COURSE_KIND_LABELS.items()])
        self.level.choices = options([every, *i18n.COURSE_LEVEL_LABELS.items()])
        self.language.choices = options([every, *i18n.LANGUAGE_NAMES.items()])
        self.role.choices = options([every, *i18n.ecsf_role_choices()])
        self.sector.choices = options([every, *i18n.sector_choices()])

    def criteria(self) -> CatalogueFilter:
        return CatalogueFilter(kind=self.kind.data or "", level=self.level.data or "",
                               language=self.language.data or "", role=self.role.data or "",
                               sector=self.sector.data or "", text=(self.text.data or "").strip()[:200])
