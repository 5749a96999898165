"""The review chain (DOMAIN.md §11, 分级审验): the employer's reviewer, then the bureau; the bureau's
approval recognises the declaration — ledger entries (a posting: both categories), expert-service
days under the daily cap, or a long absence's requirement reduction.

Caps are checked again at each approval against the hours recognised so far: the grant is at most
what is left, and says so; nothing left refuses `cap_used_up` (the reviewer returns it instead).
"""

from datetime import date, datetime, timedelta

from sqlalchemy import func

from basesys.accounts.models import Role
from basesys.attendance.models import CreditedDay
from basesys.certificates.models import LedgerEntry, LedgerSource, LedgerStatus, RequirementReduction
from basesys.core.audit import audit
from basesys.core.errors import DomainError, ValidationFailed
from basesys.core.policy import get_policy
from basesys.declarations import notices
from basesys.declarations.models import Declaration, DeclarationKind, DeclarationStatus, DeclarationStep, ReviewStage
from basesys.declarations.services.claims import cap_left, cut_note
from basesys.declarations.services.queries import can_decide, get_declaration_for
from basesys.declarations.services.rules import view_of
from basesys.extensions import db

DECISIONS = ("approve", "return")
COMMENT_MAX = 1000


def _rule(declaration: Declaration):
    rule = view_of(declaration.rule_set).rule(declaration.rule)
    if rule is None:  # the set was reloaded without this rule
        raise DomainError("rule_unknown")
    return rule


def _step(declaration, actor, action: str, stage: str, comment: str, now: datetime) -> None:
    db.session.add(
        DeclarationStep(
            declaration_id=declaration.id, at=now, actor_id=actor.id, action=action, stage=stage, comment=comment
        )
    )


def _day_room(declaration: Declaration) -> list[tuple[date, float]]:
    """Per date of the service: the daily cap minus the hours already credited that date (finalised
    courses and other declarations, §7)."""
    cap = get_policy(declaration.bureau_id, declaration.year).daily_cap_hours
    rows = db.session.execute(
        db.select(CreditedDay.local_date, func.sum(CreditedDay.hours))
        .where(
            CreditedDay.trainee_id == declaration.trainee_id,
            CreditedDay.local_date.between(declaration.started_on, declaration.ended_on),
            (CreditedDay.declaration_id.is_(None)) | (CreditedDay.declaration_id != declaration.id),
        )
        .group_by(CreditedDay.local_date)
    ).all()
    taken = {day: float(hours or 0) for day, hours in rows}
    days, day = [], declaration.started_on
    while day <= declaration.ended_on:
        days.append((day, max(0.0, cap - taken.get(day, 0.0))))
        day += timedelta(days=1)
    return days


def _grant(declaration: Declaration, rule) -> tuple[float, float, str, dict]:
    """(public, professional, note, per-day hours) granted now; `cap_used_up` when nothing is left."""
    public, professional = float(declaration.claimed_public), float(declaration.claimed_professional)
    note, days = "", {}
    if rule.kind == "expert_service":
        remaining = public + professional
        for day, room in _day_room(declaration):
            hours = min(room, remaining)
            if hours > 0:
                days[day.isoformat()] = hours
                remaining -= hours
        granted = sum(days.values())
        if granted <= 0:
            raise DomainError("cap_used_up")
        if granted < public + professional:
            note = f"部分日期已有其他学时（每天合计不超过8学时），核定 {granted:g} 学时"
        public, professional = (granted, 0.0) if declaration.category == "public" else (0.0, granted)
    left = cap_left(declaration.trainee, declaration.year, rule, pending=False, exclude_id=declaration.id)
    if left is not None:
        if left <= 0:
            raise DomainError("cap_used_up")
        if public + professional > left:
            note = cut_note(left, left)
            public, professional = (left, 0.0) if public > 0 else (0.0, left)
    return public, professional, note, days


def _recognize(declaration: Declaration, rule, now: datetime) -> None:
    if declaration.kind == DeclarationKind.REQUIREMENT:
        db.session.add(
            RequirementReduction(
                trainee_id=declaration.trainee_id,
                year=declaration.year,
                declaration_id=declaration.id,
                months_at_work=declaration.months_at_work,
                created_at=now,
            )
        )
        declaration.granted_public = declaration.granted_professional = 0
        return
    public, professional, note, days = _grant(declaration, rule)
    declaration.granted_public, declaration.granted_professional, declaration.grant_note = public, professional, note
    declaration.extra = {**(declaration.extra or {}), "days": days} if days else (declaration.extra or {})
    title = f"{rule.name} · {declaration.title}"[:200]
    for category, hours in (("public", public), ("professional", professional)):
        if hours > 0:
            db.session.add(
                LedgerEntry(
                    source=LedgerSource.DECLARATION,
                    declaration_id=declaration.id,
                    trainee_id=declaration.trainee_id,
                    year=declaration.year,
                    category=category,
                    hours=hours,
                    status=LedgerStatus.RECOGNIZED,
                    title=title,
                    issued_at=now,
                    recognized_at=now,
                )
            )
    for day, hours in days.items():
        db.session.add(
            CreditedDay(
                trainee_id=declaration.trainee_id,
                local_date=date.fromisoformat(day),
                declaration_id=declaration.id,
                hours=hours,
            )
        )


