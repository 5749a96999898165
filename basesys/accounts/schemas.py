"""Request bodies of the Accounts API (API.md); they also describe it in the OpenAPI document."""

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from basesys.accounts.models import BaseLevel, BureauLevel
from basesys.core.api import Answer, DbId

# Literals of the enums' values: a wrong value is answered with the list of allowed ones.
BureauLevelValue = Literal[tuple(level.value for level in BureauLevel)]
BaseLevelValue = Literal[tuple(level.value for level in BaseLevel)]


class _Body(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)


class TokenRequest(_Body):
    """`{username, password}`, or a trainee's `{username, login_code}` (a one-time login code)."""

    username: str = Field(min_length=1, max_length=64)
    password: str | None = Field(default=None, min_length=1, max_length=200)
    login_code: str | None = Field(default=None, min_length=1, max_length=20)


class LoginCodeCreate(_Body):
    id_number: str = Field(min_length=1, max_length=40)


class BureauCreate(_Body):
    name: str = Field(min_length=1, max_length=120)
    level: BureauLevelValue
    parent_id: DbId | None = None


class BaseCreate(_Body):
    name: str = Field(min_length=1, max_length=120)
    level: BaseLevelValue
    credit_code: str = Field(min_length=1, max_length=40)
    bureau_id: DbId
    address: str = Field(default="", max_length=200)


class UserCreate(_Body):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)
    role: Literal["bureau_officer", "base_admin", "employer_reviewer"]
    bureau_id: DbId | None = None
    base_id: DbId | None = None
    # Required for (and only read with) role employer_reviewer: the employer it reviews for (DOMAIN.md §11).
    employer_id: DbId | None = None
    display_name: str = Field(default="", max_length=60)


class TraineeCreate(_Body):
    id_number: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=60)
    phone: str = Field(min_length=1, max_length=20)
    employer: str = Field(default="", max_length=120)
    series: str = Field(default="", max_length=40)
    title: str = Field(default="", max_length=40)
    password: str = Field(min_length=1, max_length=200)
    bureau_id: DbId | None = None
    # The employer's 统一社会信用代码 (DOMAIN.md §1): absent or empty links none.
    employer_credit_code: str | None = Field(default=None, max_length=40)


class EmployerCreate(_Body):
    name: str = Field(min_length=1, max_length=120)
    credit_code: str = Field(min_length=1, max_length=40)
    bureau_id: DbId


class ProfilePatch(_Body):
    """The trainee's own employer, by credit code; empty or null clears it."""

    employer_credit_code: str | None = Field(default=None, max_length=40)


class PasswordChange(_Body):
    new_password: str = Field(min_length=1, max_length=200)
    # API.md: not needed right after a login with a one-time login code, checked otherwise.
    current_password: str = Field(default="", max_length=200)


# Answers (core.api.Answer): what the endpoints return, as the OpenAPI document describes it.


class TokenAnswer(Answer):
    """A bearer token"""

    token: str
    role: str
    expires_at: AwareDatetime
    # Only in the answer to a login with a one-time login code, and then true: set a new password
    # (POST /me/password) first. A password login answers the three fields above.
    must_change_password: bool = False


class LoginCodeAnswer(Answer):
    """A one-time login code: show it to the trainee once; only its hash is kept"""

    code: str
    expires_at: AwareDatetime


class BureauAnswer(Answer):
    """The bureau"""

    id: int
    name: str
    level: BureauLevelValue
    parent_id: int | None


class BaseAnswer(Answer):
    """The training base"""

    id: int
    name: str
    level: BaseLevelValue
    credit_code: str
    bureau_id: int
    address: str


class UserAnswer(Answer):
    """The staff account"""

    id: int
    username: str
    role: str


class TraineeAnswer(Answer):
    """The registered trainee"""

    id: int
    name: str
    gender: Literal["male", "female"]
    id_number_masked: str


class EmployerAnswer(Answer):
    """The employer"""

    id: int
    name: str
    credit_code: str
    bureau_id: int


class ProfileAnswer(Answer):
    """The trainee's profile, with the employer linked by credit code (null: none)"""

    id: int
    name: str
    id_number_masked: str
    employer: str
    employer_id: int | None
    employer_name: str | None
    employer_credit_code: str | None
