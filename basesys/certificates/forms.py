"""WTForms of the certificate pages: input shape only; the rules live in the services."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length


class FinalizeForm(FlaskForm):
    """The finalize button, with the admin's confirmation that the preview was checked: finalising
    cannot be undone (issue 15: it ran on one click, above its preview)."""

    confirm = BooleanField(
        _l("I have checked the preview: hours and certificates are issued now and this cannot be undone."),
        validators=[InputRequired(_l("Tick the box to confirm that you have checked the preview."))],
    )


class RevokeForm(FlaskForm):
    reason = TextAreaField(_l("Reason for revocation"), validators=[InputRequired(), Length(max=1000)])
    fraud = BooleanField(_l("Fraud: flag the trainee (one-vote veto)"))


class VerifyForm(FlaskForm):
    class Meta:
        csrf = False  # a public GET form

    number = StringField(_l("Certificate number"), validators=[InputRequired(), Length(max=32)])
    code = StringField(_l("Check code"), validators=[InputRequired(), Length(max=32)])
