"""The trainee's evaluation form: input shape only (five 1–5 choices and a comment)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from basesys.evaluation.schemas import COMMENT_MAX

# The items of §13 in the form's order (the API's names, evaluation.models.ITEMS).
ITEM_LABELS = {
    "content": _l("Practical value of the content"),
    "teaching": _l("Quality of teaching"),
    "organisation": _l("Organisation and management"),
    "venue": _l("Venue and services"),
    "overall": _l("Overall satisfaction"),
}
SCORE_CHOICES = [(score, str(score)) for score in (1, 2, 3, 4, 5)]


def _score(name: str) -> RadioField:
    required = DataRequired(_l("Choose 1 to 5."))
    return RadioField(ITEM_LABELS[name], choices=SCORE_CHOICES, coerce=int, validators=[required])


class EvaluationForm(FlaskForm):
    content = _score("content")
    teaching = _score("teaching")
    organisation = _score("organisation")
    venue = _score("venue")
    overall = _score("overall")
    comment = TextAreaField(_l("Comment (optional)"), validators=[Optional(), Length(max=COMMENT_MAX)])


class TrendForm(FlaskForm):
    """The trend page's filters (a GET form: no CSRF token); `base_id` only for a bureau officer."""

    class Meta:
        csrf = False

    year = IntegerField(_l("Year"), validators=[Optional(), NumberRange(min=2000, max=2100)])
    base_id = SelectField(_l("Base"), coerce=int, validate_choice=True, validators=[Optional()])
