"""The form of the notification pages: where a user's notifications are e-mailed (input shape only)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length, Optional


class NotificationEmailForm(FlaskForm):
    email = StringField(
        _l("E-mail for notifications"),
        validators=[Optional(), Length(max=200)],
        description=_l("Leave empty to receive notifications on the home page only."),
    )
