"""Who sees which declarations (DOMAIN.md §1, §11), the lists and the reviewers' inboxes.

An employer reviewer sees its employer's declarations; a bureau officer those of its bureau and
the bureaus below; a trainee its own; the sysadmin all. Anything else is NotFound (404).
"""

from sqlalchemy import ColumnElement, and_, false, func, select, true
from sqlalchemy.orm import selectinload

from basesys.accounts.models import Role, Trainee
from basesys.accounts.scope import in_bureau_scope
from basesys.core.errors import NotFound
from basesys.core.paging import Keyset, keyset_page
from basesys.declarations.models import Declaration, DeclarationStatus, ReviewStage
from basesys.declarations.services.views import DeclarationPage
from basesys.extensions import db

WAITING_AT_EMPLOYER = and_(Declaration.status == DeclarationStatus.SUBMITTED, Declaration.stage == ReviewStage.EMPLOYER)
WAITING_AT_BUREAU = and_(
    Declaration.status.in_((DeclarationStatus.SUBMITTED, DeclarationStatus.EMPLOYER_APPROVED)),
    Declaration.stage == ReviewStage.BUREAU,
)


def declaration_scope(user) -> ColumnElement[bool]:
    """A WHERE clause on declarations: those the user may see."""
    if user.role == Role.SYSADMIN:
        return true()
    if user.role == Role.EMPLOYER_REVIEWER:
        return Declaration.employer_id == user.employer_id if user.employer_id is not None else false()
    if user.role == Role.BUREAU_OFFICER:
        return in_bureau_scope(user, Declaration.bureau_id)
    if user.role == Role.TRAINEE:
        return Declaration.trainee_id.in_(select(Trainee.id).where(Trainee.user_id == user.id))
    return false()


def waiting_for(user) -> ColumnElement[bool]:
    """Declarations whose current stage is the user's (in scope)."""
    if user.role == Role.EMPLOYER_REVIEWER:
        return and_(declaration_scope(user), WAITING_AT_EMPLOYER)
    if user.role == Role.BUREAU_OFFICER:
        return and_(declaration_scope(user), WAITING_AT_BUREAU)
    return false()


def decided_by_stage(user) -> ColumnElement[bool]:
    """Declarations past the user's stage: the employer's approved, recognised or returned ones;
    the bureau's recognised or returned ones."""
    if user.role == Role.EMPLOYER_REVIEWER:
        done = (DeclarationStatus.EMPLOYER_APPROVED, DeclarationStatus.RECOGNIZED, DeclarationStatus.RETURNED)
    else:
        done = (DeclarationStatus.RECOGNIZED, DeclarationStatus.RETURNED)
    return and_(declaration_scope(user), Declaration.status.in_(done))


def can_decide(user, declaration: Declaration) -> bool:
    """Whether the user's stage is the declaration's current one (the decision form shows)."""
    if declaration.status not in (DeclarationStatus.SUBMITTED, DeclarationStatus.EMPLOYER_APPROVED):
        return False
    if user.role == Role.EMPLOYER_REVIEWER:
        return (
            declaration.stage == ReviewStage.EMPLOYER
            and user.employer_id is not None
            and declaration.employer_id == user.employer_id
        )
    if user.role == Role.BUREAU_OFFICER:
        return declaration.stage == ReviewStage.BUREAU and bool(
            db.session.scalar(select(Declaration.id).where(Declaration.id == declaration.id, declaration_scope(user)))
        )
    return False


def get_declaration_for(user, declaration_id: int) -> Declaration:
    """The declaration if the user may see it (its trainee, a reviewer in scope, sysadmin); else NotFound."""
    if not 0 < declaration_id < 2**31:
        raise NotFound()
    declaration = db.session.scalar(
        select(Declaration).where(Declaration.id == declaration_id, declaration_scope(user))
    )
    if declaration is None:
        raise NotFound()
    return declaration


def declarations_of(trainee, year: int | None = None) -> list[Declaration]:
    """The trainee's declarations (of a year), latest first, with their evidence."""
    query = select(Declaration).where(Declaration.trainee_id == trainee.id)
    if year is not None:
        query = query.where(Declaration.year == year)
    query = query.options(selectinload(Declaration.evidence)).order_by(
        Declaration.submitted_at.desc(), Declaration.id.desc()
    )
    return list(db.session.scalars(query))


def inbox(user, *, status: str | None = None, page: int = 1, size: int = 20) -> DeclarationPage:
    """Declarations in the reviewer's scope: status None = waiting for the user's stage (oldest
    first), "decided" = past it (latest first), or a DeclarationStatus value (latest first)."""
    if status is None:
        condition, order = waiting_for(user), (Declaration.submitted_at, Declaration.id)
    elif status == "decided":
        condition, order = decided_by_stage(user), (Declaration.decided_at.desc(), Declaration.id.desc())
    else:
        condition = and_(declaration_scope(user), Declaration.status == status)
        order = (Declaration.submitted_at.desc(), Declaration.id.desc())
    total = db.session.scalar(select(func.count()).select_from(Declaration).where(condition)) or 0
    page = max(1, page)
    items = db.session.scalars(
        select(Declaration)
        .where(condition)
        .options(selectinload(Declaration.trainee), selectinload(Declaration.employer))
        .order_by(*order)
        .limit(size)
        .offset((page - 1) * size)
    ).all()
    return DeclarationPage(list(items), total, page, size)


def declarations_page(
    user, *, status: str | None, limit: int, after: int | None, trainee_id: int | None = None
) -> Keyset:
    """The API's list: the declarations the user sees (of a status, of a trainee), latest submitted
    first. NotFound for a trainee none of whose declarations the user may see (never revealing
    whether the trainee exists or has any)."""
    query = select(Declaration).where(declaration_scope(user))
    if trainee_id is not None:
        query = query.where(Declaration.trainee_id == trainee_id)
        if db.session.scalar(query.with_only_columns(Declaration.id).limit(1)) is None:
            raise NotFound()
    if status:
        query = query.where(Declaration.status == status)
    order = (Declaration.submitted_at, Declaration.id)
    options = (selectinload(Declaration.evidence),)
    return keyset_page(query, order, Declaration, limit=limit, after=after, descending=True, options=options)


def waiting_count(user) -> int:
    return db.session.scalar(select(func.count()).select_from(Declaration).where(waiting_for(user))) or 0
