"""WTForms of the course pages: input shape only; the rules live in the services."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from flask import flash, session
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from basesys.core.inputs import db_id, in_sane_years, optional_db_id
from basesys.core.time import LOCAL_TZ, to_local
from basesys.courses.models import ATTENDANCE_MODES, CATEGORIES, DELIVERIES, KINDS
from basesys.courses.services.copying import SessionPattern
from basesys.courses.state import COURSE_FIELDS

SERIES_HINT = "工程、卫生、教育……"
# The form's words for a row whose end is before its start (issue 15: 22:00–01:00 was told "must
# end after it starts"); the service and the API keep `session_ends_before_start`.
PAST_MIDNIGHT = _l(
    "A session cannot run past midnight (Beijing time): the end is before the start. "
    "Check the times, or split it into two sessions."
)


def _choices(mapping: dict) -> list[tuple[str, str]]:
    return list(mapping.items())


class SessionRowForm(Form):
    """One 课次 row: a local date and two local times (a session never crosses midnight)."""

    class Meta:
        def get_translations(self, form):  # WTForms' own messages in the page's language, as FlaskForm does
            from flask_wtf.i18n import translations

            return translations

    id = HiddenField()
    day = DateField(_l("Date"), validators=[Optional()])
    start = TimeField(_l("Start"), validators=[Optional()])
    end = TimeField(_l("End"), validators=[Optional()])
    credit_hours = DecimalField(_l("Credit hours"), places=1, validators=[Optional(), NumberRange(min=0, max=24)])
    title = StringField(_l("Topic"), validators=[Optional(), Length(max=200)])
    # The base's venues and teachers are the page's options; the service refuses any other id.
    venue_id = SelectField(_l("Venue"), coerce=optional_db_id, validate_choice=False, choices=[])
    teacher_ids = SelectMultipleField(_l("Teachers"), coerce=db_id, validate_choice=False, choices=[])

    def is_blank(self) -> bool:
        return not any(
            [self.day.raw_data and self.day.raw_data[0], self.start.raw_data and self.start.raw_data[0]]
            + [self.end.raw_data and self.end.raw_data[0], (self.title.data or "").strip()]
        )

    def instants(self) -> tuple[datetime | None, datetime | None]:
        """Start and end as aware Asia/Shanghai datetimes (None where the row lacks them); an end
        of 00:00 after a later start is the end of the day (24:00, as a 20:00–24:00 session is shown)."""
        if self.day.data is None:
            return None, None

        def combine(clock, day=self.day.data):
            return None if clock is None else datetime.combine(day, clock, tzinfo=LOCAL_TZ)

        start, end = combine(self.start.data), combine(self.end.data)
        if start is not None and end is not None and self.end.data == time(0) and end < start:
            end = combine(self.end.data, self.day.data + timedelta(days=1))
        return start, end

    def runs_past_midnight(self) -> bool:
        """A row has one date: an end before its start (22:00–01:00) means one past midnight."""
        start, end = self.instants()
        return start is not None and end is not None and end < start

    def fill_from(self, course_session) -> None:
        start, end = to_local(course_session.starts_at), to_local(course_session.ends_at)
        self.id.data = str(course_session.id)
        self.day.data, self.start.data, self.end.data = start.date(), start.time(), end.time()
        self.credit_hours.data = course_session.credit_hours
        self.title.data = course_session.title
        self.venue_id.data = course_session.venue_id
        self.teacher_ids.data = [t.id for t in course_session.teachers]

    def booking(self) -> tuple[int | None, tuple[int, ...]]:
        return self.venue_id.data, tuple(self.teacher_ids.data or ())


class CourseForm(FlaskForm):
    title = StringField(_l("Course title"), validators=[InputRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=_choices(KINDS), default="course")
    category = SelectField(_l("Category"), choices=_choices(CATEGORIES), default="professional")
    delivery = SelectField(_l("Delivery"), choices=_choices(DELIVERIES), default="offline")
    location = StringField(_l("Location"), validators=[Optional(), Length(max=200)])
    target = TextAreaField(_l("Target trainees"), validators=[Optional(), Length(max=2000)])
    planned_headcount = IntegerField(
        _l("Planned headcount"), validators=[Optional(), NumberRange(min=0, max=100000)], default=0
    )
    capacity = IntegerField(_l("Capacity"), validators=[Optional(), NumberRange(min=1, max=100000)])
    responsible = StringField(_l("Responsible person"), validators=[Optional(), Length(max=60)])
    contact = StringField(_l("Contact person"), validators=[Optional(), Length(max=60)])
    contact_phone = StringField(_l("Contact phone"), validators=[Optional(), Length(max=40)])
    plan = TextAreaField(_l("Training plan"), validators=[Optional(), Length(max=20000)])
    apply_municipal_seminar = BooleanField(_l("Apply to be a municipal advanced seminar"))
    attendance_mode = SelectField(_l("Attendance"), choices=_choices(ATTENDANCE_MODES), default="in_out")
    pass_percent = IntegerField(_l("Pass ratio (%)"), validators=[Optional(), NumberRange(min=1, max=100)])
    sessions = FieldList(FormField(SessionRowForm), min_entries=1, max_entries=200)
    add_row = SubmitField()  # "add a session" without JavaScript: the form comes back with one more row

    def validate(self, extra_validators=None) -> bool:
        """Adding a row saves nothing: the page's `invalid` renderer adds it and shows the form."""
        if self.add_row.data:
            return False
        valid = super().validate(extra_validators)
        # "abc" for a number is "not a valid integer", not also "must be between 0 and 100000"
        for field in [*self, *(sub for entry in self.sessions.entries for sub in entry.form)]:
            if getattr(field, "process_errors", None) and field.type not in ("FieldList", "FormField"):
                field.errors = list(field.process_errors)
        return valid

    def course_values(self) -> dict:
        """The plain course fields for the services."""
        return {
            "title": self.title.data,
            "kind": self.kind.data,
            "category": self.category.data,
            "delivery": self.delivery.data,
            "location": self.location.data or "",
            "target": self.target.data or "",
            "planned_headcount": self.planned_headcount.data or 0,
            "capacity": self.capacity.data,
            "responsible": self.responsible.data or "",
            "contact": self.contact.data or "",
            "contact_phone": self.contact_phone.data or "",
            "plan": self.plan.data or "",
            "apply_municipal_seminar": bool(self.apply_municipal_seminar.data),
            "attendance_mode": self.attendance_mode.data,
            "pass_ratio": None if self.pass_percent.data is None else self.pass_percent.data / 100,
        }

    def fill_from(self, course) -> None:
        for name in COURSE_FIELDS:
            if name != "pass_ratio":  # shown as a percentage
                getattr(self, name).data = getattr(course, name)
        self.pass_percent.data = None if course.pass_ratio is None else round(course.pass_ratio * 100)
        while len(self.sessions.entries):
            self.sessions.pop_entry()
        for course_session in sorted(course.sessions, key=lambda s: s.starts_at):
            self.sessions.append_entry()
            self.sessions.entries[-1].form.fill_from(course_session)
        if not self.sessions.entries:
            self.sessions.append_entry()


