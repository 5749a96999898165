"""Oversight forms: input shape only; the rules (a review needs a comment) are in the services."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import Length, Optional

from basesys.oversight.models import AnomalyKind, AnomalyStatus

KIND_CHOICES = [
    ("", _l("All kinds")),
    (AnomalyKind.SHARED_DEVICE, _l("One phone, several trainees")),
    (AnomalyKind.IMPOSSIBLE_PRESENCE, _l("Present in two places at once")),
    (AnomalyKind.MANUAL_SHARE, _l("Many manual entries")),
    (AnomalyKind.LATE_FILING, _l("Late filing")),
    (AnomalyKind.ROSTER_OVERDUE, _l("Roster overdue")),
]
STATUS_CHOICES = [
    ("", _l("All")),
    (AnomalyStatus.OPEN, _l("To review")),
    (AnomalyStatus.REVIEWED, _l("Reviewed")),
]


class AnomalyFilterForm(FlaskForm):
    """Filters of the findings list (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    kind = SelectField(_l("Anomaly kind"), choices=KIND_CHOICES)
    status = SelectField(_l("Status"), choices=STATUS_CHOICES)


class ReviewForm(FlaskForm):
    comment = TextAreaField(
        _l("Review notes"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Mandatory: what you checked and what follows."),
    )


class RecomputeForm(FlaskForm):
    """The "check again" button: a POST with its CSRF token and nothing else."""
