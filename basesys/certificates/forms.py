"""WTForms of the certificate pages: input shape only; the rules live in the services."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length


class FinalizeForm(FlaskForm):
    """The finalize button (CSRF only)."""


class RevokeForm(FlaskForm):
    reason = TextAreaField(_l("Reason for revocation"), validators=[InputRequired(), Length(max=1000)])
    fraud = BooleanField(_l("Fraud: flag the trainee (one-vote veto)"))


class VerifyForm(FlaskForm):
    class Meta:
        csrf = False  # a public GET form

    number = StringField(_l("Certificate number"), validators=[InputRequired(), Length(max=32)])
    code = StringField(_l("Check code"), validators=[InputRequired(), Length(max=32)])