class EnrollForm(FlaskForm):
    id_number = StringField(_l("ID number"), validators=[InputRequired(), Length(max=40)])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=60)])
    phone = StringField(_l("Mobile phone"), validators=[Optional(), Length(max=20)])
    employer = StringField(_l("Employer"), validators=[Optional(), Length(max=120)])
    series = StringField(_l("Professional series"), validators=[Optional(), Length(max=40)])
    title = StringField(_l("Professional title"), validators=[Optional(), Length(max=40)])


class ImportForm(FlaskForm):
    file = FileField(_l("Enrolment file (XLSX or CSV)"), validators=[FileRequired()])


# Where a service's field names land on the page.
_ROW_FIELDS = {
    "starts_at": "start",
    "ends_at": "end",
    "credit_hours": "credit_hours",
    "title": "title",
    "id": "start",
    "venue_id": "venue_id",
    "teacher_ids": "teacher_ids",
}
_COURSE_FIELDS = {"pass_ratio": "pass_percent"}


def place_course_errors(form: CourseForm, rows: list[SessionRowForm], error) -> list[str]:
    """Put a refusal on the course form: each session problem on its row's input, each course
    problem on its field; returns the session problems that belong to no row. A refusal without
    fields is flashed (once); one with fields is listed by the form's error summary instead (its
    message names only the first problem, in the service's words)."""
    fields = getattr(error, "fields", None) or {}
    general = _place(form, rows, fields)
    flashed = (message for _category, message in session.get("_flashes", []))
    if not fields and error.message not in flashed:
        flash(error.message, "error")
    return general


def place_problems(form: CourseForm, rows: list[SessionRowForm], problems: dict[str, str]) -> list[str]:
    """Put the problems `list_course_problems` found beside the form's own errors, so one submit
    shows them all; a field, or a session row, that already shows an error keeps just that one
    (the empty title's "required" is not repeated as the service's 必填项)."""
    return _place(form, rows, problems, skip_errored=True)


