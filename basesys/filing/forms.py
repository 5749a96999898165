"""The filing forms: input shape only (the comment rule lives in the service)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Length


class DecisionForm(FlaskForm):
    # Set by the button pressed: 通过 (approve) or 退回 (return).
    decision = StringField(validators=[InputRequired(), AnyOf(["approve", "return"])])
    comment = TextAreaField(_l("Review comment"), validators=[Length(max=2000)])


class SubmitForm(FlaskForm):
    """The course page's "submit for filing" button: no fields, only the CSRF token."""
