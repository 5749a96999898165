"""The endpoints of API.md "Hour declarations": the rules in force, evidence, declaring, the review."""

from flask import request, send_file

from basesys.accounts.scope import trainee_of
from basesys.core.api import File, api_blueprint, api_endpoint
from basesys.core.errors import NotFound, ValidationFailed
from basesys.core.time import iso, now_utc
from basesys.declarations import services
from basesys.declarations.schemas import (
    DecisionBody,
    DeclarationAnswer,
    DeclarationBody,
    DeclarationList,
    DeclarationQuery,
    EvidenceAnswer,
    RulesAnswer,
    RulesQuery,
)
from basesys.declarations.storage import storage_dir

bp = api_blueprint("declarations_api", __name__)

REVIEWERS = ["employer_reviewer", "bureau_officer"]


def _me(actor):
    trainee = trainee_of(actor)
    if trainee is None:
        raise NotFound()
    return trainee


def declaration_json(declaration, *, left=None) -> dict:
    """A declaration as the API answers it; `left`: what the cap leaves now (None: no cap)."""
    granted = None
    if declaration.hours_granted is not None:
        granted = {
            "public": float(declaration.granted_public or 0),
            "professional": float(declaration.granted_professional or 0),
        }
    return {
        "id": declaration.id,
        "trainee_id": declaration.trainee_id,
        "year": declaration.year,
        "status": declaration.status,
        "stage": declaration.stage,
        "kind": declaration.kind,
        "rule": declaration.rule,
        "option": declaration.option,
        "category": declaration.category,
        "quantity": float(declaration.quantity),
        "started_on": declaration.started_on.isoformat() if declaration.started_on else None,
        "ended_on": declaration.ended_on.isoformat() if declaration.ended_on else None,
        "title": declaration.title,
        "hours_claimed": declaration.hours_claimed,
        "claimed": {
            "public": float(declaration.claimed_public or 0),
            "professional": float(declaration.claimed_professional or 0),
        },
        "hours_left_in_cap": left,
        "hours_granted": declaration.hours_granted,
        "granted": granted,
        "grant_note": declaration.grant_note or "",
        "months_at_work": declaration.months_at_work,
        "return_comment": declaration.return_comment or "",
        "employer_id": declaration.employer_id,
        "bureau_id": declaration.bureau_id,
        "submitted_at": iso(declaration.submitted_at),
        "decided_at": iso(declaration.decided_at),
        "evidence_ids": [e.id for e in declaration.evidence],
        "steps": [
            {"at": iso(step.at), "action": step.action, "stage": step.stage, "comment": step.comment or ""}
            for step in declaration.steps
        ],
    }


def _left(declaration):
    rule_set = services.rules_in_force(declaration.bureau_id, declaration.year)
    rule = rule_set.rule(declaration.rule) if rule_set else None
    return services.left_in_cap(declaration.trainee, declaration.year, rule) if rule else None


@api_endpoint(
    bp,
    "/declaration-rules",
    summary="The declaration rules in force for the trainee (its employer's bureau, else its own) and a year",
    roles=["trainee"],
    query=RulesQuery,
    answer=RulesAnswer,
)
def declaration_rules(actor, query: RulesQuery):
    trainee = _me(actor)
    rule_set = services.rules_for_trainee(trainee, query.year)
    return {
        "bureau_id": rule_set.bureau_id if rule_set else trainee.rules_bureau_id,
        "year": query.year,
        "name": rule_set.name if rule_set else None,
        "rules": [rule_json(rule, trainee, query.year) for rule in (rule_set.rules if rule_set else ())],
    }


def rule_json(rule, trainee, year: int) -> dict:
    """A rule as the API answers it, with what the trainee used of it this year and what is left."""
    options = [
        {
            "code": o.code,
            "name": o.name,
            "category": o.category,
            "hours": o.hours,
            "hours_by_category": o.hours_by_category,
        }
        for o in rule.options
    ]
    return {
        "code": rule.code,
        "name": rule.name,
        "kind": rule.kind,
        "unit": rule.unit,
        "options": options,
        "per_unit": rule.per_unit,
        "cap_per_year": rule.cap_per_year,
        "cap_group": rule.cap_group,
        "cap_group_hours": rule.cap_group_hours,
        "needs_dates": rule.needs_dates,
        "evidence": rule.evidence,
        "note": rule.note,
        "used_this_year": services.used_this_year(trainee, year, rule.code),
        "left_in_cap": services.left_in_cap(trainee, year, rule),
    }


