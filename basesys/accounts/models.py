"""Tenants and people. A user logs in; a trainee is a person who may not have an account yet."""

from datetime import date, datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from basesys.core.ids import GENDER_LABELS, mask_id_number
from basesys.core.time import UTCDateTime
from basesys.extensions import db


class BureauLevel(StrEnum):
    """A bureau's level, highest first: a parent is always of a higher level (DOMAIN.md §1)."""

    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"

    @property
    def rank(self) -> int:
        """0 for the province; a higher level has a lower rank."""
        return list(BureauLevel).index(self)


class BaseLevel(StrEnum):
    NATIONAL = "national"
    PROVINCIAL = "provincial"
    MUNICIPAL = "municipal"


class Role(StrEnum):
    SYSADMIN = "sysadmin"
    BUREAU_OFFICER = "bureau_officer"
    BASE_ADMIN = "base_admin"
    EMPLOYER_REVIEWER = "employer_reviewer"  # DOMAIN.md §1; its accounts come with employers (§11)
    TRAINEE = "trainee"


BUREAU_LEVELS = {BureauLevel.PROVINCE: "省级", BureauLevel.CITY: "市级", BureauLevel.COUNTY: "县/区级"}
BASE_LEVELS = {BaseLevel.NATIONAL: "国家级", BaseLevel.PROVINCIAL: "省级", BaseLevel.MUNICIPAL: "市级"}
ROLES = {
    Role.SYSADMIN: "系统管理员",
    Role.BUREAU_OFFICER: "人社部门经办人",
    Role.BASE_ADMIN: "基地管理员",
    Role.EMPLOYER_REVIEWER: "用人单位经办人",
    Role.TRAINEE: "学员",
}


class Bureau(db.Model):
    """A 人力资源社会保障局 at a level, with the bureau above it (DOMAIN.md §1)."""

    __tablename__ = "bureau"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False, unique=True)
    level: Mapped[str] = mapped_column(String(16), nullable=False)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("bureau.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)

    parent: Mapped["Bureau | None"] = relationship(remote_side="Bureau.id", back_populates="children")
    children: Mapped[list["Bureau"]] = relationship(back_populates="parent")
    bases: Mapped[list["Base"]] = relationship(back_populates="bureau")

    @property
    def level_label(self) -> str:
        return BUREAU_LEVELS.get(self.level, self.level)

    @property
    def place_name(self) -> str:
        """The place the bureau serves, as a person names where they live: 枣庄市, 枣庄市市中区
        (issue 15: registration's 所在地市 listed 枣庄市人力资源和社会保障局 …)."""
        place = self.name
        for suffix in BUREAU_NAME_SUFFIXES:
            if place.endswith(suffix) and len(place) > len(suffix):
                place = place[: -len(suffix)]
                break
        if self.level == BureauLevel.COUNTY and self.parent is not None:
            parent = self.parent.place_name
            if not place.startswith(parent):
                place = parent + place
        return place


# What a bureau's name adds to its place: the longest first.
BUREAU_NAME_SUFFIXES = ("人力资源和社会保障局", "人力资源社会保障局", "人社局")


class Base(db.Model):
    """A 继续教育基地 supervised by one bureau, where its filings and rosters go (DOMAIN.md §1)."""

    __tablename__ = "base"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False, unique=True)
    level: Mapped[str] = mapped_column(String(16), nullable=False)
    credit_code: Mapped[str] = mapped_column(String(18), nullable=False, unique=True)
    bureau_id: Mapped[int] = mapped_column(ForeignKey("bureau.id"), nullable=False, index=True)
    address: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)

    bureau: Mapped[Bureau] = relationship(back_populates="bases")

    @property
    def level_label(self) -> str:
        return BASE_LEVELS.get(self.level, self.level)

    @property
    def code(self) -> str:
        """Four-digit base number used in filing and certificate numbers (`备2025-0003-0012`)."""
        return f"{self.id:04d}"


class Employer(db.Model):
    """A 用人单位 (DOMAIN.md §1): its staff's hour declarations are reviewed first by its reviewers
    (`employer_reviewer`), then by the bureau that audits it (§11)."""

    __tablename__ = "employer"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    credit_code: Mapped[str] = mapped_column(String(18), nullable=False, unique=True)  # validated (GB 32100)
    bureau_id: Mapped[int] = mapped_column(ForeignKey("bureau.id"), nullable=False, index=True)  # 同级人社部门
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)

    bureau: Mapped[Bureau] = relationship()


