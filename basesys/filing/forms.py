"""The filing forms: input shape only (the comment rule lives in the service)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, ValidationError

from basesys.core.inputs import DB_INT_MAX
from basesys.filing.schemas import MAX_BATCH


class DecisionForm(FlaskForm):
    # Set by the button pressed: 通过 (approve) or 退回 (return).
    decision = StringField(validators=[InputRequired(), AnyOf(["approve", "return"])])
    comment = TextAreaField(_l("Review comment"), validators=[Length(max=2000)])


class SubmitForm(FlaskForm):
    """The course page's "submit for filing" button: no fields, only the CSRF token."""


def _ids_within(limit: int):
    """The ticked ids: at least one, at most `limit`, each an id the database can hold."""

    def check(form, field):
        if len(field.data or []) > limit:
            raise ValidationError(_l("Select at most %(n)s filings at once.", n=limit))
        if any(not 1 <= value <= DB_INT_MAX for value in field.data or []):
            raise ValidationError(_l("Select filings from the list."))

    return check


class BatchDecisionForm(FlaskForm):
    """The inbox's ticked filings, one decision (the button pressed) and one comment for them all."""

    course_ids = SelectMultipleField(
        coerce=int,
        validate_choice=False,
        validators=[DataRequired(message=_l("Select at least one filing.")), _ids_within(MAX_BATCH)],
    )
    decision = StringField(validators=[InputRequired(), AnyOf(["approve", "return"])])
    comment = TextAreaField(_l("Review comment"), validators=[Length(max=2000)])