@api_endpoint(
    bp,
    "/evidence",
    "POST",
    summary="Upload an evidence file (multipart field `file`: image or PDF, typed by content, at most 10 MB)",
    roles=["trainee"],
    answer=EvidenceAnswer,
    status=201,
    refuses=("evidence_invalid",),
    files=("file",),
)
def upload_evidence(actor):
    trainee = _me(actor)
    upload = request.files.get("file")
    if upload is None:
        raise ValidationFailed({"file": "请上传文件（表单字段 file）"})
    evidence = services.store_evidence(
        actor, trainee, data=upload.read(), filename=upload.filename or "", now=now_utc(), storage_dir=storage_dir()
    )
    answer = {
        "id": evidence.id,
        "sha256": evidence.sha256,
        "size": evidence.size,
        "media_type": evidence.media_type,
        "original_name": evidence.original_name,
    }
    return answer, 201


@api_endpoint(
    bp,
    "/evidence/<int:evidence_id>",
    summary="An evidence file, for its trainee and the reviewers of its declaration (404 for anyone else)",
    roles=["trainee", "employer_reviewer", "bureau_officer", "sysadmin"],
    answer=File("application/pdf, image/png, image/jpeg, image/webp", "The file, typed by its sniffed content"),
)
def get_evidence(actor, evidence_id: int):
    evidence = services.get_evidence_for(actor, evidence_id)
    path = services.evidence_path(evidence, storage_dir())
    if not path.is_file():
        raise NotFound()
    response = send_file(path, mimetype=evidence.media_type, conditional=True, etag=evidence.sha256)
    response.headers["Content-Disposition"] = "inline"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@api_endpoint(
    bp,
    "/declarations",
    "POST",
    summary="Declare an activity with its evidence (to the employer's reviewer, else the bureau)",
    roles=["trainee"],
    body=DeclarationBody,
    answer=DeclarationAnswer,
    status=201,
    refuses=("rule_unknown", "evidence_missing", "cap_reached"),
)
def submit(actor, body: DeclarationBody):
    trainee = _me(actor)
    declaration = services.submit_declaration(
        actor,
        trainee,
        year=body.year,
        rule=body.rule,
        option=body.option,
        quantity=body.quantity,
        title=body.title,
        evidence_ids=body.evidence_ids,
        category=body.category,
        started_on=body.started_on,
        ended_on=body.ended_on,
        now=now_utc(),
    )
    return declaration_json(declaration, left=_left(declaration)), 201


@api_endpoint(
    bp,
    "/declarations",
    summary="Declarations: the trainee's own; a reviewer's or officer's in scope (latest first; limit, after; "
    "trainee_id: one trainee's, 404 when none is in scope)",
    roles=["trainee", "employer_reviewer", "bureau_officer", "sysadmin"],
    query=DeclarationQuery,
    answer=DeclarationList,
    refuses=("not_found",),
)
def list_declarations(actor, query: DeclarationQuery):
    page = services.declarations_page(
        actor, status=query.status, limit=query.limit, after=query.after, trainee_id=query.trainee_id
    )
    return {"items": [declaration_json(d, left=None) for d in page.items], "next": page.next}


@api_endpoint(
    bp,
    "/declarations/<int:declaration_id>",
    summary="One declaration (its trainee, reviewers in scope)",
    roles=["trainee", "employer_reviewer", "bureau_officer", "sysadmin"],
    answer=DeclarationAnswer,
)
def get_declaration(actor, declaration_id: int):
    declaration = services.get_declaration_for(actor, declaration_id)
    return declaration_json(declaration, left=_left(declaration))


@api_endpoint(
    bp,
    "/declarations/<int:declaration_id>/decision",
    "POST",
    summary="Approve or return a declaration at your stage: the employer first, then the bureau (recognises)",
    roles=REVIEWERS,
    body=DecisionBody,
    answer=DeclarationAnswer,
    refuses=("comment_required", "invalid_decision", "wrong_stage", "cap_used_up", "rule_unknown"),
)
def decide(actor, declaration_id: int, body: DecisionBody):
    declaration = services.get_declaration_for(actor, declaration_id)
    services.decide_declaration(actor, declaration, decision=body.decision, comment=body.comment, now=now_utc())
    return declaration_json(declaration, left=_left(declaration))