class User(UserMixin, db.Model):
    """Anyone who logs in. A trainee's username is their ID number (API.md)."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    display_name: Mapped[str] = mapped_column(String(60), default="")
    bureau_id: Mapped[int | None] = mapped_column(ForeignKey("bureau.id"), index=True)
    base_id: Mapped[int | None] = mapped_column(ForeignKey("base.id"), index=True)
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employer.id"), index=True)  # employer_reviewer
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    # Bumped by a password change: invalidates every API token and every other login session.
    token_generation: Mapped[int] = mapped_column(default=0, nullable=False)
    # Set by a login with a one-time login code (DOMAIN.md §2): every page asks for a new password
    # first, and the password may be set without the current one; cleared by setting it.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)

    bureau: Mapped[Bureau | None] = relationship()
    base: Mapped[Base | None] = relationship()
    employer: Mapped[Employer | None] = relationship()
    trainee: Mapped["Trainee | None"] = relationship(back_populates="user", uselist=False)

    def get_id(self) -> str:
        return f"{self.id}:{self.token_generation}"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)

    @property
    def label(self) -> str:
        return self.display_name or self.username


class Trainee(db.Model):
    """A 专业技术人员, one per ID number (DOMAIN.md §2); may exist before they register."""

    __tablename__ = "trainee"

    id: Mapped[int] = mapped_column(primary_key=True)
    id_number: Mapped[str] = mapped_column(String(18), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(60), nullable=False)
    gender: Mapped[str] = mapped_column(String(1), nullable=False)
    birth_date: Mapped[date] = mapped_column(Date, nullable=False)
    phone: Mapped[str] = mapped_column(String(20), default="")
    employer: Mapped[str] = mapped_column(String(120), default="")
    series: Mapped[str] = mapped_column(String(40), default="")
    title: Mapped[str] = mapped_column(String(40), default="")
    # The city (or county) bureau whose bases' courses the trainee is offered first.
    bureau_id: Mapped[int | None] = mapped_column(ForeignKey("bureau.id"), index=True)
    # The employer named by credit code (DOMAIN.md §1, §11): whose reviewer sees the declarations and
    # whose bureau's rules apply. `employer` above stays the free text the roster prints.
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employer.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), unique=True)
    # "一票否决": set when a certificate is revoked for fraud (DOMAIN.md §8).
    fraud_flag: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    fraud_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)

    user: Mapped[User | None] = relationship(back_populates="trainee")
    bureau: Mapped[Bureau | None] = relationship()
    employer_record: Mapped[Employer | None] = relationship()

    @property
    def rules_bureau_id(self) -> int | None:
        """The bureau whose declaration rules and requirement apply (§11): the employer's, else the
        one chosen at registration."""
        return self.employer_record.bureau_id if self.employer_record is not None else self.bureau_id

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def gender_label(self) -> str:
        return GENDER_LABELS.get(self.gender, "")

    @property
    def gender_code(self) -> str:
        """`male` / `female`, as the API answers."""
        return "male" if self.gender == "M" else "female"

    @property
    def registered(self) -> bool:
        return self.user_id is not None


class LoginAttempt(db.Model):
    """Failed and successful logins, to slow down password guessing per account and address."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_username_at", "username", "at"),
        Index("ix_login_attempt_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), nullable=False)
    address: Mapped[str] = mapped_column(String(64), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    success: Mapped[bool] = mapped_column(Boolean, nullable=False)


class LoginCode(db.Model):
    """A trainee's one-time login code (DOMAIN.md §2): one row per trainee, rewritten by each new
    code (which kills the one before). Only an HMAC of the code is kept, never the code."""

    __tablename__ = "login_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainee.id"), nullable=False, unique=True)
    salt: Mapped[str] = mapped_column(String(32), nullable=False)
    code_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    # Wrong tries so far; at policy `login_code_max_tries` the code is dead.
    tries: Mapped[int] = mapped_column(default=0, nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    trainee: Mapped[Trainee] = relationship()
