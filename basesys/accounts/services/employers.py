"""Employers (用人单位, DOMAIN.md §1): their credit code, the bureau that audits their staff's hours,
and a trainee's link to one (named by credit code; §11 routes declarations by it)."""

from datetime import datetime

from sqlalchemy import or_
from sqlalchemy.exc import IntegrityError

from basesys.accounts.models import Bureau, Employer, Role, Trainee
from basesys.accounts.refusals import REFUSALS
from basesys.accounts.scope import can_see_bureau, can_see_employer, in_employer_scope
from basesys.accounts.services.inputs import require
from basesys.accounts.signals import trainee_employer_changed
from basesys.core.audit import audit
from basesys.core.errors import DomainError, Forbidden, NotFound, ValidationFailed
from basesys.core.ids import normalize_code, validate_credit_code
from basesys.extensions import db

EMPLOYER_ROLES = (Role.SYSADMIN, Role.BUREAU_OFFICER)


def employer_state(employer: Employer) -> dict:
    return {"name": employer.name, "credit_code": employer.credit_code, "bureau_id": employer.bureau_id}


def find_employer_by_credit_code(credit_code: str | None) -> Employer | None:
    """The employer of a credit code as typed (spaces, lower case); None for an empty or unknown one."""
    code = normalize_code(credit_code or "")
    if not code:
        return None
    return db.session.scalar(db.select(Employer).where(Employer.credit_code == code))


def _audited_bureau(actor, bureau_id) -> Bureau:
    """The bureau an officer (or the sysadmin, or the demo/CLI without actor) puts an employer under:
    unknown or outside the officer's scope answers 404 (never reveal another city's bureaus)."""
    bureau = db.session.get(Bureau, bureau_id) if bureau_id is not None else None
    if bureau is None or (actor is not None and not can_see_bureau(actor, bureau)):
        raise NotFound()
    return bureau


def _check_actor(actor) -> None:
    if actor is not None and actor.role not in EMPLOYER_ROLES:
        raise Forbidden()


def _checked(actor, name: str, credit_code: str, bureau_id, editing: Employer | None = None) -> tuple[str, Bureau]:
    _check_actor(actor)
    require({"name": name})
    if len(name.strip()) > 120:
        raise ValidationFailed({"name": "不超过120个字符"})
    code = validate_credit_code(credit_code)
    bureau = _audited_bureau(actor, bureau_id)
    clash = db.session.scalar(db.select(Employer).where(Employer.credit_code == code))
    if clash is not None and clash is not editing:
        raise DomainError("duplicate_credit_code", status=409)
    return code, bureau


def create_employer(actor, *, name: str, credit_code: str, bureau_id: int, now: datetime) -> Employer:
    """Refuses `invalid_credit_code` (422), `duplicate_credit_code` (409), a bureau unknown or outside
    the officer's scope (404), a role other than sysadmin or officer (403)."""
    code, bureau = _checked(actor, name, credit_code, bureau_id)
    employer = Employer(name=name.strip(), credit_code=code, bureau=bureau, created_at=now)
    db.session.add(employer)
    try:
        db.session.flush()
    except IntegrityError:  # PostgreSQL: the same code committed meanwhile
        raise DomainError("duplicate_credit_code", status=409) from None
    audit(actor, "employer.created", employer, now=now, after=employer_state(employer), bureau_id=bureau.id)
    return employer


def update_employer(actor, employer: Employer, *, name: str, credit_code: str, bureau_id: int, now: datetime):
    """Refuses what create_employer refuses; the actor must see the employer (404) and the new bureau."""
    if actor is not None and not can_see_employer(actor, employer):
        raise NotFound()
    before = employer_state(employer)
    code, bureau = _checked(actor, name, credit_code, bureau_id, editing=employer)
    employer.name, employer.credit_code, employer.bureau = name.strip(), code, bureau
    db.session.flush()
    audit(
        actor, "employer.updated", employer, now=now, before=before, after=employer_state(employer),
        bureau_id=bureau.id,
    )  # fmt: skip
    return employer


def employers_query(user, q: str = ""):
    """The employers the user may see, by name; `q` matches the name or the exact credit code."""
    query = db.select(Employer).where(in_employer_scope(user, Employer.id)).order_by(Employer.name, Employer.id)
    q = (q or "").strip()
    if q:
        query = query.where(or_(Employer.name.contains(q, autoescape=True), Employer.credit_code == normalize_code(q)))
    return query


def list_employers(user, q: str = "") -> list[Employer]:
    return list(db.session.scalars(employers_query(user, q)))


def trainee_employer_state(trainee: Trainee) -> dict:
    employer = trainee.employer_record
    return {
        "employer_credit_code": employer.credit_code if employer else "",
        "employer_name": employer.name if employer else "",
    }


def employer_for_code(credit_code: str | None, field: str = "employer_credit_code") -> Employer | None:
    """None for an empty code; refuses a malformed one (`invalid_credit_code`) and one no employer
    has (`employer_unknown`), both 422 on `field`."""
    if not normalize_code(credit_code or ""):
        return None
    code = validate_credit_code(credit_code, field)
    employer = db.session.scalar(db.select(Employer).where(Employer.credit_code == code))
    if employer is None:
        message = REFUSALS["employer_unknown"].zh
        raise ValidationFailed({field: message}, code="employer_unknown", message=message)
    return employer


def link_employer(actor, trainee: Trainee, credit_code: str | None, *, now: datetime) -> Trainee:
    """Sets (or, with an empty code, clears) the trainee's employer; audited, and when it changed,
    `trainee_employer_changed` is sent after the row changed. Refuses `invalid_credit_code`,
    `employer_unknown` (422)."""
    employer = employer_for_code(credit_code)
    old_id, new_id = trainee.employer_id, employer.id if employer else None
    if old_id == new_id:
        return trainee
    before = trainee_employer_state(trainee)
    trainee.employer_id, trainee.employer_record = new_id, employer
    db.session.flush()
    audit(
        actor, "trainee.employer_changed", trainee, now=now, before=before, after=trainee_employer_state(trainee),
        bureau_id=employer.bureau_id if employer else trainee.bureau_id,
    )  # fmt: skip
    trainee_employer_changed.send(trainee, old_employer_id=old_id, new_employer_id=new_id, actor=actor, now=now)
    return trainee