def _place(form, rows, fields: dict[str, str], skip_errored: bool = False) -> list[str]:
    general: list[str] = []
    for key, message in fields.items():
        parts = key.split(".")
        if parts[0] == "sessions" and len(parts) > 1 and parts[1].isdigit() and int(parts[1]) < len(rows):
            row = rows[int(parts[1])]
            if skip_errored and any(f.errors for f in row):
                continue
            field = getattr(row, _ROW_FIELDS.get(parts[2] if len(parts) > 2 else "", "start"))
            if field is row.start and row.day.data is None:
                field = row.day
            if field is row.end and row.runs_past_midnight():
                message = str(PAST_MIDNIGHT)  # the service's "must end after it starts" (same code for the API)
            _add_error(field, message)
        elif parts[0] == "sessions":
            if message not in general:
                general.append(message)
        else:
            field = getattr(form, _COURSE_FIELDS.get(parts[0], parts[0]), None)
            if field is not None and hasattr(field, "errors"):
                if not (skip_errored and field.errors):
                    _add_error(field, message)
            elif message not in general:
                general.append(message)
    return general


def _add_error(field, message: str) -> None:
    """A message once per field (the page lifecycle may have put it there already)."""
    if message not in field.errors:
        field.errors = list(field.errors) + [message]


@dataclass(frozen=True)
class SummaryItem:
    """One line of the error summary at the top of the course form: where, what, and the input's id."""

    label: str
    message: str
    anchor: str


def error_summary(form: CourseForm, general: list[str]) -> list[SummaryItem]:
    """Every error shown on the form, in page order, each linking to its input (issue 15)."""
    items: list[SummaryItem] = []
    for field in form:
        if field.name == "sessions":
            for number, entry in enumerate(field.entries, start=1):
                for sub in entry.form:
                    label = _("Session %(n)s: %(field)s", n=number, field=sub.label.text)
                    items += [SummaryItem(label, message, sub.id) for message in sub.errors]
            items += [SummaryItem(str(_l("Sessions")), message, "sessions") for message in general]
        elif field.type not in ("CSRFTokenField", "SubmitField", "HiddenField"):
            items += [SummaryItem(field.label.text, str(message), field.id) for message in field.errors]
    return items


class VenueForm(FlaskForm):
    name = StringField(_l("Venue name"), validators=[InputRequired(), Length(max=100)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=200)])
    capacity = IntegerField(_l("Seats"), validators=[Optional(), NumberRange(min=1, max=100000)])

    def values(self) -> dict:
        return {"name": self.name.data, "address": self.address.data or "", "capacity": self.capacity.data}


class TeacherForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=60)])
    title = StringField(_l("Professional title"), validators=[Optional(), Length(max=60)])
    employer = StringField(_l("Employer"), validators=[Optional(), Length(max=120)])

    def values(self) -> dict:
        return {"name": self.name.data, "title": self.title.data or "", "employer": self.employer.data or ""}


class CopyForm(FlaskForm):
    first_day = DateField(_l("First date of the copy"), validators=[InputRequired()], filters=[in_sane_years])
    title = StringField(_l("Course title"), validators=[Optional(), Length(max=200)])


WEEKDAY_CHOICES = [(0, "周一"), (1, "周二"), (2, "周三"), (3, "周四"), (4, "周五"), (5, "周六"), (6, "周日")]


class PatternForm(FlaskForm):
    """A repeating schedule: weekdays, one local time, for some weeks or up to a last date."""

    first_day = DateField(_l("First date"), validators=[InputRequired()], filters=[in_sane_years])
    weekdays = SelectMultipleField(
        _l("Weekdays"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    start = TimeField(_l("Start"), validators=[InputRequired()])
    end = TimeField(_l("End"), validators=[InputRequired()])
    weeks = IntegerField(_l("For weeks"), validators=[Optional(), NumberRange(min=1, max=53)])
    last_day = DateField(_l("Or until"), validators=[Optional()], filters=[in_sane_years])
    venue_id = SelectField(_l("Venue"), coerce=optional_db_id, validate_choice=False, choices=[])
    teacher_ids = SelectMultipleField(_l("Teachers"), coerce=db_id, validate_choice=False, choices=[])
    topic = StringField(_l("Topic"), validators=[Optional(), Length(max=200)])

    def pattern(self) -> SessionPattern:
        return SessionPattern(
            first_day=self.first_day.data,
            weekdays=tuple(self.weekdays.data or ()),
            start=self.start.data,
            end=self.end.data,
            weeks=self.weeks.data,
            last_day=self.last_day.data,
            venue_id=self.venue_id.data,
            teacher_ids=tuple(self.teacher_ids.data or ()),
            title=self.topic.data or "",
        )
