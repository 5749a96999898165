"""WTForms of the attendance pages: input shape only; the rules live in the services."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from basesys.core.inputs import db_id, in_sane_years


class ManualEntryForm(FlaskForm):
    """补签: the reason is checked by the service (the same refusal as the API).

    The session and trainee lists depend on the course, which the page loads after building the
    form: the page checks the choice against the course (views.py `_chosen`).
    """

    session_id = SelectField(
        _l("Session"), coerce=db_id, choices=[], validate_choice=False, validators=[InputRequired()]
    )
    trainee_id = SelectField(
        _l("Trainee"), coerce=db_id, choices=[], validate_choice=False, validators=[InputRequired()]
    )
    purpose = SelectField(_l("Entry"), choices=[("in", _l("Check-in")), ("out", _l("Check-out"))])
    at = DateTimeLocalField(_l("Time"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()], filters=[in_sane_years])
    reason = TextAreaField(_l("Reason"), validators=[Length(max=500)])


class BulkManualForm(FlaskForm):
    """Bulk 补签 from a paper 签到表: several trainees, one session, purpose, time and reason.

    As for ManualEntryForm the choices depend on the course: the page checks them (views.py `_chosen_many`);
    the reason is checked by the service.
    """

    session_id = SelectField(
        _l("Session"), coerce=db_id, choices=[], validate_choice=False, validators=[InputRequired()]
    )
    trainee_ids = SelectMultipleField(_l("Trainees"), coerce=db_id, choices=[], validate_choice=False)
    purpose = SelectField(_l("Entry"), choices=[("in", _l("Check-in")), ("out", _l("Check-out"))])
    at = DateTimeLocalField(_l("Time"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()], filters=[in_sane_years])
    reason = TextAreaField(_l("Reason"), validators=[Length(max=500)])


class CodeForm(FlaskForm):
    """The 6-digit code of the projector, for phones whose camera fails (§6)."""

    session_id = SelectField(_l("Session"), coerce=db_id, validators=[InputRequired()])
    code = StringField(_l("Check-in code"), validators=[InputRequired(), Length(min=6, max=6)])