def decide_declaration(actor, declaration: Declaration, *, decision: str, comment: str, now: datetime) -> Declaration:
    """approve / return at the actor's stage (employer, then bureau); the bureau's approval
    recognises. Refuses `invalid_decision`, `comment_required`, `wrong_stage`, `cap_used_up`;
    NotFound outside the actor's scope."""
    get_declaration_for(actor, declaration.id)  # the wall, whatever the caller loaded
    if decision not in DECISIONS:
        raise ValidationFailed({"decision": "审核结论只能是通过或退回"}, code="invalid_decision")
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX or "\x00" in comment:
        raise ValidationFailed({"comment": f"审核意见最多{COMMENT_MAX}个字符"})
    if decision == "return" and not comment:
        raise ValidationFailed({"comment": "退回时必须填写审核意见"}, code="comment_required")
    if actor.role not in (Role.EMPLOYER_REVIEWER, Role.BUREAU_OFFICER) or not can_decide(actor, declaration):
        raise DomainError("wrong_stage")
    stage = declaration.stage
    before = {"status": declaration.status, "stage": stage}
    if decision == "return":
        declaration.status, declaration.return_comment = DeclarationStatus.RETURNED, comment
        action = "declaration.returned"
    elif stage == ReviewStage.EMPLOYER:
        if declaration.kind == DeclarationKind.HOURS:
            _grant_check(declaration, _rule(declaration))
        declaration.status, declaration.stage = DeclarationStatus.EMPLOYER_APPROVED, ReviewStage.BUREAU
        action = "declaration.employer_approved"
    else:
        _recognize(declaration, _rule(declaration), now)
        declaration.status = DeclarationStatus.RECOGNIZED
        action = "declaration.recognized"
    declaration.decided_at = now
    _step(declaration, actor, decision, stage, comment, now)
    db.session.flush()
    after = {"status": declaration.status, "stage": declaration.stage, "hours_granted": declaration.hours_granted}
    if declaration.grant_note:
        after["grant_note"] = declaration.grant_note
    audit(
        actor, action, declaration, now=now, before=before, after=after, reason=comment, bureau_id=declaration.bureau_id
    )
    if declaration.status in (DeclarationStatus.RETURNED, DeclarationStatus.RECOGNIZED):
        kind = notices.RETURNED if declaration.status == DeclarationStatus.RETURNED else notices.RECOGNIZED
        notices.tell_trainee(declaration, kind, now=now)
    return declaration


def _grant_check(declaration: Declaration, rule) -> None:
    """The employer's approval: refused when the cap has nothing left (the grant itself is the bureau's)."""
    left = cap_left(declaration.trainee, declaration.year, rule, pending=False, exclude_id=declaration.id)
    if left is not None and left <= 0:
        raise DomainError("cap_used_up")


def move_pending_declarations(trainee, *, old_employer_id, new_employer_id, actor, now: datetime) -> int:
    """The trainee's employer changed (accounts' signal): declarations still waiting for the old
    employer's first review move to the new one, or to the bureau without one; decided ones stay.
    The deciding bureau and the rules stay those of the submission."""
    waiting = db.session.scalars(
        db.select(Declaration).where(
            Declaration.trainee_id == trainee.id,
            Declaration.status == DeclarationStatus.SUBMITTED,
            Declaration.stage == ReviewStage.EMPLOYER,
        )
    ).all()
    for declaration in waiting:
        before = {"employer_id": declaration.employer_id, "stage": declaration.stage}
        declaration.employer_id = new_employer_id
        declaration.stage = ReviewStage.EMPLOYER if new_employer_id is not None else ReviewStage.BUREAU
        db.session.add(
            DeclarationStep(
                declaration_id=declaration.id,
                at=now,
                actor_id=getattr(actor, "id", None),
                action="move",
                stage=declaration.stage,
            )
        )
        audit(
            actor,
            "declaration.moved",
            declaration,
            now=now,
            before=before,
            after={"employer_id": new_employer_id, "stage": declaration.stage},
            bureau_id=declaration.bureau_id,
        )
    db.session.flush()
    return len(waiting)
