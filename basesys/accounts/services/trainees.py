"""Trainees (DOMAIN.md §2): records a base creates, self-registration that claims them, profiles."""

from datetime import datetime

from sqlalchemy.exc import IntegrityError

from basesys.accounts.models import Bureau, Role, Trainee, User
from basesys.accounts.refusals import REFUSALS
from basesys.accounts.services.employers import employer_for_code, link_employer
from basesys.accounts.services.inputs import check_password_strength, clean, require
from basesys.accounts.services.passwords import hash_password
from basesys.accounts.transactions import begin_writes
from basesys.core.audit import audit
from basesys.core.errors import DomainError, ValidationFailed
from basesys.core.ids import birth_date_of, gender_of, normalize_code, validate_id_number
from basesys.core.time import local_date
from basesys.extensions import db

DETAILS = ("phone", "employer", "series", "title")


def trainee_state(trainee: Trainee) -> dict:
    return {
        "name": trainee.name,
        "phone": trainee.phone,
        "employer": trainee.employer,
        "series": trainee.series,
        "title": trainee.title,
        "registered": trainee.registered,
    }


def get_trainee_by_id_number(id_number: str) -> Trainee | None:
    return db.session.scalar(db.select(Trainee).where(Trainee.id_number == normalize_code(id_number)))


def _new_trainee(number: str, name: str, *, now: datetime, **details) -> Trainee:
    trainee = Trainee(
        id_number=number,
        name=name.strip(),
        gender=gender_of(number),
        birth_date=birth_date_of(number),
        created_at=now,
        **{key: clean(value) for key, value in details.items()},
    )
    db.session.add(trainee)
    return trainee


def create_trainee_record(
    actor,
    *,
    id_number: str,
    name: str,
    phone="",
    employer="",
    series="",
    title="",
    bureau_id=None,
    base_id=None,
    now: datetime,
) -> Trainee:
    """A trainee without an account (enrolled by a base); refuses invalid or duplicate ID numbers."""
    number = validate_id_number(id_number, local_date(now))
    require({"name": name})
    if get_trainee_by_id_number(number) is not None:
        raise DomainError("duplicate_id_number", "该身份证号码已有学员记录。")
    details = {"phone": phone, "employer": employer, "series": series, "title": title}
    trainee = _new_trainee(number, name, now=now, **details)
    trainee.bureau_id = bureau_id
    db.session.flush()
    audit(actor, "trainee.created", trainee, now=now, after=trainee_state(trainee), base_id=base_id)
    return trainee


def _claimable(number: str, name: str) -> Trainee | None:
    """The record a base created with this ID number, if any; refuses an existing account, another name."""
    trainee = get_trainee_by_id_number(number)
    if trainee is not None and trainee.registered:
        raise DomainError("duplicate_id_number")
    if db.session.scalar(db.select(User.id).where(User.username == number)) is not None:
        raise DomainError("duplicate_id_number")
    if trainee is not None and trainee.name != name.strip():
        raise ValidationFailed({"name": REFUSALS["name_mismatch"].zh}, code="name_mismatch")
    return trainee


def register_trainee(
    *,
    id_number: str,
    name: str,
    password: str,
    phone="",
    employer="",
    series="",
    title="",
    bureau_id=None,
    employer_credit_code: str | None = None,
    now: datetime,
) -> Trainee:
    """Self-registration; claims a record a base created with the same ID number and name; links the
    employer of `employer_credit_code`. Refuses `invalid_id_number`, `duplicate_id_number` (an
    account exists), `name_mismatch`, `invalid_credit_code`, `employer_unknown`."""
    number = validate_id_number(id_number, local_date(now))
    require({"name": name, "phone": phone})
    check_password_strength(password)
    employer_for_code(employer_credit_code)  # refused before the hash; looked up again below
    password_hash = hash_password(password)  # before the write lock (accounts/transactions.py)
    begin_writes()
    if bureau_id is not None and db.session.get(Bureau, bureau_id) is None:
        raise ValidationFailed({"bureau_id": "所选人社局不存在"})
    trainee = _claimable(number, name)
    claimed, before = trainee is not None, trainee_state(trainee) if trainee else None
    trainee = trainee or _new_trainee(number, name, now=now)
    for attr, value in zip(DETAILS, (phone, employer, series, title), strict=True):
        if clean(value):
            setattr(trainee, attr, clean(value))
    trainee.bureau_id = bureau_id if bureau_id is not None else trainee.bureau_id
    user = User(
        username=number,
        password_hash=password_hash,
        role=Role.TRAINEE.value,
        display_name=trainee.name,
        created_at=now,
    )
    db.session.add(user)
    try:
        db.session.flush()
        trainee.user_id = user.id
        db.session.flush()
    except IntegrityError:  # PostgreSQL: a registration of the same number committed meanwhile
        raise DomainError("duplicate_id_number") from None
    action = "trainee.claimed" if claimed else "trainee.registered"
    audit(user, action, trainee, now=now, before=before, after=trainee_state(trainee))
    link_employer(user, trainee, employer_credit_code, now=now)
    return trainee


def update_trainee_profile(
    actor, trainee: Trainee, *, phone: str, employer: str, series: str, title: str, now: datetime
) -> Trainee:
    """The trainee's own details; refuses an empty phone."""
    require({"phone": phone})
    before = trainee_state(trainee)
    trainee.phone, trainee.employer = phone.strip(), clean(employer)
    trainee.series, trainee.title = clean(series), clean(title)
    db.session.flush()
    audit(actor, "trainee.updated", trainee, now=now, before=before, after=trainee_state(trainee))
    return trainee
