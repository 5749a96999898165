"""The search and filter forms of the base's lists (issue 13): courses by title, filing state and
date range; a course's enrolments by name or ID number. GET forms (they only read): no CSRF token;
a refused value is shown on the form and the list is not filtered by it."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SearchField
from wtforms.validators import Length, Optional, ValidationError

from basesys.core.inputs import NUL_MESSAGE, in_sane_years

QUERY_MAX = 60  # a title or a name and more: never a book pasted into the box


def _no_nul(_form, field):
    if "\x00" in (field.data or ""):
        raise ValidationError(NUL_MESSAGE)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class CourseSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = SearchField(_l("Title"), validators=[Optional(), Length(max=QUERY_MAX), _no_nul], filters=[_strip])
    start = DateField(_l("From"), validators=[Optional()], filters=[in_sane_years])
    end = DateField(_l("Until"), validators=[Optional()], filters=[in_sane_years])

    def validate_end(self, field):
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError(_l("The end date cannot be before the start date."))

    def filters(self) -> dict:
        """The values that passed, for list_base_courses; a refused one filters nothing."""
        self.validate()
        ok = {name: getattr(self, name).data for name in ("q", "start", "end") if not getattr(self, name).errors}
        return {"title": ok.get("q") or None, "start": ok.get("start"), "end": ok.get("end")}


class EnrolmentSearchForm(FlaskForm):
    class Meta:
        csrf = False

    who = SearchField(
        _l("Name or ID number"), validators=[Optional(), Length(max=QUERY_MAX), _no_nul], filters=[_strip]
    )

    def query(self) -> str | None:
        return (self.who.data or None) if self.validate() else None
