"""Filter forms of the bureau's lists (GET forms: they only read, so no CSRF token)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional


class ListFilterForm(FlaskForm):
    class Meta:
        csrf = False

    base = SelectField(_l("Base"), coerce=lambda v: int(v) if v else None, validate_choice=False)
    status = SelectField(_l("Status"), validate_choice=False)
    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("Until"), validators=[Optional()])
    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
