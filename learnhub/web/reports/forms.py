"""Forms of the analysts' pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, SelectField, SubmitField
from wtforms.validators import InputRequired, NumberRange

from learnhub import i18n
from learnhub.services.targets import MAX_HEADCOUNT
from learnhub.web.forms import BaseForm
from learnhub.web.forms_common import options, whole_number_field


class TargetForm(BaseForm):
    year = IntegerField(_l("Year"), validators=[InputRequired(_l("Enter a year such as 2026.")),
                                                NumberRange(2000, 2100, _l("Enter a year such as 2026."))])
    sector = SelectField(_l("Sector"), validators=[InputRequired(_l("Choose a sector."))])
    ecsf_role = SelectField(_l("Cybersecurity role (optional)"))
    headcount = whole_number_field(_l("People to train"), 0, MAX_HEADCOUNT, _l("Enter how many people to train."))
    submit = SubmitField(_l("Save target"))

    def fill_choices(self) -> None:
        self.sector.choices = options([("", _l("Choose…")), *i18n.sector_choices()])
        self.ecsf_role.choices = options([("", _l("Every role")), *i18n.ecsf_role_choices()])


class TargetUploadForm(BaseForm):
    file = FileField(_l("CSV file of targets"), validators=[FileRequired(_l("Choose a CSV file to upload."))],
                     description=_l("Columns: year, sector, role (optional), headcount. One row per target; "
                                    "a file with any bad row changes nothing."))
    submit = SubmitField(_l("Upload targets"))
