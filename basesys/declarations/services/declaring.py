"""Declaring (DOMAIN.md §11): a trainee submits a declaration, or edits a returned one and submits
it again. The rules of the trainee's rules bureau for the year apply; the employer reviews first
(a trainee without one goes straight to the bureau)."""

from datetime import datetime

from basesys.accounts.scope import is_self
from basesys.core.audit import audit
from basesys.core.errors import DomainError, NotFound, ValidationFailed
from basesys.core.time import local_date
from basesys.declarations.models import Declaration, DeclarationStatus, DeclarationStep, Evidence, ReviewStage
from basesys.declarations.services.claims import Claim, cap_left, compute_claim, find_rule
from basesys.declarations.services.rules import rule_set_in_force, view_of
from basesys.extensions import db

TITLE_MAX = 200


def _checked(
    actor, trainee, *, year, rule, option, quantity, title, category, started_on, ended_on, now, exclude_id=None
):
    """The rule set, the claim and the clean title, or the refusal (nothing written yet)."""
    if not is_self(actor, trainee):
        raise NotFound()
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= local_date(now).year:
        # Decision (issue silent on 逾期): any year up to the current one is open for declarations.
        raise ValidationFailed({"year": f"申报年度应为2000年至{local_date(now).year}年"})
    title = (title or "").strip()
    if not title or len(title) > TITLE_MAX or "\x00" in title:
        raise ValidationFailed({"title": f"请填写名称（最多{TITLE_MAX}个字符）"})
    rule_set = rule_set_in_force(trainee.rules_bureau_id, year)
    rule_view, option_view = find_rule(view_of(rule_set) if rule_set else None, rule, option)
    claim = compute_claim(
        trainee,
        rule_view,
        option_view,
        year=year,
        quantity=quantity,
        category=category,
        started_on=started_on,
        ended_on=ended_on,
    )
    left = cap_left(trainee, year, rule_view, exclude_id=exclude_id)
    if left is not None and left <= 0:
        raise DomainError("cap_reached")
    return rule_set, claim, title


def _evidence(trainee, evidence_ids, declaration_id=None) -> list[Evidence]:
    """The trainee's evidence of these ids, none attached to another declaration; `evidence_missing`."""
    ids = []
    for value in evidence_ids or ():
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**31:
            raise DomainError("evidence_missing")
        ids.append(value)
    ids = list(dict.fromkeys(ids))
    if not ids:
        raise DomainError("evidence_missing")
    found = list(db.session.scalars(db.select(Evidence).where(Evidence.id.in_(ids), Evidence.trainee_id == trainee.id)))
    if len(found) != len(ids) or any(e.declaration_id not in (None, declaration_id) for e in found):
        raise DomainError("evidence_missing")
    return found


def _attach(declaration: Declaration, evidence: list[Evidence]) -> None:
    """The declaration takes these files; the ones it no longer lists are the trainee's again."""
    keep = {e.id for e in evidence}
    for item in list(declaration.evidence):
        if item.id not in keep:
            item.declaration_id = None
    for item in evidence:
        item.declaration_id = declaration.id


def _fill(declaration: Declaration, trainee, rule_set, claim: Claim, title: str, year: int, now: datetime) -> None:
    declaration.year = year
    declaration.bureau_id = trainee.rules_bureau_id
    declaration.employer_id = trainee.employer_id
    declaration.rule_set_id = rule_set.id
    declaration.kind = claim.kind
    declaration.rule, declaration.option = claim.rule.code, claim.option.code
    declaration.category = claim.category
    declaration.quantity = claim.quantity
    declaration.started_on, declaration.ended_on = claim.started_on, claim.ended_on
    declaration.title = title
    declaration.claimed_public, declaration.claimed_professional = claim.public, claim.professional
    declaration.granted_public = declaration.granted_professional = None
    declaration.months_at_work = claim.months_at_work
    declaration.grant_note = ""
    declaration.status = DeclarationStatus.SUBMITTED
    declaration.stage = ReviewStage.EMPLOYER if trainee.employer_id is not None else ReviewStage.BUREAU
    declaration.submitted_at = now
    declaration.extra = {}


def _snapshot(declaration: Declaration) -> dict:
    return {
        "year": declaration.year,
        "rule": declaration.rule,
        "option": declaration.option,
        "category": declaration.category,
        "quantity": float(declaration.quantity),
        "title": declaration.title,
        "hours_claimed": declaration.hours_claimed,
        "status": declaration.status,
        "stage": declaration.stage,
        "employer_id": declaration.employer_id,
    }


def submit_declaration(
    actor,
    trainee,
    *,
    year,
    rule,
    option,
    quantity,
    title,
    evidence_ids,
    category=None,
    started_on=None,
    ended_on=None,
    now,
) -> Declaration:
    """A new declaration, submitted to the trainee's employer (or straight to the bureau). Refuses
    `rule_unknown`, `evidence_missing`, `cap_reached`, bad fields (`validation_failed`)."""
    rule_set, claim, title = _checked(
        actor, trainee, year=year, rule=rule, option=option, quantity=quantity, title=title,
        category=category, started_on=started_on, ended_on=ended_on, now=now,
    )  # fmt: skip
    evidence = _evidence(trainee, evidence_ids)
    declaration = Declaration(trainee_id=trainee.id, created_at=now)
    _fill(declaration, trainee, rule_set, claim, title, year, now)
    db.session.add(declaration)
    db.session.flush()
    for item in evidence:
        item.declaration_id = declaration.id
    db.session.add(
        DeclarationStep(
            declaration_id=declaration.id, at=now, actor_id=actor.id, action="submit", stage=declaration.stage
        )
    )
    db.session.flush()
    audit(
        actor,
        "declaration.submitted",
        declaration,
        now=now,
        after=_snapshot(declaration),
        bureau_id=declaration.bureau_id,
    )
    return declaration


def resubmit_declaration(
    actor,
    declaration,
    *,
    year,
    rule,
    option,
    quantity,
    title,
    evidence_ids,
    category=None,
    started_on=None,
    ended_on=None,
    now,
) -> Declaration:
    """A returned declaration, edited and submitted again (the same row, a new `submit` step).
    Refuses `wrong_stage` unless returned, and what submit refuses."""
    trainee = declaration.trainee
    if not is_self(actor, trainee):
        raise NotFound()
    if declaration.status != DeclarationStatus.RETURNED:
        raise DomainError("wrong_stage")
    rule_set, claim, title = _checked(
        actor, trainee, year=year, rule=rule, option=option, quantity=quantity, title=title,
        category=category, started_on=started_on, ended_on=ended_on, now=now, exclude_id=declaration.id,
    )  # fmt: skip
    evidence = _evidence(trainee, evidence_ids, declaration.id)
    before = _snapshot(declaration)
    _attach(declaration, evidence)
    _fill(declaration, trainee, rule_set, claim, title, year, now)
    declaration.return_comment = ""
    db.session.add(
        DeclarationStep(
            declaration_id=declaration.id, at=now, actor_id=actor.id, action="submit", stage=declaration.stage
        )
    )
    db.session.flush()
    db.session.expire(declaration, ["evidence", "steps"])
    audit(
        actor,
        "declaration.resubmitted",
        declaration,
        now=now,
        before=before,
        after=_snapshot(declaration),
        bureau_id=declaration.bureau_id,
    )
    return declaration
