"""Tenant walls in one place (DOMAIN.md §1): who may see and act on what.

Out-of-scope objects are answered 404 (never reveal another tenant's objects), a wrong role 403.
Feature packages build their own `can_*` from these.
"""

from sqlalchemy import ColumnElement, Select, false, or_, select, true

from basesys.accounts.models import Base, Bureau, BureauLevel, Employer, Role, Trainee, User
from basesys.core.features import registry
from basesys.extensions import db

# Enrolment is the courses feature's, a layer above: it provides, at start-up, a function
# `(trainee_id, base_condition) -> EXISTS clause`: the trainee is on a course of a base for which
# `base_condition(Course.base_id)` holds (core.features.provide).
ENROLLED_AT = "trainee_enrolled_at"

# Scope in SQL: what a query filters by, never a set of ids loaded into Python and bound one
# parameter per id (a province has a thousand bases; PostgreSQL binds at most 65,535 parameters).


def bureau_subtree(bureau_id: int) -> Select:
    """SELECT of the ids of the bureau and every bureau below it.

    A parent is always of a higher level (DOMAIN.md §1, refused otherwise by accounts.services.
    bureaus), so below a bureau lie at most as many levels as there are levels under its own: the
    subtree is written out level by level (a county: itself; a city: itself and its children; the
    province: two levels down). The planner estimates these from the bureau table's statistics; it
    guessed a recursive CTE at ~900 bureaus whatever the tree, and read a county's whole audit log
    (and every other list) as if it were the province's."""
    bureau = db.session.get(Bureau, bureau_id)
    levels_below = len(BureauLevel) - 1 - BureauLevel(bureau.level).rank if bureau is not None else 0
    found = [Bureau.id == bureau_id]
    parents = select(Bureau.id).where(Bureau.id == bureau_id)
    for _ in range(levels_below):
        found.append(Bureau.parent_id.in_(parents))
        parents = select(Bureau.id).where(Bureau.parent_id.in_(parents))
    return select(Bureau.id).where(or_(*found))


def base_scope(user: User) -> Select | None:
    """SELECT of the ids of the bases the user may see; None means every base (sysadmin)."""
    if user.role == Role.SYSADMIN:
        return None
    if user.role == Role.BUREAU_OFFICER and user.bureau_id is not None:
        return select(Base.id).where(Base.bureau_id.in_(bureau_subtree(user.bureau_id)))
    if user.role == Role.BASE_ADMIN and user.base_id is not None:
        return select(Base.id).where(Base.id == user.base_id)
    return select(Base.id).where(false())


def in_base_scope(user: User, column) -> ColumnElement[bool]:
    """A WHERE clause: `column` (a base id) is one the user may see."""
    if user.role == Role.SYSADMIN:
        return true()
    if user.role == Role.BASE_ADMIN:
        return column == user.base_id if user.base_id is not None else false()
    return column.in_(base_scope(user))


def in_bureau_scope(user: User, column) -> ColumnElement[bool]:
    """A WHERE clause: `column` (a bureau id) is the officer's bureau or one below it."""
    if user.role == Role.SYSADMIN:
        return true()
    if user.role == Role.BUREAU_OFFICER and user.bureau_id is not None:
        return column.in_(bureau_subtree(user.bureau_id))
    return false()


def in_employer_scope(user: User, column) -> ColumnElement[bool]:
    """A WHERE clause: `column` (an employer id) is one the user may see. The sysadmin every one;
    an officer those audited by its bureau or one below (DOMAIN.md §1); an employer reviewer its own
    employer; anyone else none."""
    if user.role == Role.SYSADMIN:
        return true()
    if user.role == Role.BUREAU_OFFICER and user.bureau_id is not None:
        return column.in_(select(Employer.id).where(Employer.bureau_id.in_(bureau_subtree(user.bureau_id))))
    if user.role == Role.EMPLOYER_REVIEWER and user.employer_id is not None:
        return column == user.employer_id
    return false()


def can_see_employer(user: User, employer: Employer) -> bool:
    """One query: see `in_employer_scope`."""
    return user.role == Role.SYSADMIN or bool(
        db.session.scalar(select(Employer.id).where(Employer.id == employer.id, in_employer_scope(user, Employer.id)))
    )


def bureau_subtree_ids(bureau_id: int | None) -> set[int]:
    """The bureau and every bureau below it."""
    if bureau_id is None:
        return set()
    rows = db.session.execute(db.select(Bureau.id, Bureau.parent_id)).all()
    children: dict[int | None, list[int]] = {}
    for bid, parent in rows:
        children.setdefault(parent, []).append(bid)
    found, stack = set(), [bureau_id]
    while stack:
        current = stack.pop()
        if current in found:
            continue
        found.add(current)
        stack.extend(children.get(current, []))
    return found


def can_see_bureau(user: User, bureau: Bureau) -> bool:
    """One query, whatever the size of the tree."""
    return user.role == Role.SYSADMIN or bool(
        db.session.scalar(select(Bureau.id).where(Bureau.id == bureau.id, in_bureau_scope(user, Bureau.id)))
    )


def can_see_base(user: User, base: Base) -> bool:
    return user.role == Role.SYSADMIN or bool(
        db.session.scalar(select(Base.id).where(Base.id == base.id, in_base_scope(user, Base.id)))
    )


def can_manage_base(user: User, base: Base) -> bool:
    """The base's own admin runs its courses."""
    return user.role == Role.BASE_ADMIN and user.base_id == base.id


def can_supervise_base(user: User, base: Base) -> bool:
    """An officer of the base's supervising bureau or of a bureau above it (one query)."""
    if user.role != Role.BUREAU_OFFICER or user.bureau_id is None:
        return False
    return bool(
        db.session.scalar(select(Bureau.id).where(Bureau.id == base.bureau_id, in_bureau_scope(user, Bureau.id)))
    )


def is_self(user: User, trainee: Trainee) -> bool:
    return user.role == Role.TRAINEE and trainee.user_id == user.id


def in_trainee_scope(user: User) -> ColumnElement[bool]:
    """A WHERE clause on the trainee table: staff may act for this trainee. The sysadmin for
    anyone; a base admin for those enrolled on a course of its base; an officer for those enrolled
    at a base it supervises (its bureau or below) and those registered with one of those bureaus."""
    if user.role == Role.SYSADMIN:
        return true()
    enrolled_at = registry().services.get(ENROLLED_AT)
    if user.role == Role.BASE_ADMIN and user.base_id is not None and enrolled_at is not None:
        return enrolled_at(Trainee.id, lambda column: column == user.base_id)
    if user.role == Role.BUREAU_OFFICER and user.bureau_id is not None:
        registered_here = in_bureau_scope(user, Trainee.bureau_id)
        if enrolled_at is None:
            return registered_here
        return or_(registered_here, enrolled_at(Trainee.id, lambda column: in_base_scope(user, column)))
    return false()


def can_act_for_trainee(user: User, trainee: Trainee) -> bool:
    """One query: see `in_trainee_scope`."""
    return user.role == Role.SYSADMIN or bool(
        db.session.scalar(select(Trainee.id).where(Trainee.id == trainee.id, in_trainee_scope(user)))
    )


def trainee_of(user: User) -> Trainee | None:
    if user.role != Role.TRAINEE:
        return None
    return db.session.scalar(db.select(Trainee).where(Trainee.user_id == user.id))


def bases_in_scope(user: User) -> list[Base]:
    """The bases a user may see, by name (for the filters of the lists)."""
    return list(db.session.scalars(db.select(Base).where(in_base_scope(user, Base.id)).order_by(Base.name)))
