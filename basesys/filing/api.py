"""The filing endpoints of API.md "Courses and filing": submit, decide, the officer's list, the PDF."""

from flask import Response

from basesys.core.api import File, api_blueprint, api_endpoint
from basesys.core.batch import ItemOutcome
from basesys.core.time import now_utc
from basesys.courses import services as courses
from basesys.courses.access import get_course_for, get_managed_course
from basesys.courses.api import course_json
from basesys.courses.schemas import CourseAnswer, CourseList
from basesys.filing import batch, services
from basesys.filing.pdf import filing_pdf_response
from basesys.filing.schemas import BatchDecisionAnswer, BatchDecisionBody, DecisionBody, FilingQuery

bp = api_blueprint("filing_api", __name__)


@api_endpoint(
    bp,
    "/courses/<int:course_id>/filing",
    "POST",
    summary="Submit (or resubmit) a course's filing to the supervising bureau",
    roles=["base_admin"],
    answer=CourseAnswer,
    refuses=(
        "filing_already_submitted",
        "filing_already_approved",
        "course_finalized",
        "no_sessions",
        "filing_incomplete",
    ),
)
def submit(actor, course_id: int):
    course = get_managed_course(actor, course_id)
    services.submit_filing(actor, course, now=now_utc())
    return course_json(course)


@api_endpoint(
    bp,
    "/courses/<int:course_id>/filing/decision",
    "POST",
    summary="Approve or return a submitted filing (a comment is mandatory when returning)",
    roles=["bureau_officer"],
    body=DecisionBody,
    answer=CourseAnswer,
    refuses=("filing_not_submitted", "comment_required", "invalid_decision"),
)
def decide(actor, course_id: int, body: DecisionBody):
    course = get_course_for(actor, course_id)
    services.decide_filing(actor, course, decision=body.decision, comment=body.comment, now=now_utc())
    return course_json(course)


def outcome_json(outcome: ItemOutcome) -> dict:
    """One item of a batch: the course's filing status after it (None when not found), and the
    refusal that stopped it."""
    course = outcome.obj
    item = {
        "course_id": outcome.key,
        "filing_status": course.filing_status if course is not None else None,
        "filing_number": course.filing_number if course is not None else None,
    }
    if outcome.error is not None:
        item["error"] = {"code": outcome.error.code, "message": outcome.error.message}
    return item


@api_endpoint(
    bp,
    "/filings/decisions",
    "POST",
    summary="Approve or return many submitted filings, each decided and audited on its own, in the order given",
    roles=["bureau_officer"],
    body=BatchDecisionBody,
    answer=BatchDecisionAnswer,
    refuses=("comment_required",),
)
def decide_many(actor, body: BatchDecisionBody):
    outcomes = batch.decide_filings(actor, body.course_ids, decision=body.decision, comment=body.comment, now=now_utc())
    return {"results": [outcome_json(outcome) for outcome in outcomes]}


@api_endpoint(
    bp,
    "/filings",
    "GET",
    summary="Filings of the officer's bases (default: submitted, oldest first; keyset pages: limit, after)",
    roles=["bureau_officer"],
    query=FilingQuery,
    answer=CourseList,
)
def list_filings(actor, query: FilingQuery):
    page = services.filings_page(actor, query.status, limit=query.limit, after=query.after)
    counts = courses.enrolled_counts(c.id for c in page.items)
    return {"items": [course_json(c, enrolled=counts.get(c.id, 0)) for c in page.items], "next": page.next}


@api_endpoint(
    bp,
    "/courses/<int:course_id>/filing.pdf",
    "GET",
    summary="The printable filing form (附件2) as PDF",
    roles=["base_admin", "bureau_officer", "sysadmin"],
    answer=File("application/pdf", "The filing form"),
)
def filing_pdf(actor, course_id: int) -> Response:
    return filing_pdf_response(get_course_for(actor, course_id))
