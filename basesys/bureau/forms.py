"""Filter forms of the bureau's lists (GET forms: they only read, so no CSRF token)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional

from basesys.core.inputs import in_sane_years, optional_db_id


class ListFilterForm(FlaskForm):
    class Meta:
        csrf = False

    base = SelectField(_l("Base"), coerce=optional_db_id, validate_choice=False)
    status = SelectField(_l("Status"), validate_choice=False)
    start = DateField(_l("From"), validators=[Optional()], filters=[in_sane_years])
    end = DateField(_l("Until"), validators=[Optional()], filters=[in_sane_years])
    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])


class AuditFilterForm(FlaskForm):
    """The audit log's filters: subject kind, base, dates, actor, and a search by name or number."""

    class Meta:
        csrf = False

    kind = SelectField(_l("Subject"), validate_choice=False)
    base = SelectField(_l("Base"), coerce=optional_db_id, validate_choice=False)
    start = DateField(_l("From"), validators=[Optional()], filters=[in_sane_years])
    end = DateField(_l("Until"), validators=[Optional()], filters=[in_sane_years])
    actor = StringField(_l("Done by"), validators=[Optional(), Length(max=64)])
    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
