"""Roster forms: input shape only; the rules are in the services."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional, ValidationError

from basesys.core.inputs import DB_INT_MAX, in_sane_years, optional_db_id
from basesys.rosters.batch import MAX_BATCH
from basesys.rosters.models import RosterStatus
from basesys.rosters.summary import SUMMARY_MAX_CHARS

STATUS_CHOICES = [
    ("", _l("All statuses")),
    (RosterStatus.PENDING, _l("To submit")),
    (RosterStatus.SUBMITTED, _l("Waiting for review")),
    (RosterStatus.ACCEPTED, _l("Accepted")),
    (RosterStatus.RETURNED, _l("Returned")),
    (RosterStatus.OVERDUE, _l("Overdue")),
]


SUMMARY_HINT = _l(
    "How the training went: the organisation, the teaching, the trainees' feedback and what the base will "
    "improve. The figures are added by the system."
)


def _summary_field(validators):
    return TextAreaField(
        _l("Training summary"),
        validators=[*validators, Length(max=SUMMARY_MAX_CHARS)],
        description=SUMMARY_HINT,
        render_kw={"rows": 8},
    )


class SummaryForm(FlaskForm):
    """The training summary's text, saved without submitting (§9)."""

    summary_text = _summary_field([Optional()])


class SubmitRosterForm(FlaskForm):
    # The page asks for the summary the province wants with the roster; the API has no body and
    # submits without one (API.md).
    summary_text = _summary_field([DataRequired(message=_l("Write the training summary before submitting."))])
    confirm = BooleanField(
        _l("I have checked every row of this roster"),
        validators=[DataRequired(message=_l("Please confirm that you have checked the roster."))],
    )


class DecisionForm(FlaskForm):
    decision = SelectField(_l("Decision"), choices=[("accept", _l("Accept")), ("return", _l("Return"))])
    comment = TextAreaField(
        _l("Comment"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Mandatory when returning: say what the base must correct."),
    )


class RosterFilterForm(FlaskForm):
    """Filters of the rosters list (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    base = SelectField(_l("Base"), coerce=optional_db_id, validate_choice=False)
    status = SelectField(_l("Status"), choices=STATUS_CHOICES, validate_choice=False)
    start = DateField(_l("Due from"), validators=[Optional()], filters=[in_sane_years])
    end = DateField(_l("Due until"), validators=[Optional()], filters=[in_sane_years])


class ExportForm(FlaskForm):
    """Every roster accepted in a date range, as one file (a GET form: it only reads)."""

    class Meta:
        csrf = False

    start = DateField(
        _l("Accepted from"), validators=[DataRequired(message=_l("Enter a date."))], filters=[in_sane_years]
    )
    end = DateField(
        _l("Accepted until"), validators=[DataRequired(message=_l("Enter a date."))], filters=[in_sane_years]
    )
    fmt = SelectField(_l("Format"), choices=[("xlsx", "Excel (XLSX)"), ("csv", "CSV (UTF-8)")], default="xlsx")


class EmailForm(FlaskForm):
    email = StringField(
        _l("E-mail for reminders"),
        validators=[Optional(), Length(max=200)],
        description=_l("Leave empty to receive reminders on the home page only."),
    )


def _ids_within(form, field):
    """The ticked rosters: at most MAX_BATCH, each an id the database can hold."""
    if len(field.data or []) > MAX_BATCH:
        raise ValidationError(_l("Select at most %(n)s rosters at once.", n=MAX_BATCH))
    if any(not 1 <= value <= DB_INT_MAX for value in field.data or []):
        raise ValidationError(_l("Select rosters from the list."))


class BatchDecisionForm(FlaskForm):
    """The inbox's ticked rosters (by course), one decision (the button pressed), one comment."""

    course_ids = SelectMultipleField(
        coerce=int,
        validate_choice=False,
        validators=[DataRequired(message=_l("Select at least one roster.")), _ids_within],
    )
    decision = StringField(validators=[InputRequired(), AnyOf(["accept", "return"])])
    comment = TextAreaField(_l("Comment"), validators=[Length(max=2000)])
