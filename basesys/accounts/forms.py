"""WTForms for account pages: input shape only; rules live in the services."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import EqualTo, InputRequired, Length, NumberRange, Optional

from basesys.accounts.models import BASE_LEVELS, BUREAU_LEVELS, ROLES, Role
from basesys.core.ids import id_number_if_shaped
from basesys.core.inputs import DB_INT_MAX, optional_db_id

SERIES = [
    "工程",
    "卫生",
    "教育",
    "高等学校教师",
    "经济",
    "会计",
    "统计",
    "农业",
    "工艺美术",
    "新闻",
    "出版",
    "翻译",
    "律师",
    "公证",
    "科学研究",
    "实验技术",
    "图书资料",
    "文物博物",
    "群众文化",
    "档案",
    "体育",
    "艺术",
    "技工院校教师",
    "其他",
]


# The length rule in words (issue 15: a short password got WTForms' generic "between 8 and 200").
PASSWORD_LENGTH = _l("The password must be at least 8 characters long.")


class LoginForm(FlaskForm):
    username = StringField(
        _l("Username or ID number"), validators=[InputRequired(), Length(max=64)], filters=[id_number_if_shaped]
    )
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=200)])
    remember = BooleanField(_l("Remember me on this device"), default=True)


class LoginCodeForm(FlaskForm):
    """The login page's other way in: the ID number and a one-time login code (DOMAIN.md §2)."""

    id_number = StringField(
        _l("ID number"), validators=[InputRequired(), Length(max=40)], filters=[id_number_if_shaped]
    )
    code = StringField(_l("One-time login code"), validators=[InputRequired(), Length(max=20)])


class SetPasswordForm(FlaskForm):
    """A new password right after a login with a one-time login code: the current one is not asked."""

    new_password = PasswordField(
        _l("New password"), validators=[InputRequired(), Length(min=8, max=200, message=PASSWORD_LENGTH)]
    )
    confirm = PasswordField(
        _l("Repeat new password"), validators=[InputRequired(), EqualTo("new_password", message=_l("Passwords differ"))]
    )


class IssueLoginCodeForm(FlaskForm):
    """Staff issue a code from a trainee's row (its id) or, on the sysadmin's page, by ID number."""

    trainee_id = IntegerField(validators=[Optional(), NumberRange(min=1, max=DB_INT_MAX)])
    id_number = StringField(_l("ID number"), validators=[Optional(), Length(max=40)])
    back = HiddenField(validators=[Optional(), Length(max=500)])

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if self.trainee_id.data is None and not (self.id_number.data or "").strip():
            self.id_number.errors = list(self.id_number.errors) + [_l("Enter the trainee's ID number.")]
            return False
        return True


class RegisterForm(FlaskForm):
    id_number = StringField(_l("ID number"), validators=[InputRequired(), Length(max=18)])
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=60)])
    phone = StringField(_l("Mobile phone"), validators=[InputRequired(), Length(max=20)])
    bureau_id = SelectField(_l("City"), coerce=optional_db_id, validators=[Optional()])
    employer = StringField(_l("Employer"), validators=[Length(max=120)])
    employer_credit_code = StringField(
        _l("Employer's unified social credit code"), validators=[Optional(), Length(max=40)]
    )
    series = SelectField(_l("Professional series"), choices=[("", "—")] + [(s, s) for s in SERIES], default="")
    title = StringField(_l("Professional title"), validators=[Length(max=40)])
    password = PasswordField(
        _l("Password"), validators=[InputRequired(), Length(min=8, max=200, message=PASSWORD_LENGTH)]
    )
    confirm = PasswordField(
        _l("Repeat password"), validators=[InputRequired(), EqualTo("password", message=_l("Passwords differ"))]
    )


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[InputRequired()])
    new_password = PasswordField(
        _l("New password"), validators=[InputRequired(), Length(min=8, max=200, message=PASSWORD_LENGTH)]
    )
    confirm = PasswordField(
        _l("Repeat new password"), validators=[InputRequired(), EqualTo("new_password", message=_l("Passwords differ"))]
    )


class ProfileForm(FlaskForm):
    phone = StringField(_l("Mobile phone"), validators=[InputRequired(), Length(max=20)])
    employer = StringField(_l("Employer"), validators=[Length(max=120)])
    series = SelectField(_l("Professional series"), choices=[("", "—")] + [(s, s) for s in SERIES], default="")
    title = StringField(_l("Professional title"), validators=[Length(max=40)])


class EmployerLinkForm(FlaskForm):
    """The trainee's employer by its 统一社会信用代码; empty clears it (DOMAIN.md §1)."""

    employer_credit_code = StringField(
        _l("Employer's unified social credit code"), validators=[Optional(), Length(max=40)]
    )


class EmployerForm(FlaskForm):
    name = StringField(_l("Organisation name"), validators=[InputRequired(), Length(max=120)])
    credit_code = StringField(_l("Unified social credit code"), validators=[InputRequired(), Length(max=40)])
    bureau_id = SelectField(_l("Auditing bureau"), coerce=optional_db_id, validators=[InputRequired()])


class BureauForm(FlaskForm):
    name = StringField(_l("Organisation name"), validators=[InputRequired(), Length(max=120)])
    level = SelectField(_l("Level"), choices=[(level.value, label) for level, label in BUREAU_LEVELS.items()])
    parent_id = SelectField(_l("Parent bureau"), coerce=optional_db_id, validators=[Optional()])


class BaseForm(FlaskForm):
    name = StringField(_l("Organisation name"), validators=[InputRequired(), Length(max=120)])
    level = SelectField(_l("Level"), choices=[(level.value, label) for level, label in BASE_LEVELS.items()])
    credit_code = StringField(_l("Unified social credit code"), validators=[InputRequired(), Length(max=40)])
    bureau_id = SelectField(_l("Supervising bureau"), coerce=optional_db_id, validators=[InputRequired()])
    address = StringField(_l("Address"), validators=[Length(max=200)])


class StaffForm(FlaskForm):
    username = StringField(_l("Username"), validators=[InputRequired(), Length(max=64)])
    display_name = StringField(_l("Display name"), validators=[Length(max=60)])
    role = SelectField(
        _l("Role"),
        choices=[
            (role.value, ROLES[role])
            for role in (Role.BUREAU_OFFICER, Role.BASE_ADMIN, Role.EMPLOYER_REVIEWER, Role.SYSADMIN)
        ],
    )
    bureau_id = SelectField(_l("Bureau"), coerce=optional_db_id, validators=[Optional()])
    base_id = SelectField(_l("Base"), coerce=optional_db_id, validators=[Optional()])
    employer_id = SelectField(_l("Reviewing employer"), coerce=optional_db_id, validators=[Optional()])
    password = PasswordField(_l("Password"), validators=[Optional(), Length(min=8, max=200, message=PASSWORD_LENGTH)])
    active = BooleanField(_l("Active"), default=True)
