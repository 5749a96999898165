"""Declaration forms: input shape only (DOMAIN.md §11). The rules decide the rest in the services:
whether the option exists, whether dates are needed, the hours and the cap."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DecimalField,
    HiddenField,
    IntegerField,
    MultipleFileField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from basesys.declarations.models import DeclarationStatus

TITLE_MAX = 200  # declaration.title
COMMENT_MAX = 1000
QUANTITY_MAX = 10000  # far above any rule's units; the service checks what the rule allows
CATEGORY_CHOICES = [("public", _l("Public subjects")), ("professional", _l("Professional subjects"))]


def _no_nul(form, field) -> None:
    if field.data and "\x00" in str(field.data):
        raise ValidationError(_l("The text contains an invalid character."))


def _ids(text: str) -> list[int]:
    """The evidence ids a preview already stored, carried in a hidden field ("12,13")."""
    ids = []
    for part in (text or "").split(","):
        part = part.strip()
        if part.isdigit() and 0 < int(part) < 2**31:
            ids.append(int(part))
    return ids


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class DeclarationForm(FlaskForm):
    """The trainee's declaration (new, or a returned one edited). `rule_option` is "rule:option";
    its choices (grouped by rule) and `year`'s come from the rules in force (views)."""

    year = SelectField(_l("Year"), coerce=int, validators=[InputRequired()])
    rule_option = SelectField(_l("Activity"), validators=[DataRequired(_l("Choose what you declare."))])
    quantity = DecimalField(
        _l("Quantity"),
        places=None,
        validators=[Optional(), NumberRange(min=0, max=QUANTITY_MAX, message=_l("Enter a number from 0 to 10000."))],
    )
    category = RadioField(_l("Count the hours as"), choices=CATEGORY_CHOICES, validators=[Optional()])
    started_on = DateField(_l("From"), validators=[Optional()])
    ended_on = DateField(_l("To"), validators=[Optional()])
    title = StringField(
        _l("Declaration title"),
        validators=[DataRequired(_l("Enter a title.")), Length(max=TITLE_MAX), _no_nul],
        description=_l("The paper's title, the certificate's name, the event…"),
    )
    evidence = MultipleFileField(_l("Evidence (images or PDF, at most 10 MB each)"))
    uploaded = HiddenField()  # evidence already stored by a "计算" round trip (ids)
    keep_evidence = MultiCheckboxField(_l("Evidence already attached"), coerce=int, validators=[Optional()])
    preview = SubmitField(_l("Calculate hours"))
    submit = SubmitField(_l("Submit declaration"))

    @property
    def uploaded_ids(self) -> list[int]:
        return _ids(self.uploaded.data)

    @property
    def rule_code(self) -> str:
        return (self.rule_option.data or "").partition(":")[0]

    @property
    def option_code(self) -> str:
        return (self.rule_option.data or "").partition(":")[2]

    def validate_ended_on(self, field) -> None:
        if field.data and self.started_on.data and field.data < self.started_on.data:
            raise ValidationError(_l("The end date is before the start date."))


DECISIONS = [("approve", _l("Approve")), ("return", _l("Return"))]


class DecisionForm(FlaskForm):
    """A reviewer's decision: approve, or return with a reason (mandatory, DOMAIN.md §11)."""

    decision = RadioField(_l("Decision"), choices=DECISIONS, validators=[DataRequired(_l("Choose a decision."))])
    # No Optional(): it would stop the chain on a blank comment before validate_comment sees it.
    comment = TextAreaField(_l("Reason / comment"), validators=[Length(max=COMMENT_MAX), _no_nul])

    def validate_comment(self, field) -> None:
        if self.decision.data == "return" and not (field.data or "").strip():
            raise ValidationError(_l("A returned declaration needs a reason."))


class InboxForm(FlaskForm):
    """The inbox filter (a GET form, no CSRF token)."""

    class Meta:
        csrf = False

    status = SelectField(
        _l("Show"),
        choices=[("waiting", _l("Waiting for me")), ("decided", _l("Decided"))],
        validators=[Optional()],
    )


class RulesForm(FlaskForm):
    """The rules page's filter (GET): a bureau of the officer's scope and a year."""

    class Meta:
        csrf = False

    bureau_id = SelectField(_l("Bureau"), coerce=int, validators=[Optional()])
    year = IntegerField(_l("Year"), validators=[Optional(), NumberRange(min=2000, max=2100)])


# The words the pages show for the stored codes (templates get them as `status_labels` etc.).
STATUS_LABELS = {
    DeclarationStatus.SUBMITTED: _l("Under review"),
    DeclarationStatus.EMPLOYER_APPROVED: _l("Approved by the employer"),
    DeclarationStatus.RECOGNIZED: _l("Recognized by the bureau"),
    DeclarationStatus.RETURNED: _l("Returned for changes"),
}
STATUS_BADGES = {"submitted": "info", "employer_approved": "info", "recognized": "ok", "returned": "bad"}
CATEGORY_LABELS = {
    "public": _l("Public subjects"),
    "professional": _l("Professional subjects"),
    "both": _l("Public and professional"),
    "either": _l("Public or professional"),
}
STEP_LABELS = {
    "submit": _l("Submitted for review"),
    "approve": _l("Approved at this stage"),
    "return": _l("Returned with a reason"),
    "move": _l("Moved to the new employer"),
}
STAGE_LABELS = {"employer": _l("Employer"), "bureau": _l("Bureau")}
LABELS = {
    "status_labels": STATUS_LABELS,
    "status_badges": STATUS_BADGES,
    "category_labels": CATEGORY_LABELS,
    "step_labels": STEP_LABELS,
    "stage_labels": STAGE_LABELS,
}
