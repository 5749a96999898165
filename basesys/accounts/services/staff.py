"""Staff accounts: bureau officers, base admins, employer reviewers, sysadmins (DOMAIN.md §1)."""

from datetime import datetime

from sqlalchemy.exc import IntegrityError

from basesys.accounts.models import Base, Bureau, Employer, Role, User
from basesys.accounts.services.inputs import check_password_strength, clean, require
from basesys.accounts.services.passwords import hash_password
from basesys.accounts.transactions import begin_writes
from basesys.core.audit import audit
from basesys.core.errors import DomainError, ValidationFailed
from basesys.core.inputs import check_names
from basesys.extensions import db

STAFF_ROLES = (Role.BUREAU_OFFICER, Role.BASE_ADMIN, Role.EMPLOYER_REVIEWER, Role.SYSADMIN)


def user_state(user: User) -> dict:
    return {
        "username": user.username,
        "role": user.role,
        "bureau_id": user.bureau_id,
        "base_id": user.base_id,
        "employer_id": user.employer_id,
        "active": user.active,
        "display_name": user.display_name,
    }


def _staff_scope(role, bureau_id, base_id, employer_id=None) -> tuple[int | None, int | None, int | None]:
    """The (bureau_id, base_id, employer_id) the role is bound to: an officer to a bureau, an admin
    to a base, an employer reviewer to an employer (DOMAIN.md §1)."""
    if role not in STAFF_ROLES:
        raise ValidationFailed({"role": "取值无效，可选：bureau_officer/base_admin/employer_reviewer"})
    if role == Role.BUREAU_OFFICER:
        if bureau_id is None or db.session.get(Bureau, bureau_id) is None:
            raise ValidationFailed({"bureau_id": "人社部门经办人必须属于一个存在的人社局"})
        return bureau_id, None, None
    if role == Role.BASE_ADMIN:
        if base_id is None or db.session.get(Base, base_id) is None:
            raise ValidationFailed({"base_id": "基地管理员必须属于一个存在的基地"})
        return None, base_id, None
    if role == Role.EMPLOYER_REVIEWER:
        if employer_id is None or db.session.get(Employer, employer_id) is None:
            raise ValidationFailed({"employer_id": "用人单位经办人必须属于一个已登记的用人单位"})
        return None, None, employer_id
    return None, None, None


def create_staff_user(
    actor,
    *,
    username: str,
    password: str,
    role: str,
    bureau_id=None,
    base_id=None,
    employer_id=None,
    display_name="",
    now: datetime,
) -> User:
    """Refuses a short password, a missing bureau/base/employer for the role, a taken username."""
    require({"username": username})
    check_names({"display_name": clean(display_name)})
    check_password_strength(password)
    _staff_scope(role, bureau_id, base_id, employer_id)
    username = username.strip()
    password_hash = hash_password(password)
    begin_writes()  # the hash outside SQLite's write lock; what was read is checked again below
    bureau_id, base_id, employer_id = _staff_scope(role, bureau_id, base_id, employer_id)
    if db.session.scalar(db.select(User.id).where(User.username == username)) is not None:
        raise DomainError("duplicate_username")
    user = User(
        username=username,
        password_hash=password_hash,
        role=str(role),
        bureau_id=bureau_id,
        base_id=base_id,
        employer_id=employer_id,
        display_name=clean(display_name),
        created_at=now,
    )
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError:  # PostgreSQL: the same username committed meanwhile
        raise DomainError("duplicate_username") from None
    audit(actor, "user.created", user, now=now, after=user_state(user), base_id=base_id, bureau_id=bureau_id)
    return user


def update_staff_user(
    actor,
    user: User,
    *,
    role: str,
    bureau_id=None,
    base_id=None,
    employer_id=None,
    display_name="",
    active: bool = True,
    new_password: str = "",
    now: datetime,
) -> User:
    """Refuses what create_staff_user refuses; a reset password or a disabled account ends its sessions."""
    check_names({"display_name": clean(display_name)})
    password_hash = None
    if new_password:
        check_password_strength(new_password, "new_password")
        password_hash = hash_password(new_password)
        begin_writes()  # the hash outside SQLite's write lock
    before = user_state(user)
    user.bureau_id, user.base_id, user.employer_id = _staff_scope(role, bureau_id, base_id, employer_id)
    user.role, user.display_name, user.active = str(role), clean(display_name), active
    if password_hash is not None:
        user.password_hash = password_hash
    if new_password or not active:
        user.token_generation += 1
    db.session.flush()
    after = user_state(user) | {"password_reset": bool(new_password)}
    audit(
        actor, "user.updated", user, now=now, before=before, after=after, base_id=user.base_id, bureau_id=user.bureau_id
    )
    return user
